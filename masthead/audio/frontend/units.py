"""Units of measure: "10 km", "a 10-km race", "per kg", "$5/kg", "100 km/h", "2 GW"."""

from __future__ import annotations

import re

from masthead.audio.frontend.base import Rule

# Abbreviation -> (singular, plural). Case matters: "MW" is megawatts, "mW" would be milliwatts.
UNITS = {
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"),
    "sq km": ("square kilometer", "square kilometers"),
    "km²": ("square kilometer", "square kilometers"),
    "km2": ("square kilometer", "square kilometers"),
    "m²": ("square meter", "square meters"),
    "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "kg": ("kilogram", "kilograms"),
    "mg": ("milligram", "milligrams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "ft": ("foot", "feet"),
    "ml": ("milliliter", "milliliters"),
    "ha": ("hectare", "hectares"),
    "kW": ("kilowatt", "kilowatts"),
    "MW": ("megawatt", "megawatts"),
    "GW": ("gigawatt", "gigawatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "MWh": ("megawatt hour", "megawatt hours"),
    "GWh": ("gigawatt hour", "gigawatt hours"),
    "TWh": ("terawatt hour", "terawatt hours"),
    "bpd": ("barrel a day", "barrels a day"),
    "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"),
    "Mbps": ("megabit per second", "megabits per second"),
}
UNIT_PATTERN = "|".join(re.escape(unit) for unit in sorted(UNITS, key=len, reverse=True))


def _quantity(match: re.Match) -> str:
    singular, plural = UNITS[match["unit"]]
    # "a 10-km race": a measure used as an adjective is singular, as in "a ten-kilometer race".
    adjective = match["hyphen"] is not None
    one = match["number"] in {"1", "1.0"}
    scale = f" {match['scale']}" if match["scale"] else ""
    return f"{match['number']}{scale} {singular if (adjective or one) and not scale else plural}"


def _per(match: re.Match) -> str:
    return f" per {UNITS[match['unit']][0]}"


class Units(Rule):
    name = "units"
    patterns = [
        (
            re.compile(
                rf"(?P<number>\d[\d,]*(?:\.\d+)?)(?:\s(?P<scale>thousand|million|billion))?(?:(?P<hyphen>-)|\s?)"
                rf"(?P<unit>{UNIT_PATTERN})(?![\w²])"
            ),
            _quantity,
        ),
        (re.compile(rf"(?:\s*\bper\s+|(?<=\w)\s?/\s?)(?P<unit>{UNIT_PATTERN})(?![\w²])"), _per),
    ]
