"""Quotations: the marks around quoted words are not read; the words are, with the sentence's pauses."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule


class Quotations(Rule):
    name = "quotations"
    patterns = [
        (re.compile(r"[“”„«»\"]"), ""),
        # ‘scare quotes’ around words; a lone ’ after a word is an apostrophe ("the workers’ union") and stays.
        (re.compile(r"(?<!\w)‘([^‘’]{1,300}?)’(?!\w)"), r"\1"),
        (re.compile(r"(?<![\w'])'([A-Za-z][^'\n]{0,300}?[A-Za-z.,!?])'(?![\w'])"), r"\1"),
    ]
