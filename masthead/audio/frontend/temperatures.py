"""Temperatures: "-5°C", "40°F", "1.5C of warming", "20°"."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule

SCALES = {"C": "Celsius", "F": "Fahrenheit"}


def _temperature(match: re.Match) -> str:
    sign = "minus " if match["sign"] else ""
    degrees = "degree" if match["number"] == "1" else "degrees"
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
