"""Roman numerals: a regnal number after a name is an ordinal ("Charles III" -> "Charles the Third");
after a chapter, part, volume, war or the like it is a cardinal ("chapter IV" -> "chapter four").

The voice itself says "Charles roman three". A numeral elsewhere (or a lone "I", the pronoun) is
left as it is, as are letters that are initialisms too ("DC", "CV"), unless their context says.
"""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule
from masthead.audio.frontend.numbers import cardinal, ordinal

VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
VALID = re.compile(r"(?=[IVXLC])(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")

# Words after which a numeral is counted, not ranked: "World War II", "Part III", "Super Bowl LVIII".
CARDINAL_CONTEXT = {
    "war", "chapter", "chapters", "part", "parts", "volume", "vol.", "act", "scene", "book", "phase",
    "article", "title", "section", "stage", "type", "class", "level", "grade", "round", "series",
    "annex", "appendix", "bowl", "vatican", "mark", "episode", "schedule", "tier", "category",
    "apollo", "gemini",
}  # fmt: skip
# Titles before a regnal name: with one of these even "I" is a number ("Queen Elizabeth I").
TITLES = {
    "King",
    "Queen",
    "Pope",
    "Tsar",
    "Czar",
    "Tsarina",
    "Emperor",
    "Empress",
    "Kaiser",
    "Prince",
    "Princess",
    "Sultan",
    "Shah",
    "Pharaoh",
    "Duke",
    "Saint",
}
# Capitalised words that are never a regnal name, so "In II" or "The III" is left alone.
NOT_NAMES = {"The", "A", "An", "In", "On", "At", "Of", "And", "But", "Or", "To", "By", "For", "With", "As", "If", "So"}


def value(numeral: str) -> int:
    total = 0
    for here, following in zip(numeral, numeral[1:] + " ", strict=True):
        amount = VALUES[here]
        total += -amount if following != " " and VALUES[following] > amount else amount
    return total


def _numeral(match: re.Match) -> str:
    before, word, numeral, suffix = match["before"] or "", match["word"], match["numeral"], match["suffix"] or ""
    if not VALID.fullmatch(numeral):
        return match[0]
    if word.lower() in CARDINAL_CONTEXT:
        number = cardinal(value(numeral))
        return f"{before}{word} {number.capitalize() if word[0].isupper() else number}{suffix}"
    titled = before.strip() in TITLES
    regnal = set(numeral) <= {"I", "V", "X"} and word not in NOT_NAMES and word[0].isupper() and word[-1] != "."
    if regnal and (numeral != "I" or titled):
        return f"{before}{word} the {ordinal(value(numeral)).capitalize()}{suffix}"
    return match[0]


class RomanNumerals(Rule):
    name = "roman numerals"
    patterns = [
        (
            re.compile(
                r"(?P<before>\b[A-Z][a-z]+\s+)?\b(?P<word>[A-Za-z][a-z]*\.?)\s+(?P<numeral>[IVXLC]+)"
                r"(?P<suffix>'s)?(?![\w'-])"
            ),
            _numeral,
        ),
    ]
