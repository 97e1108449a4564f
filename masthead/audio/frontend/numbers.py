"""Numbers in words, from num2words (maintained, tested), in the American style the voice speaks.

num2words writes British English ("one hundred and twelve", "one thousand, nine hundred");
the narrating voice is American, so the "and" and the commas go.
"""

from __future__ import annotations

from num2words import num2words


def _american(words: str) -> str:
    return words.replace(",", "").replace(" and ", " ").replace("oh-", "oh ")


def cardinal(number: int) -> str:
    """1984 -> "one thousand nine hundred eighty-four"."""
    return _american(num2words(number))


def ordinal(number: int) -> str:
    """7 -> "seventh", 21 -> "twenty-first", 100 -> "one hundredth"; 11 -> "11th" and 111 -> "111th": the voice
    says written "eleventh" with a reduced first vowel, heard "The love at our" for "The eleventh hour"
    (frontend/ordinals.py), and the digits as the word, clearly."""
    if number % 100 == 11 and number < 1000:
        return f"{number}th"
    return ordinal_words(number)


def ordinal_words(number: int) -> str:
    """7 -> "seventh", 11 -> "eleventh": always the words (after digits the voice reads "'s" as letters)."""
    return _american(num2words(number, to="ordinal"))


def year_words(year: int) -> str:
    """A year as people say it: 2022 -> "twenty twenty-two", 2005 -> "two thousand five", 1905 -> "nineteen oh five"."""
    return _american(num2words(year, to="year"))


def decade_words(decade: int) -> str:
    """1990 -> "nineteen nineties", 2000 -> "two thousands", 2010 -> "twenty tens"."""
    words = year_words(decade)
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def fraction_words(numerator: int, denominator: int) -> str:
    """1/2 -> "one half", 3/4 -> "three quarters", 2/3 -> "two thirds"."""
    names = {2: ("half", "halves"), 4: ("quarter", "quarters")}
    singular, plural = names.get(denominator, (ordinal(denominator), ordinal(denominator) + "s"))
    return f"{cardinal(numerator)} {singular if numerator == 1 else plural}"
