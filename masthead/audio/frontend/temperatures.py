"""Temperatures: "-5°C", "40°F", "1.5C of warming", "20°"."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule

SCALES = {"C": "Celsius", "F": "Fahrenheit"}


def _temperature(match: re.Match) -> str:
    sign = "minus " if match["sign"] else ""
    # "A 2C rise": a temperature before its noun is singular, as in "a two-degree rise".
    adjective = re.search(r"\b[Aa]n?\s+$", match.string[: match.start()]) is not None
    degrees = "degree" if match["number"] == "1" or adjective else "degrees"
    scale = f" {SCALES[match['scale']]}" if match["scale"] else ""
    return f"{sign}{match['number']} {degrees}{scale}"


NUMBER = r"(?:(?<![\w.])(?P<sign>-))?(?P<number>\d+(?:\.\d+)?)"


class Temperatures(Rule):
    name = "temperatures"
    patterns = [
        (re.compile(rf"{NUMBER}\s?°\s?(?P<scale>[CF])?(?![A-Za-z])"), _temperature),
        # Without the degree sign only when stuck to the number ("1.5C"), as newsrooms write it.
        (re.compile(rf"{NUMBER}(?P<scale>[CF])\b"), _temperature),
    ]
