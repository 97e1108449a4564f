"""Typography: spaces, apostrophes, dashes, ampersands and brackets, turned into what the voice pauses on."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule


def _bracketed(match: re.Match) -> str:
    inside = match[0][1:-1].strip()
    # A one-word editorial insertion ("[is]") is read in line; a longer aside gets the pauses of commas.
    return inside if len(inside.split()) == 1 and match[0][0] == "[" else f", {inside},"


class Typography(Rule):
    name = "typography"
    patterns = [
        (re.compile(r"[\u00a0\u2009\u202f]"), " "),
        (re.compile(r"[’‘]"), "'"),
        (re.compile(r"…"), "..."),
        (re.compile(r"−"), "-"),  # the minus sign
        (re.compile(r"\s*[—―]\s*|\s+[–-]\s+"), ", "),
        (re.compile(r"\s*&\s*"), " and "),
        (re.compile(r"\band/or\b"), "and or"),
        (re.compile(r"\[[^\]\[]{1,200}\]|\([^()]{1,200}\)"), _bracketed),
    ]


class Tidy(Rule):
    """What the rules leave behind: doubled or leading commas, space before punctuation."""

    name = "tidy"
    patterns = [
        (re.compile(r"\s+([,.;:!?])"), r"\1"),
        (re.compile(r",\s*(?=[,.;:!?])"), ""),
        (re.compile(r"^\s*,\s*"), ""),
        (re.compile(r"\s{2,}"), " "),
    ]
