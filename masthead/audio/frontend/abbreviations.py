"""Abbreviations with a full stop: titles ("Dr.", "Mr.", "Mrs."), "St." (Saint or Street), "No.", "e.g."."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule, ends_sentence

ABBREVIATIONS = {
    "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Dr.": "Doctor", "Prof.": "Professor",
    "Sen.": "Senator", "Rep.": "Representative", "Gov.": "Governor", "Gen.": "General",
    "Lt.": "Lieutenant", "Col.": "Colonel", "Capt.": "Captain", "Sgt.": "Sergeant", "Adm.": "Admiral",
    "Pres.": "President", "Sec.": "Secretary", "Rev.": "Reverend", "St.": "Saint", "Mt.": "Mount",
    "Ft.": "Fort", "Jr.": "Junior", "Sr.": "Senior", "vs.": "versus", "etc.": "et cetera",
    "e.g.": "for example", "i.e.": "that is", "approx.": "approximately", "Inc.": "Incorporated",
    "Corp.": "Corporation", "Ltd.": "Limited", "Co.": "Company", "Ave.": "Avenue", "Blvd.": "Boulevard",
    "Ph.D.": "P.H.D", "a.m.": "A.M", "p.m.": "P.M", "Messrs.": "Messieurs", "Fig.": "Figure",
    "Rt. Hon.": "Right Honourable", "Hon.": "Honourable", "Dept.": "Department", "Univ.": "University",
}  # fmt: skip
# Those that may also end a sentence, keeping its full stop.
SENTENCE_ENDERS = {"etc.", "Inc.", "Corp.", "Ltd.", "Co.", "Jr.", "Sr.", "a.m.", "p.m.", "Ph.D."}
ABBREVIATION_PATTERN = "|".join(re.escape(word) for word in sorted(ABBREVIATIONS, key=len, reverse=True))


def _abbreviation(match: re.Match) -> str:
    word = match[0]
    followed_by_name = re.match(r"\s+[A-Z]", match.string[match.end() :])
    if word == "St." and (not followed_by_name or ends_sentence(match)):  # "Main St. The house": a street
        return "Street" + ("." if ends_sentence(match) else "")
    spoken = ABBREVIATIONS[word]
    if word in SENTENCE_ENDERS and (ends_sentence(match) or followed_by_name):
        spoken += "."
    return spoken


class Abbreviations(Rule):
    name = "abbreviations"
    patterns = [
        (re.compile(r"#\s?(\d)"), r"number \1"),
        (re.compile(r"\bNo\.\s?(\d)"), r"number \1"),
        (re.compile(r"\bNos\.\s?(\d)"), r"numbers \1"),
        (re.compile(r"\bpp\.\s?(\d)"), r"pages \1"),
        (re.compile(r"\bp\.\s?(\d)"), r"page \1"),
        (re.compile(rf"(?<![\w.])(?:{ABBREVIATION_PATTERN})(?!\w)"), _abbreviation),
    ]
