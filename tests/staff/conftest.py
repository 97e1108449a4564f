"""Helpers for the circulation staff's admin.

The personas (circulation Cora, subscriber Sam, reader Rita, editor Eddie, who may use the admin but
not see subscribers) come from tests/conftest.py.
"""

from __future__ import annotations

import secrets
from html.parser import HTMLParser

import pytest

from tests.personas import subscribe as buy


@pytest.fixture
def subscribe(db):
    """Subscribe a reader the way checkout does: the real service, the sandbox gateway, a test card."""

    def subscribe(reader, plan_slug: str = "digital-monthly", **kwargs):
        return buy(reader, secrets.token_urlsafe(16), plan=plan_slug, **kwargs)

    return subscribe


class FormReader(HTMLParser):
    """The fields a browser would submit from the form whose action is `action`."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif self.inside and tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(html: str, action: str) -> dict[str, str]:
    """The named inputs (hidden ones included) of the form posting to `action` in `html`."""
    parser = FormReader(action)
    parser.feed(html)
    assert parser.fields, f"no form posting to {action}"
    return parser.fields
