"""The 50 districts of Lima (43) and Callao (7), and a forgiving search over their names.

Leaders type district names the way people say them: without accents, with or without "de la",
or as the initials everyone uses (SJL, VES). The search turns all of those into the same
district so the registration flow can offer a short list of buttons to confirm.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from bot.core.validation import fold_text

DISTRICTS_FILE = "data/districts_lima_callao.csv"

# Articles and prepositions people drop or add at will ("San Juan Lurigancho", "Carmen Legua").
STOP_WORDS = frozenset({"de", "del", "la", "las", "los", "el", "y"})

# Names people use that are not the official district name, by INEI ubigeo.
ALIASES: dict[str, tuple[str, ...]] = {
    # The district's official name is just "Lima", which is also what people call it.
    "150101": ("Lima", "Cercado", "Cercado de Lima", "Lima Cercado"),
    "150103": ("Vitarte",),
    "150118": ("Chosica", "Huachipa", "Lurigancho-Chosica"),
    "150120": ("Magdalena",),
    "150132": ("SJL",),
    "150133": ("SJM",),
    "150135": ("SMP",),
    "150140": ("Surco",),
    "150142": ("VES",),
    "150143": ("VMT",),
    "070101": ("Callao Cercado", "Cercado del Callao"),
    "070103": ("Carmen de la Legua",),
}

MINIMUM_QUERY_LENGTH = 2
# Forgives a letter or two ("chorrilos" → Chorrillos) without suggesting unrelated names.
FUZZY_CUTOFF = 0.8


@dataclass(frozen=True)
class District:
    ubigeo: str  # INEI code: six digits, keeping Callao's leading zero (0701xx)
    ubigeo_reniec: str
    name: str  # the usual name with accents, as in the data file: "Lima (Cercado de Lima)"
    province: str  # "Lima" or "Callao"


@dataclass(frozen=True)
class _SearchEntry:
    district: District
    keys: frozenset[str]  # the district's name and aliases, each as a search key


def all_districts() -> tuple[District, ...]:
    """Every district, Lima's first then Callao's, in INEI order."""
    return _load_districts()


def district_by_ubigeo(code: str) -> District | None:
    """The district with this INEI ubigeo, or None when the code is not one of the 50."""
    return _districts_by_ubigeo().get(code.strip())


def find_districts(query: str, *, limit: int = 8) -> list[District]:
    """Districts matching what a person typed, best first.

    Exact names and aliases come first, then names that start with the query, then names that
    contain every word of it, then close spellings (typos). Accents, case, punctuation and
    articles ("de", "la", …) do not matter.
    """
    if len(_normalize(query).replace(" ", "")) < MINIMUM_QUERY_LENGTH:
        return []
    query_key = _search_key(query)
    if not query_key:
        return []
    query_words = query_key.split()

    ranked: list[tuple[int, str, District]] = []
    unmatched: list[_SearchEntry] = []
    for entry in _search_index():
        rank = _match_rank(query_key, query_words, entry.keys)
        if rank is None:
            unmatched.append(entry)
        else:
            ranked.append((rank, entry.district.name, entry.district))
    ranked.sort(key=lambda item: (item[0], item[1]))
    matches = [district for _, _, district in ranked]

    if len(matches) < limit:
        matches.extend(_close_spellings(query_key, unmatched))
    return matches[:limit]


def _match_rank(query_key: str, query_words: list[str], keys: frozenset[str]) -> int | None:
    if query_key in keys:
        return 0
    if any(key.startswith(query_key) for key in keys):
        return 1
    if any(_contains_every_word(key.split(), query_words) for key in keys):
        return 2
    return None


def _contains_every_word(key_words: list[str], query_words: list[str]) -> bool:
    # A word counts when it starts a word of the name, so "juan lurig" finds San Juan de Lurigancho.
    return all(any(word.startswith(q) for word in key_words) for q in query_words)


def _close_spellings(query_key: str, entries: list[_SearchEntry]) -> list[District]:
    scored: list[tuple[float, District]] = []
    for entry in entries:
        score = max(difflib.SequenceMatcher(None, query_key, key).ratio() for key in entry.keys)
        if score >= FUZZY_CUTOFF:
            scored.append((score, entry.district))
    scored.sort(key=lambda item: -item[0])
    return [district for _, district in scored]


def _normalize(text: str) -> str:
    """Lowercase, without accents or punctuation, single spaces ("Lurigancho-Chosica" → "lurigancho chosica")."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold_text(text)).split())


def _search_key(text: str) -> str:
    return " ".join(word for word in _normalize(text).split() if word not in STOP_WORDS)


@lru_cache(maxsize=1)
def _load_districts() -> tuple[District, ...]:
    with resources.files("bot").joinpath(DISTRICTS_FILE).open(encoding="utf-8", newline="") as f:
        return tuple(
            District(
                ubigeo=row["ubigeo_inei"],
                ubigeo_reniec=row["ubigeo_reniec"],
                name=row["nombre_usual_con_tildes"],
                province=row["provincia"].title(),
            )
            for row in csv.DictReader(f)
        )


@lru_cache(maxsize=1)
def _districts_by_ubigeo() -> dict[str, District]:
    return {district.ubigeo: district for district in _load_districts()}


@lru_cache(maxsize=1)
def _search_index() -> tuple[_SearchEntry, ...]:
    return tuple(
        _SearchEntry(
            district=district,
            keys=frozenset(
                _search_key(name) for name in (district.name, *ALIASES.get(district.ubigeo, ()))
            ),
        )
        for district in _load_districts()
    )
