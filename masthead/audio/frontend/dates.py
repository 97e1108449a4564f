"""Dates and times in the common styles: "Feb. 7", "February 4th", "7 February 2023", "2023-02-07",
"10:00", "10.30am", "3pm", "14:00"."""

from __future__ import annotations

import re

from masthead.audio.frontend.acronyms import spelled
from masthead.audio.frontend.base import Rule, ends_sentence
from masthead.audio.frontend.numbers import cardinal, ordinal, year_words

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
MONTH_ABBREVIATIONS = {
    "Jan": "January", "Feb": "February", "Mar": "March", "Apr": "April", "Jun": "June", "Jul": "July",
    "Aug": "August", "Sep": "September", "Sept": "September", "Oct": "October", "Nov": "November",
    "Dec": "December",
}  # fmt: skip
MONTH_NAMES = "|".join(MONTHS)
MONTH_ABBREVIATION_NAMES = "|".join(MONTH_ABBREVIATIONS)


def _month_day(match: re.Match) -> str:
    month = MONTH_ABBREVIATIONS.get(match["month"].rstrip("."), match["month"].rstrip("."))
    return f"{month} {ordinal(int(match['day']))}"


def _day_month(match: re.Match) -> str:
    year = f", {year_words(int(match['year']))}" if match["year"] else ""
    return f"the {ordinal(int(match['day']))} of {match['month']}{year}"


def _numeric(match: re.Match) -> str:
    """ "7/2/2023" is read month first, as the magazine's American voice and bylines say dates."""
    month, day, year = int(match["month"]), int(match["day"]), int(match["year"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match[0]
    return f"{MONTHS[month - 1]} {ordinal(day)}, {year_words(year)}"


def _iso(match: re.Match) -> str:
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match[0]
    return f"{MONTHS[month - 1]} {ordinal(day)}, {year_words(year)}"


def _clock(match: re.Match) -> str:
    """A time with a.m./p.m.: "10.30am" -> "10:30 A.M", "10:00 pm" -> "10 P.M"."""
    hour, minutes, half = match["hour"], match["minutes"], match["half"].replace(".", "").upper()
    time = hour if not minutes or minutes == "00" else f"{hour}:{minutes}"
    spoken = f"{time} {spelled(half)}"
    # "a.m." at the end of a sentence keeps its full stop.
    return spoken + ("." if match["half"].endswith(".") and ends_sentence(match) else "")


def _twenty_four_hour(match: re.Match) -> str:
    """A whole hour: "14:00" -> "fourteen hundred", "09:00" -> "nine o'clock" (the voice says "zero zero")."""
    hour = int(match["hour"])
    if hour == 0:
        return "midnight"
    return f"{cardinal(hour)} hundred" if hour >= 13 else f"{cardinal(hour)} o'clock"


class Dates(Rule):
    name = "dates and times"
    patterns = [
        (re.compile(r"\b(?P<year>1[5-9]\d\d|20\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"), _iso),
        (
            re.compile(
                rf"\b(?P<month>(?:{MONTH_ABBREVIATION_NAMES})\.?|{MONTH_NAMES})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?!:)"
            ),
            _month_day,
        ),
        (re.compile(r"\b(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>1[5-9]\d\d|20\d\d)\b"), _numeric),
        (
            re.compile(
                rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{MONTH_NAMES})\b(?:,?\s+(?P<year>1[5-9]\d\d|20\d\d)\b)?"
            ),
            _day_month,
        ),
        (re.compile(rf"\b(?P<month>{MONTH_ABBREVIATION_NAMES})\.(?=\s+\d)"), lambda m: MONTH_ABBREVIATIONS[m["month"]]),
        (
            re.compile(
                r"\b(?P<hour>1[0-2]|0?[1-9])(?:[:.](?P<minutes>[0-5]\d))?\s?(?P<half>[ap]\.m\.|[ap]m\b|[AP]M\b)"
            ),
            _clock,
        ),
        (re.compile(r"\b(?P<hour>[01]?\d|2[0-3]):00\b(?!\s?[ap]\.?m)"), _twenty_four_hour),
    ]
