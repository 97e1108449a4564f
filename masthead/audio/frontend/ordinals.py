"""Ordinals: "102nd", "the 1,000th"; those below 100 ("21st", "the 3rd") are left to the voice.

Piper's phonemizer reads "1st" to "99th" as the words, with the same sounds as the words written out
(checked for each) but one: written "eleventh" loses its first vowel ("ᵻlˈɛvənθ" against the digits'
"ɪlˈɛvənθ"), and "The eleventh hour" was heard "The love at our" and "The Elevator" (bench/intelligibility.py,
2026-12-04). From 100 on it reads "100th" as "one hundred th", so those are written out.
"""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule
from masthead.audio.frontend.numbers import ordinal, ordinal_words


class Ordinals(Rule):
    name = "ordinals"
    patterns = [(re.compile(r"\b(\d{1,3}(?:,\d{3})+|\d+)(?:st|nd|rd|th)\b"), lambda m: _ordinal(m))]


def _ordinal(match: re.Match) -> str:
    number = int(match[1].replace(",", ""))
    if re.match(r"['’]s\b", match.string[match.end() :]):  # "the 82nd's": after digits the voice spells "nd's"
        return ordinal_words(number)
    return match[0] if number < 100 else ordinal(number)
