"""Postal addresses for print: the countries we mail to and the postal-code shapes we check."""

from __future__ import annotations

import re

COUNTRIES = {
    "US": "United States",
    "CA": "Canada",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "AU": "Australia",
    "NZ": "New Zealand",
    "DE": "Germany",
    "FR": "France",
    "NL": "Netherlands",
    "BE": "Belgium",
    "ES": "Spain",
    "IT": "Italy",
    "CH": "Switzerland",
    "AT": "Austria",
    "SE": "Sweden",
    "NO": "Norway",
    "DK": "Denmark",
    "FI": "Finland",
    "PT": "Portugal",
    "JP": "Japan",
    "MX": "Mexico",
    "BR": "Brazil",
    "IN": "India",
}

POSTAL_CODE_SHAPES = {
    "US": (r"\d{5}(-\d{4})?", "a ZIP code such as 12345 or 12345-6789"),
    "CA": (r"[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d", "a postal code such as K1A 0B1"),
    "GB": (r"[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}", "a postcode such as SW1A 1AA"),
    "DE": (r"\d{5}", "five digits, such as 10115"),
    "FR": (r"\d{5}", "five digits, such as 75001"),
    "ES": (r"\d{5}", "five digits, such as 28001"),
    "IT": (r"\d{5}", "five digits, such as 00184"),
    "NL": (r"\d{4} ?[A-Za-z]{2}", "a postcode such as 1012 AB"),
    "AU": (r"\d{4}", "four digits, such as 2000"),
    "NZ": (r"\d{4}", "four digits, such as 6011"),
    "CH": (r"\d{4}", "four digits, such as 8001"),
    "AT": (r"\d{4}", "four digits, such as 1010"),
    "BE": (r"\d{4}", "four digits, such as 1000"),
    "DK": (r"\d{4}", "four digits, such as 1050"),
    "NO": (r"\d{4}", "four digits, such as 0150"),
    "SE": (r"\d{3} ?\d{2}", "a postcode such as 111 22"),
    "JP": (r"\d{3}-?\d{4}", "a postal code such as 100-0001"),
    "IN": (r"\d{6}", "six digits, such as 110001"),
    "BR": (r"\d{5}-?\d{3}", "a CEP such as 01001-000"),
    "MX": (r"\d{5}", "five digits, such as 06000"),
    "PT": (r"\d{4}-\d{3}", "a postal code such as 1000-001"),
    "FI": (r"\d{5}", "five digits, such as 00100"),
    "IE": (r"[A-Za-z\d]{3} ?[A-Za-z\d]{4}", "an Eircode such as D02 X285"),
}


def country_name(code: str) -> str:
    return COUNTRIES.get(code, code)


def postal_code_problem(country: str, postal_code: str) -> str | None:
    """Why this postal code cannot be right for the country, or None when it looks right."""
    shape = POSTAL_CODE_SHAPES.get(country)
    if shape and not re.fullmatch(shape[0], postal_code.strip()):
        return f"Enter {shape[1]}."
    return None
