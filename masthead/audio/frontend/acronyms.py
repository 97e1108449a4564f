"""Acronyms and initialisms: spelled out ("PRC" -> "P.R.C", "U.S." -> "U.S"), or said as words
("NATO", "OPEC"), respelled where the voice says the word wrong ("COVID-19" -> "Koh-vid 19")."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule, ends_sentence

# Said as words; every other run of 2-5 capitals is spelled out.
SAID_AS_WORDS = {
    "NATO", "NASA", "OPEC", "AIDS", "COVID", "UNESCO", "UNICEF", "ASEAN", "NAFTA", "FIFA", "UEFA",
    "NASDAQ", "SWIFT", "GATT", "OSHA", "FEMA", "DARPA", "SARS", "MERS", "RADAR", "LASER", "SCUBA",
    "SWAT", "ISIS", "ISIL", "NORAD", "CERN", "INTERPOL", "EFTA", "AUKUS", "BRICS", "IKEA", "UNITA",
    "SEATO", "CENTCOM", "OK", "MERCOSUR", "OPEX", "CAPEX", "NIMBY", "GIF", "SIM", "PIN",
}  # fmt: skip
# Said as words, but the voice's own reading is wrong: "COVID" comes out as "cobbid".
# A respelling in one word keeps one stress: "Ah-see-an" was said with three, and heard "I see and".
RESPELLED = {"COVID": "Koh-vid", "NIMBY": "Nimby", "ASEAN": "Ahsian", "UNITA": "Oo-nee-ta", "MERCOSUR": "Mercosur"}
# Said as what they stand for: spelled, "WWII" was "W.W.I.I", letters and a numeral no listener joins up.
EXPANDED = {"WWI": "World War One", "WW1": "World War One", "WWII": "World War Two", "WW2": "World War Two"}


def spelled(letters: str) -> str:
    """Letters said by their names, as the voice says an initialism: "AI" -> "A.I", "WHO" -> "W.H.O".

    Joined by full stops, with none after the last: spaced ("A I") the voice reads "A" as the article
    and "I" as the pronoun and stresses every letter alike; run together, it reads some as a word
    ("WHO" as "who"); a stop at the end would end the sentence.
    """
    return ".".join(letters)


# After spelled letters, "CEOs" and "PRC's" alike: "C.E.O.'s", the last letter's name, then "z".
# Without the stop, the voice reads "E.U's" as "E dot U's".
POSSESSIVE = ".'s"


def _respelled(match: re.Match) -> str:
    # "COVID-19": the number is said after the word, not joined to it by the hyphen.
    return RESPELLED[match["word"]] + (f" {match['number']}" if match["number"] else "")


def _dotted(match: re.Match) -> str:
    letters = spelled(match["letters"].replace(".", "").upper())
    if match["suffix"]:
        return letters + POSSESSIVE
    return letters + ("." if ends_sentence(match) else "")


def _spell(match: re.Match) -> str:
    letters, suffix = match["letters"], match["suffix"] or ""
    if letters in SAID_AS_WORDS or re.fullmatch(r"[IVX]+", letters):
        return match[0]
    return spelled(letters) + (POSSESSIVE if suffix else "")


RESPELLED_PATTERN = "|".join(RESPELLED)
EXPANDED_PATTERN = "|".join(sorted(EXPANDED, key=len, reverse=True))


class Acronyms(Rule):
    name = "acronyms"
    patterns = [
        (re.compile(rf"\b(?:{EXPANDED_PATTERN})\b"), lambda match: EXPANDED[match[0]]),
        (re.compile(rf"\b(?P<word>{RESPELLED_PATTERN})(?:-(?P<number>\d+))?\b"), _respelled),
        (re.compile(r"(?<![\w.])(?P<letters>(?:[A-Za-z]\.){2,})(?P<suffix>'s)?(?!\w)"), _dotted),
        (re.compile(r"\b(?P<letters>[A-Z]{2,5})(?P<suffix>'s|s)?\b"), _spell),
    ]
