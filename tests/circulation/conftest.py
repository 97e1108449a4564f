"""The ledger on the eve of an issue's close, with a subscriber in every state the mailing list must judge.

The issue: Vol. 8, No. 12, cover date 15 June 2027. Issues close 7 days before their cover date,
so its close date is 8 June and it closes at midnight that night (the magazine keeps UTC).

Subscribers (`ledger`), each built through the ledger's own services on a clock that moves day by
day, with the renewal run at noon each day as the scheduler would run it:
- Alice, Digital + Print monthly, renewed on 5 June; moved house on the close date itself;
- Yusuf, Digital + Print yearly since January; moves two days after the close;
- Dana, Digital yearly: no print;
- Carla, print monthly, cancelled on 1 June, paid until 25 June;
- Hank, print monthly, cancelled in May, paid until 10 June (two days after the close);
- Ed, print monthly, cancelled in May; his period ended on 1 June;
- Rhea, print monthly, refunded under the guarantee on 1 June;
- Xena, complimentary print that expired on 31 May;
- Paolo, print monthly, his card declined on 5 June: past due, still retrying at the close;
- Pia, print monthly, her card declined on 25 May: the fourth retry failed on 1 June, so ended;
- Cody, complimentary print until the end of 2027;
- Nina, print yearly, subscribes two days after the close.
Staff personas come from tests/conftest.py (reader Rita, editor Eddie, admin Ada, Cora of circulation).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

import pytest
import time_machine
from django.contrib.auth import get_user_model

from masthead.editions.models import Issue
from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import Plan, Subscription
from masthead.subscriptions.services import (
    AddressInput,
    do_cancel,
    do_change_address,
    do_grant_complimentary,
    do_refund_under_guarantee,
    do_subscribe,
    renew_due_subscriptions,
    store_card,
)
from tests.factories import IssueFactory

UTC = datetime.UTC
COVER_DATE = datetime.date(2027, 6, 15)
CLOSES_AT = datetime.datetime(2027, 6, 9, 0, 0, tzinfo=UTC)  # the end of the close date, 8 June
AFTER_THE_CLOSE = datetime.datetime(2027, 6, 9, 0, 30, tzinfo=UTC)  # before that day's renewal run
NEXT_COVER_DATE = datetime.date(2027, 7, 1)

CARD = CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123")
CARD_THAT_DECLINES = CardInput(number="4000000000000341", exp_month=12, exp_year=2034, cvc="123")

ADDRESSES = {
    "alice": AddressInput(
        name="Alice Archer", line1="10 Downing Street", city="London", postal_code="SW1A 2AA", country="GB"
    ),
    "alice_moved": AddressInput(
        name="Alice Archer", line1="221B Baker Street", city="London", postal_code="NW1 6XE", country="GB"
    ),
    "yusuf": AddressInput(
        name="Yusuf Young",
        line1="12 Court Street",
        line2="Apt 4",
        city="Brooklyn",
        region="NY",
        postal_code="11201",
        country="US",
    ),
    "yusuf_moved": AddressInput(
        name="Yusuf Young", line1="350 Fifth Avenue", city="New York", region="NY", postal_code="10118", country="US"
    ),
    "carla": AddressInput(
        name="Carla Klein", line1="Unter den Linden 5", city="Berlin", postal_code="10117", country="DE"
    ),
    "hank": AddressInput(
        name="Hank Hill", line1="500 Main Street", city="Springfield", region="IL", postal_code="62701", country="US"
    ),
    "ed": AddressInput(name="Ed Ended", line1="1 Ended Road", city="Leeds", postal_code="LS1 1AA", country="GB"),
    "rhea": AddressInput(name="Rhea Refund", line1="2 Refund Row", city="Dublin", postal_code="D02 X285", country="IE"),
    "xena": AddressInput(name="Xena Expired", line1="3 Old Lane", city="Paris", postal_code="75001", country="FR"),
    "paolo": AddressInput(
        name="Paolo Rossi", line1="Via del Corso 1", city="Roma", region="RM", postal_code="00186", country="IT"
    ),
    "pia": AddressInput(name="Pia Unpaid", line1="4 Lapsed Street", city="Madrid", postal_code="28001", country="ES"),
    "cody": AddressInput(
        name="Cody Comp", line1="1 Infinite Loop", city="Cupertino", region="CA", postal_code="95014", country="US"
    ),
    "nina": AddressInput(
        name="Nina New", line1="5 Late Street", city="Toronto", region="ON", postal_code="M5V 2T6", country="CA"
    ),
}


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2027, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def close_days(settings):
    settings.ISSUE_CLOSE_DAYS = 7
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def clock():
    with time_machine.travel(at(1, 1), tick=False) as traveller:
        yield traveller


@dataclass
class Ledger:
    """The subscribers by persona name, and the clock that moves them through time."""

    clock: time_machine.Coordinates
    readers: dict
    staff: object

    def subscription(self, name: str) -> Subscription:
        return Subscription.objects.filter(reader=self.readers[name]).order_by("-started_at").first()

    def advance_to(self, moment: datetime.datetime) -> None:
        """Move the clock to `moment`, running the renewal run at noon on each day passed, as the scheduler does."""
        now = datetime.datetime.now(UTC)
        noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
        if noon <= now:
            noon += datetime.timedelta(days=1)
        while noon <= moment:
            self.clock.move_to(noon)
            renew_due_subscriptions()
            noon += datetime.timedelta(days=1)
        self.clock.move_to(moment)

    def subscribe(self, name: str, plan_slug: str, *, address: str | None = None, card: CardInput = CARD):
        return do_subscribe(
            reader=self.readers[name],
            plan=Plan.objects.get(slug=plan_slug),
            card=card,
            checkout_token=secrets.token_urlsafe(8),
            address=ADDRESSES[address or name] if Plan.objects.get(slug=plan_slug).includes_print else None,
            gateway=SandboxGateway(),
        )

    def card_starts_declining(self, name: str) -> None:
        store_card(self.readers[name], CARD_THAT_DECLINES, SandboxGateway())

    def cancel(self, name: str) -> None:
        do_cancel(self.subscription(name), actor="reader", reason="too_expensive")

    def move(self, name: str, address: str) -> None:
        do_change_address(self.readers[name], ADDRESSES[address], actor="reader")

    def grant_complimentary(self, name: str, until: datetime.datetime) -> None:
        plan = Plan.objects.get(slug="digital-print-yearly")
        do_grant_complimentary(self.readers[name], plan, until=until, staff=self.staff, address=ADDRESSES[name])


@pytest.fixture
def ledger(db, clock, make_user) -> Ledger:
    """Everyone in the module docstring, the clock left just after the issue's close, before the renewal run."""
    names = ["alice", "yusuf", "dana", "carla", "hank", "ed", "rhea", "xena", "paolo", "pia", "cody", "nina"]
    readers = {name: make_user(name, first_name=name.title(), last_name="Reader") for name in names}
    staff = get_user_model().objects.create_user("circulation-desk", email="desk@example.com", is_staff=True)
    book = Ledger(clock=clock, readers=readers, staff=staff)

    book.advance_to(at(1, 10))
    book.subscribe("yusuf", "digital-print-yearly")
    book.advance_to(at(3, 1))
    book.grant_complimentary("cody", until=at(12, 31, 23, 59))
    book.grant_complimentary("xena", until=at(5, 31))
    book.advance_to(at(4, 25))
    book.subscribe("pia", "digital-print-monthly")
    book.card_starts_declining("pia")
    book.advance_to(at(5, 1))
    book.subscribe("ed", "digital-print-monthly")
    book.advance_to(at(5, 5))
    book.subscribe("alice", "digital-print-monthly")
    book.subscribe("paolo", "digital-print-monthly")
    book.card_starts_declining("paolo")
    book.advance_to(at(5, 10))
    book.cancel("ed")
    book.subscribe("hank", "digital-print-monthly")
    book.advance_to(at(5, 20))
    book.subscribe("dana", "digital-yearly")
    book.subscribe("rhea", "digital-print-monthly")
    book.cancel("hank")
    book.advance_to(at(5, 25))
    book.subscribe("carla", "digital-print-monthly")
    book.advance_to(at(6, 1, 15))
    book.cancel("carla")
    do_refund_under_guarantee(book.subscription("rhea"), actor="reader", gateway=SandboxGateway())
    book.advance_to(at(6, 8, 15))
    book.move("alice", "alice_moved")
    book.advance_to(AFTER_THE_CLOSE)
    return book


def after_the_close(ledger: Ledger, moment: datetime.datetime) -> None:
    """Life goes on after the close: Yusuf moves, Nina subscribes, and the clock reaches `moment`."""
    ledger.advance_to(at(6, 10, 15))
    ledger.move("yusuf", "yusuf_moved")
    ledger.subscribe("nina", "digital-print-yearly")
    ledger.advance_to(moment)


@pytest.fixture
def issue(db) -> Issue:
    """Vol. 8, No. 12, cover date 15 June 2027: closes at the end of 8 June."""
    return IssueFactory(cover_date=COVER_DATE, cover_image=None)


@pytest.fixture
def next_issue(db) -> Issue:
    """Vol. 8, No. 13, cover date 1 July 2027: closes at the end of 24 June."""
    return IssueFactory(cover_date=NEXT_COVER_DATE, cover_image=None)
