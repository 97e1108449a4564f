"""Written text to what the narrator should say: numbers, money, dates, abbreviations, initialisms.

The voice's own reading (espeak-ng) gets several of these wrong: "$60 billion" comes out as
"dollar sixty billion", "2022" as "two thousand twenty two", "Feb. 7" ends a sentence after
"Feb", "Dr." likewise, and "1990s" as "nineteen hundred ninety z". So the narration script is
rewritten here first, by ordered rules, into words the voice reads well. Plain cardinals
("60", "1,150", "3.5") are left as digits: the voice reads those correctly.
"""

from __future__ import annotations

import re

ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
SCALES = [(10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand")]
ORDINAL_WORDS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
    "nine": "ninth", "twelve": "twelfth",
}  # fmt: skip

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
MONTH_ABBREVIATIONS = {
    "Jan": "January", "Feb": "February", "Mar": "March", "Apr": "April", "Jun": "June", "Jul": "July",
    "Aug": "August", "Sep": "September", "Sept": "September", "Oct": "October", "Nov": "November",
    "Dec": "December",
}  # fmt: skip

# Initialisms said as words; every other run of 2-5 capitals is spelled out ("PRC" -> "P R C").
ACRONYMS_SAID_AS_WORDS = {
    "NATO", "NASA", "OPEC", "AIDS", "COVID", "UNESCO", "UNICEF", "ASEAN", "NAFTA", "FIFA", "UEFA",
    "NASDAQ", "SWIFT", "GATT", "OSHA", "FEMA", "DARPA", "SARS", "MERS", "RADAR", "LASER", "SCUBA",
    "SWAT", "ISIS", "ISIL", "NORAD", "CERN", "INTERPOL", "EFTA", "AUKUS", "BRICS", "IKEA", "UNITA",
    "SEATO", "CENTCOM", "OK",
}  # fmt: skip

# Abbreviations with a full stop, and what to say. Those in SENTENCE_ENDERS may also end a sentence.
ABBREVIATIONS = {
    "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Dr.": "Doctor", "Prof.": "Professor",
    "Sen.": "Senator", "Rep.": "Representative", "Gov.": "Governor", "Gen.": "General",
    "Lt.": "Lieutenant", "Col.": "Colonel", "Capt.": "Captain", "Sgt.": "Sergeant", "Adm.": "Admiral",
    "Pres.": "President", "Sec.": "Secretary", "Rev.": "Reverend", "St.": "Saint", "Mt.": "Mount",
    "Ft.": "Fort", "Jr.": "Junior", "Sr.": "Senior", "vs.": "versus", "etc.": "et cetera",
    "e.g.": "for example", "i.e.": "that is", "approx.": "approximately", "Inc.": "Incorporated",
    "Corp.": "Corporation", "Ltd.": "Limited", "Co.": "Company", "Ave.": "Avenue", "Blvd.": "Boulevard",
    "Ph.D.": "P H D", "a.m.": "A M", "p.m.": "P M",
}  # fmt: skip
SENTENCE_ENDERS = {"etc.", "Inc.", "Corp.", "Ltd.", "Co.", "Jr.", "Sr.", "a.m.", "p.m.", "Ph.D."}

CURRENCIES = {"$": ("dollar", "dollars"), "£": ("pound", "pounds"), "€": ("euro", "euros"), "¥": ("yen", "yen")}
SCALE_WORDS = {"k": "thousand", "m": "million", "mn": "million", "bn": "billion", "b": "billion", "tn": "trillion"}


# -- numbers -------------------------------------------------------------------------------------


def cardinal(number: int) -> str:
    """Say a whole number: 1984 -> "one thousand nine hundred eighty-four"."""
    if number < 0:
        return "minus " + cardinal(-number)
    if number < 20:
        return ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return TENS[tens] + (f"-{ONES[ones]}" if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return f"{ONES[hundreds]} hundred" + (f" {cardinal(rest)}" if rest else "")
    for size, name in SCALES:
        if number >= size:
            high, rest = divmod(number, size)
            return f"{cardinal(high)} {name}" + (f" {cardinal(rest)}" if rest else "")
    raise AssertionError("unreachable")


def ordinal(number: int) -> str:
    """7 -> "seventh", 21 -> "twenty-first", 100 -> "one hundredth"."""
    words = cardinal(number)
    head, separator, last = words.rpartition("-") if "-" in words.split(" ")[-1] else words.rpartition(" ")
    if last in ORDINAL_WORDS:
        last = ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}{separator}{last}"


def year_words(year: int) -> str:
    """Say a year as people do: 2022 -> "twenty twenty-two", 2005 -> "two thousand five", 1905 -> "nineteen oh five"."""
    high, low = divmod(year, 100)
    if year % 1000 < 10 and year >= 1000:
        return cardinal(year)  # 2000, 2001 ... 2009, 1000, 1001 ...
    if low == 0:
        return f"{cardinal(high)} hundred"
    if low < 10:
        return f"{cardinal(high)} oh {ONES[low]}"
    return f"{cardinal(high)} {cardinal(low)}"


def decade_words(decade: int) -> str:
    """1990 -> "nineteen nineties", 2000 -> "two thousands", 2010 -> "twenty tens"."""
    if decade % 100 == 0:
        return cardinal(decade).replace("thousand", "thousands") if decade % 1000 == 0 else f"{year_words(decade)}s"
    words = year_words(decade)
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


# -- the rules -----------------------------------------------------------------------------------


def _money(match: re.Match) -> str:
    prefix, symbol, amount, scale = match["prefix"], match["symbol"], match["amount"], match["scale"]
    singular, plural = CURRENCIES[symbol]
    country = "U S " if prefix and prefix.upper() == "US" else ""
    if scale:
        scale = SCALE_WORDS.get(scale.lower(), scale.lower())
        return f"{amount} {scale} {country}{plural}"
    whole, _, cents = amount.partition(".")
    unit = singular if whole.replace(",", "") == "1" else plural
    spoken = f"{whole} {country}{unit}"
    if cents and int(cents):
        spoken += f" and {int(cents.ljust(2, '0')[:2])} cents" if symbol == "$" else f" {cents}"
    return spoken


def _month_day(match: re.Match) -> str:
    month = MONTH_ABBREVIATIONS.get(match["month"].rstrip("."), match["month"].rstrip("."))
    return f"{month} {ordinal(int(match['day']))}"


def _day_month(match: re.Match) -> str:
    return f"the {ordinal(int(match['day']))} of {match['month']}"


def _spell(match: re.Match) -> str:
    letters, suffix = match["letters"], match["suffix"] or ""
    if letters in ACRONYMS_SAID_AS_WORDS or re.fullmatch(r"[IVX]+", letters):
        return match[0]
    spelled = " ".join(letters)
    # "CEOs" and "PRC's" alike: "C E O's", so the voice says the last letter's name, then "z".
    return spelled + ("'s" if suffix else "")


SENTENCE_STARTERS = re.compile(r"\s+(?:The|A|An|In|It|He|She|They|We|But|And|This|That|However|Still|Yet)\b")


def _ends_sentence(match: re.Match) -> bool:
    """Whether an abbreviation's full stop also ends the sentence (a guess from what follows)."""
    rest = match.string[match.end() :]
    return not rest.strip() or bool(SENTENCE_STARTERS.match(rest))


def _dotted(match: re.Match) -> str:
    letters = " ".join(match[0].replace(".", "").upper())
    return letters + ("." if _ends_sentence(match) else "")


def _abbreviation(match: re.Match) -> str:
    word = match[0]
    followed_by_name = re.match(r"\s+[A-Z]", match.string[match.end() :])
    if word == "St." and not followed_by_name:
        return "Street" + ("." if _ends_sentence(match) else "")
    spoken = ABBREVIATIONS[word]
    if word in SENTENCE_ENDERS and (_ends_sentence(match) or followed_by_name):
        spoken += "."
    return spoken


def _bracketed(match: re.Match) -> str:
    inside = match[0][1:-1].strip()
    # A one-word editorial insertion ("[is]") is read in line; a longer aside gets the pauses of commas.
    return inside if len(inside.split()) == 1 and match[0][0] == "[" else f", {inside},"


MONTH_NAMES = "|".join(MONTHS)
MONTH_ABBREVIATION_NAMES = "|".join(MONTH_ABBREVIATIONS)
ABBREVIATION_PATTERN = "|".join(re.escape(word) for word in sorted(ABBREVIATIONS, key=len, reverse=True))

RULES: list[tuple[re.Pattern, object]] = [
    (re.compile(r"[\u00a0\u2009\u202f]"), " "),
    (re.compile(r"[’‘]"), "'"),
    (re.compile(r"…"), "..."),
    (re.compile(r"\s*[—―]\s*|\s+[–-]\s+"), ", "),
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"\[[^\]\[]{1,200}\]|\([^()]{1,200}\)"), _bracketed),
    # Money: "$60 billion", "US$5", "$3.50", "£2m", "€1.5bn".
    (
        re.compile(
            r"(?P<prefix>\bUS|\bU\.S\.)?(?P<symbol>[$£€¥])\s?(?P<amount>\d[\d,]*(?:\.\d+)?)"
            r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|tn|[kmb])\b)?"
        ),
        _money,
    ),
    (re.compile(r"(\d)\s?%"), r"\1 percent"),
    (re.compile(r"#\s?(\d)"), r"number \1"),
    (re.compile(r"\bNo\.\s?(\d)"), r"number \1"),
    # Dates: "Feb. 7", "February 4th", "7 February".
    (
        re.compile(
            rf"\b(?P<month>(?:{MONTH_ABBREVIATION_NAMES})\.?|{MONTH_NAMES})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
        ),
        _month_day,
    ),
    (re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{MONTH_NAMES})\b"), _day_month),
    (re.compile(rf"\b(?P<month>{MONTH_ABBREVIATION_NAMES})\.(?=\s+\d)"), lambda m: MONTH_ABBREVIATIONS[m["month"]]),
    # Decades and years: "the 1990s", "'90s", "2020-2022", "in 2022".
    (re.compile(r"\b(1[5-9]|20)(\d)0s\b"), lambda m: decade_words(int(m[1] + m[2] + "0"))),
    (re.compile(r"'(\d)0s\b"), lambda m: decade_words(1900 + int(m[1]) * 10).split(" ", 1)[1]),
    (
        re.compile(r"(?<![\d$£€¥.,])\b(1[5-9]\d\d|20\d\d)\s?[–-]\s?(1[5-9]\d\d|20\d\d)\b(?![.,]?\d)"),
        lambda m: f"{year_words(int(m[1]))} to {year_words(int(m[2]))}",
    ),
    (
        re.compile(r"(?<![\d$£€¥.,])\b(1[5-9]\d\d|20\d\d)\b(?![.,]\d|\s?(?:%|percent))"),
        lambda m: year_words(int(m[1])),
    ),
    (re.compile(r"\b(\d+)(?:st|nd|rd|th)\b"), lambda m: ordinal(int(m[1]))),
    (re.compile(r"(\d)\s?[–]\s?(\d)"), r"\1 to \2"),
    # Abbreviations before dotted initialisms, so "e.g." is "for example", not "E G".
    (re.compile(rf"(?<![\w.])(?:{ABBREVIATION_PATTERN})(?!\w)"), _abbreviation),
    (re.compile(r"(?<![\w.])(?:[A-Za-z]\.){2,}(?!\w)"), _dotted),
    (re.compile(r"\b(?P<letters>[A-Z]{2,5})(?P<suffix>'s|s)?\b"), _spell),
    (re.compile(r"\band/or\b"), "and or"),
    # Tidy what the rules above leave: doubled or leading commas, space before punctuation.
    (re.compile(r"\s+([,.;:!?])"), r"\1"),
    (re.compile(r",\s*(?=[,.;:!?])"), ""),
    (re.compile(r"^\s*,\s*"), ""),
    (re.compile(r"\s{2,}"), " "),
]


def speakable(text: str) -> str:
    """Rewrite written text into words the voice reads naturally."""
    # A line in capitals is a shout, not a run of initialisms: leave its words alone.
    words = re.findall(r"[A-Za-z]{2,}", text)
    shouting = len(words) > 1 and sum(word.isupper() for word in words) > 0.6 * len(words)
    for pattern, replacement in RULES:
        if shouting and replacement is _spell:
            continue
        text = pattern.sub(replacement, text)
    return text.strip()


def spoken_date(date) -> str:
    """A date as the byline says it: "February seventh, twenty twenty-three"."""
    return f"{MONTHS[date.month - 1]} {ordinal(date.day)}, {year_words(date.year)}"
