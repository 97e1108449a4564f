"""Prefixes joined by a hyphen: "Sino-Russian", "Vice-Foreign Minister", "anti-government", "Franco-German".

The voice runs a hyphenated word together as one and stresses it as one, so "Sino-Russian" is
heard as "senior Russian" and "Vice-Foreign" loses "Vice". Said as two words, each keeps its
stress; a prefix the voice says wrongly on its own is respelled.
"""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule

# Prefix -> how to write it for the voice (itself, unless the voice needs a respelling).
PREFIXES = {
    "sino": "Sigh-no", "russo": "Russo", "franco": "Franco", "anglo": "Anglo", "indo": "Indo", "afro": "Afro",
    "euro": "Euro", "greco": "Greco", "austro": "Austro", "judeo": "Judeo", "italo": "Italo", "turko": "Turko",
    "vice": "Vice", "ex": "ex", "anti": "anti", "pro": "pro", "post": "post", "pre": "pre", "non": "non",
    "mid": "mid", "pan": "pan", "neo": "neo", "semi": "semi", "counter": "counter", "trans": "trans",
    "inter": "inter", "ultra": "ultra", "deputy": "deputy", "co": "co", "sub": "sub", "super": "super",
}  # fmt: skip
PREFIX_PATTERN = "|".join(sorted(PREFIXES, key=len, reverse=True))


def _prefix(match: re.Match) -> str:
    written = match["prefix"]
    spoken = PREFIXES[written.lower()]
    # Keep the writer's capital ("Vice-President", "vice-president") unless the voice needs a respelling.
    if spoken.lower() == written.lower():
        spoken = written
    return f"{spoken} "


class HyphenatedPrefixes(Rule):
    name = "hyphenated prefixes"
    patterns = [
        (re.compile(rf"\b(?P<prefix>{PREFIX_PATTERN})[-–](?=[A-Za-z\d'])", re.IGNORECASE), _prefix),
        # Two names joined ("Moscow-Beijing axis", "Austria-Hungary"): each said as itself.
        (re.compile(r"\b([A-Z][a-z]+)[-–](?=[A-Z][a-z])"), r"\1 "),
    ]
