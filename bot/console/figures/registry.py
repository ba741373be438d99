"""Every figure a programme report needs, defined once: a stable key, its name and the rule it is
counted by (catalog msgids), whether it is a stock (as things stood at the period's end) or a
flow (what happened during the period), its value and its parts.

/stats, /indicators, /export's totals and /proposals read the figures from here and nowhere
else, so they agree figure by figure; each sheet carries the rule beside the number. A new
figure is one entry in `FIGURES` (and, if erasure must keep it, a tally in erased.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.console.figures.areas import (
    ADVISED,
    CLOSED,
    FUNDED_STAGE,
    NOT_SELECTED,
    RECEIVED,
    SELECTED,
    Figures,
)
from bot.core.i18n import N_
from bot.projects.reports import AGE_GROUPS, NATIONALITIES, SEXES, UNSPLIT


class Counted(StrEnum):
    STOCK = "stock"  # as things stood at the period's end
    FLOW = "flow"  # what happened during the period


COUNTED = {
    Counted.STOCK: N_("As things stood at the end of the period."),
    Counted.FLOW: N_("What happened during the period."),
}

# What a part of a figure is split by; the channel names each code in the reader's language.
SEX, REACHED_SEX, NATIONALITY, TOPIC, DISTRICT, RUOS_STAGE, ACTIVITY, LEADER_ROLE, TRAINED_AS, AGE, AGE_NOT_BY_SEX = (
    "sex", "reached_sex", "nationality", "topic", "district", "ruos_stage", "activity", "leader_role", "trained_as", "age",
    "age_not_by_sex")


@dataclass(frozen=True)
class Part:
    labels: tuple[tuple[str, str], ...]  # (dimension, code): (("topic", "leadership"), ("sex", "female"))
    value: int


@dataclass(frozen=True)
class Figure:
    key: str  # stable: tests, sheets and the erased tallies' docs name it
    name: str  # N_ msgid
    rule: str  # N_ msgid: how it is counted, one or two sentences
    counted: Counted
    value: Callable[[Figures], int]
    parts: Callable[[Figures], list[Part]] = lambda _figures: []


def _split(dimension: str, counts: Counter[str] | dict[str, int], codes: Iterable[str] | None = None) -> list[Part]:
    keys = list(codes) if codes is not None else sorted(counts)
    return [Part(((dimension, code),), counts.get(code, 0)) for code in keys]


def _pairs(first: str, second: str, counts: dict[tuple[str, str], int], firsts: Iterable[str], seconds: Iterable[str]) -> list[Part]:
    seconds = list(seconds)
    return [Part(((first, a), (second, b)), counts.get((a, b), 0)) for a in firsts for b in seconds]


PEOPLE_SEXES = ("female", "male", "other", "unstated")
PEOPLE_NATIONALITIES = ("venezuelan", "peruvian", "other", "unstated")


def _organization_parts(f: Figures) -> list[Part]:
    return (_split(DISTRICT, f.by_district) + _split(RUOS_STAGE, f.by_ruos_stage)
            + _split(ACTIVITY, f.by_activity, ("active", "inactive", "dissolved")))


def _trained_parts(f: Figures) -> list[Part]:
    topics = sorted(f.trained_by_topic)
    return (_split(TRAINED_AS, f.trained_by_role, ("leader", "other")) + _split(SEX, f.trained_by_sex, PEOPLE_SEXES)
            + _split(NATIONALITY, f.trained_by_nationality, PEOPLE_NATIONALITIES)
            + [part for topic in topics for part in [Part(((TOPIC, topic),), f.trained_by_topic[topic])]
               + _pairs(TOPIC, SEX, f.trained_by_topic_sex, [topic], PEOPLE_SEXES)])


def _reached_parts(f: Figures) -> list[Part]:
    people = f.beneficiaries
    return (_split(NATIONALITY, people.by_nationality, NATIONALITIES) + _split(REACHED_SEX, people.by_sex, SEXES)
            + _split(AGE, people.by_age, AGE_GROUPS)
            + [p for p in _pairs(NATIONALITY, REACHED_SEX, people.by_nationality_sex, NATIONALITIES, SEXES) if p.value]
            + [p for p in _pairs(NATIONALITY, AGE, people.by_nationality_age, NATIONALITIES, AGE_GROUPS) if p.value]
            # Reports approved before the ages were asked per sex: their ages cannot be crossed with sex.
            + ([Part(((AGE_NOT_BY_SEX, UNSPLIT),), people.unsplit)] if people.unsplit else []))


def _proposal(key: str, stage: str, name: str, rule: str) -> Figure:
    return Figure(key, name, rule, Counted.FLOW, lambda f: f.proposals[stage])


FIGURES: tuple[Figure, ...] = (
    Figure("organizations", N_("Organizations supported"),
           N_("Organizations registered with the programme by the end of the period, whatever their verification; erased ones stay as anonymous counts."),
           Counted.STOCK, lambda f: f.organizations, _organization_parts),
    Figure("new_organizations", N_("New organizations in the period"),
           N_("Organizations that registered with the programme during the period."), Counted.FLOW, lambda f: f.new_organizations),
    Figure("verified", N_("Verified by the programme"), N_("Of the organizations supported, those staff have verified."),
           Counted.STOCK, lambda f: f.verified),
    Figure("registered_in_ruos", N_("Registered in the RUOS"),
           N_("Organizations whose RUOS registration is recorded as registered, with a resolution dated by the end of the period."),
           Counted.STOCK, lambda f: f.registered_in_ruos),
    Figure("inscribed_in_registry", N_("Inscribed in Registros Públicos"),
           N_("Organizations whose inscription (date, office and partida electrónica) was recorded, inscribed by the end of the period."),
           Counted.STOCK, lambda f: f.inscribed_in_registry, lambda f: _split(DISTRICT, f.inscribed_by_district)),
    Figure("members", N_("Members"), N_("The members the organizations supported declared, by nationality."),
           Counted.STOCK, lambda f: sum(f.members.values()), lambda f: _split(NATIONALITY, f.members, ("peruvian", "venezuelan", "other"))),
    Figure("leaders", N_("Leaders"),
           N_("People who lead an organization in the bot (owner or co-leader) and had joined by the end of the period, each once; by the sex they chose to say."),
           Counted.STOCK, lambda f: f.leaders,
           lambda f: _split(LEADER_ROLE, f.leaders_by_role, ("owner", "co_leader")) + _split(SEX, f.leaders_by_sex, PEOPLE_SEXES)),
    Figure("board_with_id", N_("Board members with an identity document"),
           N_("Board members, with their identity document recorded, of the organizations supported."),
           Counted.STOCK, lambda f: f.board_with_id),
    _proposal("proposals_received", RECEIVED, N_("Proposals received"), N_("Project proposals sent by the leaders during the period.")),
    _proposal("proposals_advised", ADVISED, N_("Proposals advised"),
              N_("Proposals on which staff commented during the period, each once.")),
    _proposal("proposals_selected", SELECTED, N_("Proposals selected"), N_("Proposals staff selected during the period.")),
    _proposal("projects_funded", FUNDED_STAGE, N_("Projects funded"),
              N_("Projects granted funds during the period, whether or not they have started.")),
    _proposal("proposals_not_selected", NOT_SELECTED, N_("Proposals not selected"),
              N_("Proposals staff decided not to select during the period.")),
    _proposal("projects_closed", CLOSED, N_("Projects closed"), N_("Projects closed (the Laboratorio ended) during the period.")),
    Figure("people_reached", N_("People reached"),
           N_("People counted in the approved version of each project report. A report counts in the period its reporting period ends in, or in the one it was first approved in if that came earlier."),
           Counted.FLOW, lambda f: f.beneficiaries.total, _reached_parts),
    Figure("sessions_held", N_("Training sessions held"),
           N_("Sessions not cancelled that started during the period, by topic (online ones, and in person in your districts)."),
           Counted.FLOW, lambda f: f.sessions_held, lambda f: _split(TOPIC, f.sessions_by_topic)),
    Figure("people_trained", N_("People trained"),
           N_("People who attended at least one session during the period, each once: as a leader of an organization or another member. Per topic, someone trained in two topics counts in each. A coordinator sees the leaders of their districts."),
           Counted.FLOW, lambda f: f.trained, _trained_parts),
    Figure("certificates", N_("Certificates issued"), N_("Attendance certificates issued during the period."),
           Counted.FLOW, lambda f: f.certificates),
    Figure("ballots", N_("Votes cast"), N_("People who voted in a topic vote, once per vote, counted in the period the vote opened."),
           Counted.FLOW, lambda f: f.ballots),
)

BY_KEY = {figure.key: figure for figure in FIGURES}


def value(figures: Figures, key: str) -> int:
    return BY_KEY[key].value(figures)
