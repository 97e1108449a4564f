"""Years and decades: "in 2022", "1905", "the 1990s", "the '80s"."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule
from masthead.audio.frontend.numbers import decade_words, year_words


class Years(Rule):
    name = "years"
    patterns = [
        (re.compile(r"\b(1[5-9]|20)(\d)0s\b"), lambda m: decade_words(int(m[1] + m[2] + "0"))),
        (re.compile(r"'(\d)0s\b"), lambda m: decade_words(1900 + int(m[1]) * 10).split(" ", 1)[1]),
        # A four-figure number from 1000 to 2099 that is not money, a decimal, a count with a comma or a percentage.
        (
            re.compile(r"(?<![\d$£€¥.,])\b(1\d\d\d|20\d\d)\b(?![.,]\d|\s?(?:%|percent))"),
            lambda m: year_words(int(m[1])),
        ),
    ]
