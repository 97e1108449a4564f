"""Gifts through the site's pages, on billing's frozen clock and reader clients (tests/billing), and a gift shop.

- `give(client, ...)`: open /gifts/, fill it in as a giver would and press Pay; returns the page that follows.
- `claim_link(email)`: the claim link in the gift email sent to `email`.
The personas (readers, subscribers, Cora of circulation) come from tests/conftest.py.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from tests.billing.conftest import client_class, clock, long_sessions, run_renewals  # noqa: F401 - shared with billing
from tests.billing.pages import GOOD_CARD, START, address_fields, card_fields, hidden_value, link_in
from tests.personas import confirmed

TODAY = START.date()


def gift_fields(
    *,
    edition: str = "digital",
    months: int = 6,
    name: str = "Gwen Gifted",
    email: str = "gwen@example.com",
    deliver_on: datetime.date = TODAY,
    message: str = "Happy birthday!",
    **extra,
) -> dict:
    return {
        "edition": edition,
        "months": str(months),
        "recipient_name": name,
        "recipient_email": email,
        "message": message,
        "deliver_on": deliver_on.isoformat(),
        **extra,
    }


def give(client, card: str = GOOD_CARD, *, address: dict | None = None, follow: bool = True, **fields):
    """Open /gifts/, fill in the gift and the card, press Pay."""
    form = client.get("/gifts/")
    assert form.status_code == 200
    data = {**gift_fields(**fields), **card_fields(card, hidden_value(form, "checkout_token"))}
    data.update(address_fields(address or {}))
    return client.post("/gifts/", data, follow=follow)


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def claim_link(address: str) -> str:
    [gift_email] = [message for message in emails_to(address) if "has given you" in message.subject]
    return link_in(gift_email.body, "/gifts/claim/")


@pytest.fixture
def gwen(make_user):
    """Gwen already reads the magazine with a free account, under the address gifts are sent to."""
    return confirmed(make_user("gwen", first_name="Gwen", last_name="Gifted"))
