"""Ranges: "2019–2020", "2019–20", "52–48", "3-4%", "pages 10–12"."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule
from masthead.audio.frontend.numbers import year_words

YEAR = r"1[5-9]\d\d|20\d\d"


def _years(match: re.Match) -> str:
    first, second = match["first"], match["second"]
    if len(second) == 2:  # "2019–20": the second year shares the first one's century
        second = first[:2] + second
    return f"{year_words(int(first))} to {year_words(int(second))}"


class Ranges(Rule):
    name = "ranges"
    patterns = [
        (
            re.compile(rf"(?<![\d$£€¥.,])\b(?P<first>{YEAR})\s?[–-]\s?(?P<second>{YEAR}|\d\d)\b(?![.,]?\d|-)"),
            _years,
        ),
        (re.compile(r"(\d)\s?–\s?(?=[$£€¥]?\d)"), r"\1 to "),
        # With a hyphen only between short numbers ("52-48", "3-4%"): longer runs are codes or phone numbers.
        (re.compile(r"(?<![\w.,-])(\d{1,3}(?:\.\d+)?)-(?=\d{1,3}(?:\.\d+)?(?![\d-]|\.\d))"), r"\1 to "),
    ]
