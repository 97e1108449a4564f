"""Currencies and magnitudes: "$60 billion", "€1.5bn", "£2.50", "US$5", "50p", "1.2tn people"."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule

CURRENCIES = {"$": ("dollar", "dollars"), "£": ("pound", "pounds"), "€": ("euro", "euros"), "¥": ("yen", "yen")}
SMALL_CHANGE = {"$": "cents", "£": "pence", "€": "cents"}
# Who issued a dollar: "US$5" is "5 U.S dollars" (letters said by name), "A$5" "5 Australian dollars".
ISSUERS = {
    "US": "U.S",
    "U.S.": "U.S",
    "A": "Australian",
    "C": "Canadian",
    "HK": "Hong Kong",
    "NZ": "New Zealand",
    "S": "Singapore",
}
SCALE_WORDS = {"k": "thousand", "m": "million", "mn": "million", "bn": "billion", "b": "billion", "tn": "trillion"}


def _money(match: re.Match) -> str:
    issuer, symbol, amount, scale = match["issuer"], match["symbol"], match["amount"], match["scale"]
    singular, plural = CURRENCIES[symbol]
    country = f"{ISSUERS[issuer]} " if issuer and symbol == "$" else ""
    if scale:
        scale = SCALE_WORDS.get(scale.lower(), scale.lower())
        return f"{amount} {scale} {country}{plural}"
    whole, _, cents = amount.partition(".")
    unit = singular if whole.replace(",", "") == "1" else plural
    change = int(cents.ljust(2, "0")[:2]) if cents else 0
    if whole.replace(",", "") == "0" and change and symbol in SMALL_CHANGE:
        return f"{change} {SMALL_CHANGE[symbol]}"
    spoken = f"{whole} {country}{unit}"
    if change:
        spoken += f" and {change} cents" if symbol == "$" else f" {change}"
    return spoken


ISSUER_PATTERN = "|".join(re.escape(issuer) for issuer in sorted(ISSUERS, key=len, reverse=True))


class Money(Rule):
    name = "money"
    patterns = [
        (
            re.compile(
                rf"(?:(?<![\w.])(?P<issuer>{ISSUER_PATTERN}))?(?P<symbol>[$£€¥])\s?(?P<amount>\d[\d,]*(?:\.\d+)?)"
                r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|tn|[kmb])\b)?"
            ),
            _money,
        ),
        (re.compile(r"\b(\d+)p\b"), r"\1 pence"),
        (re.compile(r"\b(\d+)\s?¢"), r"\1 cents"),
        # Magnitudes without a currency: "1.5bn people". A bare "m" may be metres, so it is left alone.
        (re.compile(r"\b(\d[\d,]*(?:\.\d+)?)\s?(bn|tn|mn)\b"), lambda m: f"{m[1]} {SCALE_WORDS[m[2]]}"),
    ]
