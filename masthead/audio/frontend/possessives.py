"""Possessives of names: "Jones' car" (said "Jones car"), "Charles's", and a possessive of a name the
editors gave phonemes for ("Lavrov's"): Piper reads "[[ … ]]'s" as the letter "s", so the ending
goes inside the phonemes, as English says it after that sound."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule

SIBILANTS = ("s", "z", "ʃ", "ʒ")
VOICELESS = ("p", "t", "k", "f", "θ")


def possessive_phonemes(phonemes: str) -> str:
    """The phonemes of a name's possessive: "ɪz" after a hiss ("Jones's"), "s" after p t k f θ, else "z"."""
    last = phonemes.rstrip().rstrip("ːˈˌ")[-1:]
    if last in SIBILANTS or phonemes.rstrip().endswith(("tʃ", "dʒ")):
        return phonemes + "ɪz"
    return phonemes + ("s" if last in VOICELESS else "z")


class Possessives(Rule):
    name = "possessives"
    patterns = [
        # A bare apostrophe after a name ending in s: the classical possessive, said as the name.
        (re.compile(r"\b([A-Z][a-z]*s)'(?=\s)"), r"\1"),
    ]
