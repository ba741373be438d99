"""How the figures read (bot/console/figures/): each figure's rows for a sheet, its lines for a
message, and the name of every part in the reader's language."""

from __future__ import annotations

from itertools import groupby

from bot.console import figures as programme
from bot.console.figures import registry
from bot.console.labels import ACTIVITY, NO_STAGE, district_name
from bot.console.models import ActivityState
from bot.core.i18n import N_, Translator
from bot.core.screens import escape
from bot.documents import workbook
from bot.projects.labels import AGE_LABEL as AGE
from bot.projects.labels import SEX_LABEL as SEX
from bot.projects.reports import UNSPLIT
from bot.questions.labels import TOPIC_NAMES as QUESTION_TOPIC_NAMES
from bot.ruos.labels import RUOS_STAGE as STAGE
from bot.ruos.models import RegistrationStage

PEOPLE_SEX = {"female": N_("women"), "male": N_("men"), "other": N_("other"), "unstated": N_("sex not stated")}
PEOPLE_NATIONALITY = {"venezuelan": N_("Venezuelans"), "peruvian": N_("Peruvians"), "other": N_("other nationalities"),
                      "unstated": N_("nationality not stated")}
LEADER_ROLE = {"owner": N_("owners"), "co_leader": N_("co-leaders")}
UNSPLIT_LABEL = N_("age not split by sex")
TRAINED_AS = {"leader": N_("leaders of an organization"), "other": N_("other members")}


def stage_label(i18n: Translator, code: str) -> str:
    return i18n.gettext(NO_STAGE) if code == programme.NO_STAGE else i18n.gettext(STAGE[RegistrationStage(code)])


def strip_emoji(label: str) -> str:
    # The chart's font has no emoji: "🛠 preparing" is drawn as "preparing".
    return label.split(" ", 1)[1] if label and not label[0].isalnum() and " " in label else label


def topic_name(i18n: Translator, figures: programme.Figures, code: str) -> str:
    topic = figures.topics.get(code)
    return topic.name(i18n.language) if topic else code


def part_label(i18n: Translator, figures: programme.Figures, dimension: str, code: str) -> str:
    _ = i18n.gettext
    if dimension == registry.DISTRICT:
        return district_name(code)
    if dimension == registry.TOPIC:
        return topic_name(i18n, figures, code)
    if dimension == registry.RUOS_STAGE:
        return strip_emoji(stage_label(i18n, code))
    if dimension == registry.ACTIVITY:
        return _(ACTIVITY[ActivityState(code)])
    table = {
        registry.SEX: PEOPLE_SEX, registry.REACHED_SEX: SEX, registry.AGE_NOT_BY_SEX: {UNSPLIT: UNSPLIT_LABEL}, registry.AGE: AGE, registry.LEADER_ROLE: LEADER_ROLE,
        registry.TRAINED_AS: TRAINED_AS, registry.QUESTION_TOPIC: QUESTION_TOPIC_NAMES,
        registry.NATIONALITY: PEOPLE_NATIONALITY,
    }.get(dimension, {})
    return _(table[code]) if code in table else code


def _part_text(i18n: Translator, figures: programme.Figures, part: registry.Part) -> str:
    return ", ".join(part_label(i18n, figures, dimension, code) for dimension, code in part.labels)


def how_counted(i18n: Translator, figure: registry.Figure) -> str:
    return f"{i18n.gettext(figure.rule)} {i18n.gettext(programme.COUNTED[figure.counted])}"


def sheet_rows(i18n: Translator, figures: programme.Figures) -> list[list[workbook.Cell]]:
    """Each figure: its row with how it is counted, then a row per part ("name: part")."""
    rows: list[list[workbook.Cell]] = []
    for figure in programme.FIGURES:
        name = i18n.gettext(figure.name)
        rows.append([name, figure.value(figures), how_counted(i18n, figure)])
        rows += [[f"{name}: {_part_text(i18n, figures, part)}", part.value, None] for part in figure.parts(figures)]
    return rows


def message_lines(i18n: Translator, figures: programme.Figures) -> list[str]:
    """Each figure on a line, its parts that are not zero below it, a line per kind of part."""
    n = i18n.number
    lines = []
    for figure in programme.FIGURES:
        lines.append(f"{i18n.gettext(figure.name)}: {n(figure.value(figures))}")
        single = [part for part in figure.parts(figures) if len(part.labels) == 1 and part.value]
        for _dimension, parts in groupby(single, key=lambda part: part.labels[0][0]):
            lines.append("  " + " · ".join(f"{escape(_part_text(i18n, figures, part))}: {n(part.value)}" for part in parts))
    return lines
