"""URL converters for numbers that reach the database.

Django's `<int:...>` matches any run of digits, and a number past a 64-bit integer makes the
database driver fail (SQLite raises OverflowError) before any lookup can say "not found": a 500 for
a mistyped or malicious URL. `<id:...>` matches at most 18 digits, which every integer column holds,
so a longer number simply matches no route and the visitor gets the ordinary 404 page.
"""

from django.urls import register_converter


class PositiveIdConverter:
    """A whole number of 1 to 18 digits (anything past that cannot be a row on any database)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    """Make `<id:name>` available to every URL pattern; called once, from CoreConfig.ready()."""
    register_converter(PositiveIdConverter, "id")
