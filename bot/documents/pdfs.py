"""What every PDF the bot makes shares (fpdf2): the font, and text the font can draw.

The font is DejaVu Sans, shipped with matplotlib (a dependency already): it has every letter of
Spanish (ñ, á, ü, ¿, ¡) where the PDF core fonts would need a code page. What it cannot draw is
mapped by `printable` before it reaches fpdf2, so a name always shows and is never logged.
"""

from __future__ import annotations

import logging
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib
from anyascii import anyascii
from fontTools.ttLib import TTFont
from fpdf import FPDF

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
FONT_FILES = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}

# Set once, here, for every process that makes a PDF (the bot, the playground, scripts): fpdf2
# warns of a missing glyph by naming it, a piece of someone's name, and fontTools logs some
# seventy INFO lines for every PDF it subsets a font for.
for _library in ("fpdf", "fontTools"):
    logging.getLogger(_library).setLevel(logging.ERROR)


def new_pdf(**layout: Any) -> FPDF:
    """An FPDF (`layout` as FPDF takes it) with DejaVu Sans, regular and bold, as `FONT`."""
    pdf = FPDF(**layout)
    for style, path in FONT_FILES.items():
        pdf.add_font(FONT, style, str(path))
    return pdf


@cache
def _drawable() -> frozenset[int]:
    """The characters both styles of the font have."""
    codes: set[int] | None = None
    for path in FONT_FILES.values():
        font = TTFont(path, lazy=True)
        try:
            charmap = set(font.getBestCmap())
        finally:
            font.close()
        codes = charmap if codes is None else codes & charmap
    return frozenset(codes or ())


def printable(text: str) -> str:
    """`text` as the font can draw it. Decorative letters (𝓜𝓪𝓻í𝓪, ｆｕｌｌ ｗｉｄｔｈ) become the
    letters they decorate (NFKC); letters of a script the font lacks (王芳, 김민준) are spelt in
    Latin letters (WangFang, GimMinJun); symbols and emoji it lacks are left out."""
    drawable = _drawable()
    shown = []
    for character in text:
        if ord(character) in drawable:
            shown.append(character)
            continue
        compatible = unicodedata.normalize("NFKC", character)
        if all(ord(c) in drawable for c in compatible):
            shown.append(compatible)
        elif unicodedata.category(character)[0] in "LN":
            shown.append("".join(c for c in anyascii(character) if ord(c) in drawable))
    return unicodedata.normalize("NFC", "".join(shown))
