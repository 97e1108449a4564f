"""Billing personas and the clock: every billing test starts on launch day (`pages.START`), time frozen.

Personas (each with a verified email, so they can log in by email, and `<persona>_client`, a
logged-in `ReaderBrowser`):
- reader: Rita, registered, never subscribed (the shared persona, given a confirmed email);
- subscriber: Sam, Digital monthly since launch day, paid with 4242 4242 4242 4242;
- print_subscriber: Pat, Digital + Print yearly since launch day, mailed to Brooklyn;
- lapsed_subscriber: Lou, subscribed monthly in 2026, cancelled, and the period ran out.
Subscribers are built through the same service functions checkout and renewals call.

`at_once` runs requests on threads released together, for races (double clicks, several tabs).
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail

from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.models import Plan, Subscription
from masthead.subscriptions.services import (
    AddressInput,
    do_cancel,
    do_subscribe,
    renew_due_subscriptions,
    send_renewal_reminders,
)
from tests.billing.pages import START, ReaderBrowser, browser_for, committed

CARD = CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123")
BROOKLYN = AddressInput(
    name="Pat Print", line1="12 Court Street", city="Brooklyn", region="NY", postal_code="11201", country="US"
)


@pytest.fixture(autouse=True)
def clock():
    """Frozen time on launch day; tests move it with `clock.move_to(...)` or `clock.shift(...)`."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def long_sessions(settings):
    # The clock jumps months ahead; a logged-in reader must not be logged out by the jump.
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600


@pytest.fixture
def run_renewals():
    """Run the renewal job at the clock's time, as the scheduler would; returns its outcomes."""

    def run() -> dict[str, int]:
        with committed():
            return renew_due_subscriptions()

    return run


@pytest.fixture
def run_reminders():
    """Run the renewal-reminder job at the clock's time; returns how many reminders went out."""

    def run() -> int:
        with committed():
            return send_renewal_reminders()

    return run


def confirmed(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def subscribe(user, plan_slug: str, *, address: AddressInput | None = None) -> Subscription:
    """Buy a plan as checkout does, then empty the outbox so tests see only their own emails."""
    with committed():
        subscription = do_subscribe(
            reader=user,
            plan=Plan.objects.get(slug=plan_slug),
            card=CARD,
            checkout_token=f"persona-{user.username}",
            address=address,
        )
    mail.outbox.clear()
    return subscription


# -- personas ------------------------------------------------------------------------------------


@pytest.fixture
def anonymous(db) -> ReaderBrowser:
    return ReaderBrowser()


@pytest.fixture
def reader(reader):
    """Rita, with the confirmed email address signing up gives her."""
    return confirmed(reader)


@pytest.fixture
def reader_client(reader) -> ReaderBrowser:
    return browser_for(reader)


@pytest.fixture
def subscriber(make_user, clock):
    """Sam has read the digital edition, monthly, since launch day."""
    sam = confirmed(make_user("sam", first_name="Sam", last_name="Subscriber"))
    subscribe(sam, "digital-monthly")
    return sam


@pytest.fixture
def subscriber_client(subscriber) -> ReaderBrowser:
    return browser_for(subscriber)


@pytest.fixture
def print_subscriber(make_user, clock):
    """Pat takes Digital + Print, yearly, mailed to Brooklyn, since launch day."""
    pat = confirmed(make_user("pat", first_name="Pat", last_name="Print"))
    subscribe(pat, "digital-print-yearly", address=BROOKLYN)
    return pat


@pytest.fixture
def print_subscriber_client(print_subscriber) -> ReaderBrowser:
    return browser_for(print_subscriber)


@pytest.fixture
def lapsed_subscriber(make_user, clock):
    """Lou subscribed monthly in October 2026, cancelled at once, and the paid month ran out."""
    lou = confirmed(make_user("lou", first_name="Lou", last_name="Lapsed"))
    clock.move_to(datetime.datetime(2026, 10, 1, 12, 0, tzinfo=datetime.UTC))
    subscription = subscribe(lou, "digital-monthly")
    with committed():
        do_cancel(subscription, actor="reader", reason="too_expensive")
    clock.move_to(datetime.datetime(2026, 11, 2, 12, 0, tzinfo=datetime.UTC))
    with committed():
        renew_due_subscriptions()
    clock.move_to(START)
    mail.outbox.clear()
    return lou


@pytest.fixture
def lapsed_subscriber_client(lapsed_subscriber) -> ReaderBrowser:
    return browser_for(lapsed_subscriber)
