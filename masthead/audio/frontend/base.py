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


# Capitalised words that open a sentence far more often than they continue one after "a.m." or "etc.":
# articles, pronouns, conjunctions and adverbs, never a name or a weekday ("at 9 a.m. Monday"); not an
# initial or a road ("A. Smith", "I-95"), nor "His"/"Her" of a title ("at 11 a.m. Her Majesty").
SENTENCE_STARTERS = re.compile(
    r"\s+(?:The|A|An|In|It|He|She|They|We|I|You|There|Then|When|While|After|Before|If|As|Its|Their|Our|"
    r"My|Some|Many|Most|Now|So|But|And|This|That|These|Those|However|Still|Yet|"
    r"(?:His|Her)(?!\s+(?:Majesty|Royal|Highness|Holiness|Eminence|Excellency|Grace|Worship|Honou?r|Lordship|Ladyship)\b))"
    r"\b(?![.\-])"
)
