"""Fractions: "½", "2½", "1/3", "3/4", "2 1/2"; and the slashed numbers said as words ("24/7", "9/11")."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule
from masthead.audio.frontend.numbers import fraction_words

VULGAR = {
    "½": (1, 2),
    "⅓": (1, 3),
    "⅔": (2, 3),
    "¼": (1, 4),
    "¾": (3, 4),
    "⅕": (1, 5),
    "⅛": (1, 8),
    "⅜": (3, 8),
    "⅝": (5, 8),
    "⅞": (7, 8),
}
SAID_AS_NUMBERS = {"24/7": "twenty-four seven", "9/11": "nine eleven", "50/50": "fifty-fifty"}


def _mixed(whole: str, numerator: int, denominator: int) -> str:
    words = fraction_words(numerator, denominator)
    if numerator == 1:
        words = "a " + words.split(" ", 1)[1]  # "2 and a half", not "2 and one half"
    return f"{whole} and {words}"


def _vulgar(match: re.Match) -> str:
    numerator, denominator = VULGAR[match["glyph"]]
    if match["whole"]:
        return _mixed(match["whole"], numerator, denominator)
    if numerator == 1 and re.match(r"\s+an?\b", match.string[match.end() :]):
        return fraction_words(1, denominator).split(" ", 1)[1]  # "½ a mile": "half a mile"
    return fraction_words(numerator, denominator)


def _slashed(match: re.Match) -> str:
    numerator, denominator = int(match["numerator"]), int(match["denominator"])
    if match["whole"]:
        return _mixed(match["whole"], numerator, denominator)
    return fraction_words(numerator, denominator)


GLYPHS = "".join(VULGAR)
# A slash between small numbers that is not part of a date ("7/2/2023") or a score of more figures.
SLASHED = r"(?<![\d/.,])(?P<numerator>[1-9])/(?P<denominator>[2-9]|1[02]|16|100)(?![\d/])"


class Fractions(Rule):
    name = "fractions"
    patterns = [
        (re.compile("|".join(re.escape(written) for written in SAID_AS_NUMBERS)), lambda m: SAID_AS_NUMBERS[m[0]]),
        (re.compile(rf"(?:(?P<whole>\d+)\s?)?(?P<glyph>[{GLYPHS}])"), _vulgar),
        (re.compile(rf"(?:(?<![\d/.,])(?P<whole>\d+)\s)?{SLASHED}"), _slashed),
    ]
