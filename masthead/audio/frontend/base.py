"""What a rule of the text front end is: one class of written forms, rewritten into words."""

from __future__ import annotations

import re
from collections.abc import Callable

Replacement = str | Callable[[re.Match], str]


class Rule:
    """One class of written forms ("money", "roman numerals") and how to say them.

    `name` is the class as the test corpus and the intelligibility benchmark label it.
    """

    name = ""
    patterns: list[tuple[re.Pattern, Replacement]] = []

    def apply(self, text: str) -> str:
        for pattern, replacement in self.patterns:
            text = pattern.sub(replacement, text)
        return text


def ends_sentence(match: re.Match) -> bool:
    """Whether a full stop at the end of `match` also ends the sentence (a guess from what follows)."""
    rest = match.string[match.end() :]
    return not rest.strip() or bool(SENTENCE_STARTERS.match(rest))


SENTENCE_STARTERS = re.compile(r"\s+(?:The|A|An|In|It|He|She|They|We|But|And|This|That|However|Still|Yet)\b")
