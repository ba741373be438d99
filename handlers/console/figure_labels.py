"""How the figures read (bot/console/figures/): each figure's rows for a sheet, its lines for a
message, and the name of every part in the reader's language."""

from __future__ import annotations

from itertools import groupby

from bot.console import figures as programme
from bot.console.figures import registry
from bot.console.models import ActivityState
from bot.core.i18n import N_
from bot.documents import workbook
from bot.projects.reports import UNSPLIT
from bot.ruos.models import RegistrationStage
from handlers.common import escape
from handlers.console.common import ACTIVITY, AGE, NO_STAGE, SEX, district_name
from handlers.context import VocesContext
from handlers.ruos import STAGE

PEOPLE_SEX = {"female": N_("women"), "male": N_("men"), "other": N_("other"), "unstated": N_("sex not stated")}
PEOPLE_NATIONALITY = {"venezuelan": N_("Venezuelans"), "peruvian": N_("Peruvians"), "other": N_("other nationalities"),
                      "unstated": N_("nationality not stated")}
LEADER_ROLE = {"owner": N_("owners"), "co_leader": N_("co-leaders")}
UNSPLIT_LABEL = N_("age not split by sex")
TRAINED_AS = {"leader": N_("leaders of an organization"), "other": N_("other members")}


def stage_label(context: VocesContext, code: str) -> str:
    return context.gettext(NO_STAGE) if code == programme.NO_STAGE else context.gettext(STAGE[RegistrationStage(code)])


def strip_emoji(label: str) -> str:
    # The chart's font has no emoji: "🛠 preparing" is drawn as "preparing".
    return label.split(" ", 1)[1] if label and not label[0].isalnum() and " " in label else label


def topic_name(context: VocesContext, figures: programme.Figures, code: str) -> str:
    topic = figures.topics.get(code)
    return topic.name(context.i18n.language) if topic else code


def part_label(context: VocesContext, figures: programme.Figures, dimension: str, code: str) -> str:
    _ = context.gettext
    if dimension == registry.DISTRICT:
        return district_name(code)
    if dimension == registry.TOPIC:
        return topic_name(context, figures, code)
    if dimension == registry.RUOS_STAGE:
        return strip_emoji(stage_label(context, code))
    if dimension == registry.ACTIVITY:
        return _(ACTIVITY[ActivityState(code)])
    table = {
        registry.SEX: PEOPLE_SEX, registry.REACHED_SEX: SEX, registry.AGE_NOT_BY_SEX: {UNSPLIT: UNSPLIT_LABEL}, registry.AGE: AGE, registry.LEADER_ROLE: LEADER_ROLE,
        registry.TRAINED_AS: TRAINED_AS,
        registry.NATIONALITY: PEOPLE_NATIONALITY,
    }.get(dimension, {})
    return _(table[code]) if code in table else code


def _part_text(context: VocesContext, figures: programme.Figures, part: registry.Part) -> str:
    return ", ".join(part_label(context, figures, dimension, code) for dimension, code in part.labels)


def how_counted(context: VocesContext, figure: registry.Figure) -> str:
    return f"{context.gettext(figure.rule)} {context.gettext(programme.COUNTED[figure.counted])}"


def sheet_rows(context: VocesContext, figures: programme.Figures) -> list[list[workbook.Cell]]:
    """Each figure: its row with how it is counted, then a row per part ("name: part")."""
    rows: list[list[workbook.Cell]] = []
    for figure in programme.FIGURES:
        name = context.gettext(figure.name)
        rows.append([name, figure.value(figures), how_counted(context, figure)])
        rows += [[f"{name}: {_part_text(context, figures, part)}", part.value, None] for part in figure.parts(figures)]
    return rows


def message_lines(context: VocesContext, figures: programme.Figures) -> list[str]:
    """Each figure on a line, its parts that are not zero below it, a line per kind of part."""
    n = context.i18n.number
    lines = []
    for figure in programme.FIGURES:
        lines.append(f"{context.gettext(figure.name)}: {n(figure.value(figures))}")
        single = [part for part in figure.parts(figures) if len(part.labels) == 1 and part.value]
        for _dimension, parts in groupby(single, key=lambda part: part.labels[0][0]):
            lines.append("  " + " · ".join(f"{escape(_part_text(context, figures, part))}: {n(part.value)}" for part in parts))
    return lines
