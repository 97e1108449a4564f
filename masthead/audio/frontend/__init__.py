"""The text front end: written text to what the narrator should say, one rule class per written form.

The voice's own reading (espeak-ng inside Piper) gets many newsroom forms wrong: "$60 billion"
is "dollar sixty billion", "Charles III" "Charles roman three", "10:00" "ten zero zero",
"Sino-Russian" one word. Each class of written forms is a `Rule` in its own module; `RULES` runs
them in order: quotation marks and typography first, since later rules read the dashes and
spaces they leave; ranges before money, so "$5–$10" is two amounts; units before acronyms, so
"GW" is gigawatts, not "G.W". The editors' lexicon is applied above all of them
(`masthead.audio.lexicon.Lexicon.say`). Plain cardinals ("60", "1,150", "3.5") stay digits: the
voice reads those correctly.

tests/audio/corpus.tsv holds the sentences each class must turn into its expected spoken form;
bench/intelligibility.py measures what a listener hears.
"""

from __future__ import annotations

import re

from masthead.audio.frontend.abbreviations import Abbreviations
from masthead.audio.frontend.acronyms import Acronyms
from masthead.audio.frontend.base import Rule
from masthead.audio.frontend.dates import MONTHS, Dates
from masthead.audio.frontend.fractions import Fractions
from masthead.audio.frontend.hyphens import HyphenatedPrefixes
from masthead.audio.frontend.money import Money
from masthead.audio.frontend.numbers import ordinal, year_words
from masthead.audio.frontend.ordinals import Ordinals
from masthead.audio.frontend.percentages import Percentages
from masthead.audio.frontend.possessives import Possessives
from masthead.audio.frontend.quotations import Quotations
from masthead.audio.frontend.ranges import Ranges
from masthead.audio.frontend.roman import RomanNumerals
from masthead.audio.frontend.temperatures import Temperatures
from masthead.audio.frontend.typography import Tidy, Typography
from masthead.audio.frontend.units import Units
from masthead.audio.frontend.years import Years

RULES: list[Rule] = [
    Quotations(),
    Typography(),
    Ranges(),
    Temperatures(),
    Money(),
    Percentages(),
    Units(),
    Fractions(),
    Dates(),
    Years(),
    Ordinals(),
    RomanNumerals(),
    Abbreviations(),
    HyphenatedPrefixes(),
    Acronyms(),
    Possessives(),
    Tidy(),
]
CLASSES = [rule.name for rule in RULES]


def shouting(text: str) -> bool:
    """A line mostly in capitals is a shout, not a run of initialisms."""
    words = re.findall(r"[A-Za-z]{2,}", text)
    return len(words) > 1 and sum(word.isupper() for word in words) > 0.6 * len(words)


def speakable(text: str) -> str:
    """Rewrite written text into words the voice reads naturally."""
    shout = shouting(text)
    for rule in RULES:
        if shout and isinstance(rule, Acronyms):
            continue
        text = rule.apply(text)
    return text.strip()


def spoken_date(date) -> str:
    """A date as the byline says it: "February seventh, twenty twenty-three"."""
    return f"{MONTHS[date.month - 1]} {ordinal(date.day)}, {year_words(date.year)}"
