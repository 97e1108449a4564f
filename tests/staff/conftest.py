"""Personas and helpers for the circulation staff's admin.

- circulation: Cora, in the "Circulation" group, which may use the admin and manage subscriptions;
- subscriber: Sam, who bought Digital, monthly at checkout with the sandbox's test card;
- reader (Rita) and editor (Eddie, who may use the admin but not see subscribers) come from tests/conftest.py.
"""

from __future__ import annotations

import secrets
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission

from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import Plan
from masthead.subscriptions.services import do_subscribe
from tests.conftest import logged_in_client

TEST_CARD = CardInput(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")
CIRCULATION_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("subscriptions", "change_subscription"),
    ("subscriptions", "add_plan"),
    ("subscriptions", "change_plan"),
    ("subscriptions", "delete_plan"),
    ("subscriptions", "view_plan"),
    ("subscriptions", "add_offer"),
    ("subscriptions", "change_offer"),
    ("subscriptions", "view_offer"),
]


@pytest.fixture
def circulation_group(db) -> Group:
    group = Group.objects.create(name="Circulation")
    for app_label, codename in CIRCULATION_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


@pytest.fixture
def circulation(make_user, circulation_group):
    """Cora looks after subscribers in the Wagtail admin: refunds, complimentary copies, cancellations."""
    return make_user("cora", first_name="Cora", last_name="Circulation", groups=("Circulation",))


@pytest.fixture
def circulation_client(circulation):
    return logged_in_client(circulation)


@pytest.fixture
def subscribe(db):
    """Subscribe a reader the way checkout does: the real service, the sandbox gateway, a test card."""

    def subscribe(reader, plan_slug: str = "digital-monthly", **kwargs):
        return do_subscribe(
            reader=reader,
            plan=Plan.objects.get(slug=plan_slug),
            card=TEST_CARD,
            checkout_token=secrets.token_urlsafe(16),
            gateway=SandboxGateway(),
            **kwargs,
        )

    return subscribe


@pytest.fixture
def subscriber(make_user, subscribe):
    """Sam pays monthly for the digital edition."""
    sam = make_user("sam", first_name="Sam", last_name="Subscriber")
    subscribe(sam)
    return sam


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
