"""Percentages and percentage points: "3.5%", "12 per cent", "2pp"."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule


class Percentages(Rule):
    name = "percentages"
    patterns = [
        (re.compile(r"(\d)\s?%"), r"\1 percent"),
        (re.compile(r"(\d)\s?pc\b"), r"\1 percent"),
        (re.compile(r"(\d)\s?pp\b"), r"\1 percentage points"),
        (re.compile(r"\bper cent\b"), "percent"),
    ]
