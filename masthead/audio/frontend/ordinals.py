"""Ordinals: "21st", "the 3rd", "102nd"."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule
from masthead.audio.frontend.numbers import ordinal


class Ordinals(Rule):
    name = "ordinals"
    patterns = [
        (re.compile(r"\b(\d{1,3}(?:,\d{3})+|\d+)(?:st|nd|rd|th)\b"), lambda m: ordinal(int(m[1].replace(",", ""))))
    ]
