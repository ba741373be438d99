"""The programme's figures, defined once (registry.py), computed once (programme.py, from the
areas' counts in areas.py), kept after erasure (erased.py); every screen and sheet reads them
from here."""

from bot.console.figures.areas import NO_STAGE, Figures, Period
from bot.console.figures.programme import compute, people_reached, people_reached_so_far
from bot.console.figures.registry import BY_KEY, COUNTED, FIGURES, Counted, Figure, Part, value

__all__ = ["BY_KEY", "COUNTED", "FIGURES", "NO_STAGE", "Counted", "Figure", "Figures", "Part", "Period", "compute", "people_reached",
           "people_reached_so_far", "value"]
