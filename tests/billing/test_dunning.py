"""Dunning on the days staff set: a retry and an email on each, access meanwhile, and the end after the last.

Sam's card starts declining before his April 10 renewal (`card_declines`). The schedule is staff's
(Settings > Dunning), read once per renewal run.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import DunningSettings, SandboxCharge, Subscription, retry_schedule
from masthead.subscriptions.services import retry_now, store_card
from tests.billing.pages import browser_for, committed, link_in, visible_text
from tests.personas import persona_subscribes

MONTH_END = datetime.datetime(2027, 4, 10, 9, 0, tzinfo=datetime.UTC)
CARD_THAT_DECLINES = CardInput(number="4000000000000341", exp_month=12, exp_year=2034, cvc="123")
WORKING_CARD = CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123")


@pytest.fixture
def card_declines(subscriber):
    store_card(subscriber, CARD_THAT_DECLINES, SandboxGateway())


def settings_page() -> str:
    """The Dunning settings' page in the Wagtail admin (Settings > Dunning)."""
    return reverse("wagtailsettings:edit", args=["subscriptions", "dunningsettings", DunningSettings.load().pk])


def set_retry_days(text: str) -> None:
    settings = DunningSettings.load()
    settings.retry_days = text
    settings.save()


def renewal_days(clock, run_renewals, days: int) -> list[int]:
    """Run renewals each day from the due date for `days` days; the days on which something happened."""
    happened = []
    for day in range(days):
        clock.move_to(MONTH_END + datetime.timedelta(days=day))
        if run_renewals():
            happened.append(day)
    return happened


def test_retries_come_on_the_days_staff_set_each_with_an_email_then_the_subscription_ends(
    subscriber, card_declines, clock, run_renewals
):
    set_retry_days("2, 4")

    assert renewal_days(clock, run_renewals, 8) == [0, 2, 4]

    assert [email.subject for email in mail.outbox] == [
        "The Masthead Review: we could not take your payment",
        "The Masthead Review: we could not take your payment",
        "The Masthead Review: your subscription has ended",
    ]
    assert "You keep your access while we try again on April 12, 2027." in mail.outbox[0].body
    assert "try again on April 14, 2027" in mail.outbox[1].body
    assert SandboxCharge.objects.filter(succeeded=False).count() == 3
    assert Subscription.objects.get(reader=subscriber).status == Subscription.ENDED


def test_each_retry_email_says_how_to_pay_and_the_last_one_how_to_come_back(
    subscriber, card_declines, clock, run_renewals
):
    renewal_days(clock, run_renewals, 8)

    *retries, ended = mail.outbox
    for email in retries:
        assert link_in(email.body, "/account/card/") == "/account/card/"
        assert link_in(email.body, "/subscribe/") == "/subscribe/"
    assert "so it has now ended" in ended.body
    assert link_in(ended.body, "/subscribe/") == "/subscribe/"


def test_the_default_schedule_is_1_3_5_7_days_until_staff_change_it(db):
    assert retry_schedule() == (1, 3, 5, 7)
    set_retry_days("1 2 10")
    assert retry_schedule() == (1, 2, 10)
    assert DunningSettings.load().retry_days == "1, 2, 10"


def test_the_schedule_is_read_once_per_renewal_run(make_user, clock, run_renewals):
    for name in ("ann", "bob", "cat"):
        reader = make_user(name)
        persona_subscribes(reader, "digital-monthly")
        store_card(reader, CARD_THAT_DECLINES, SandboxGateway())
    clock.move_to(MONTH_END)

    with CaptureQueriesContext(connection) as queries:
        assert run_renewals() == {"failed": 3}

    assert sum("subscriptions_dunningsettings" in query["sql"] for query in queries.captured_queries) == 1


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("3, 1", "Each retry comes on a later day than the one before"),
        ("0, 2", "The first retry is at least 1 day after the renewal was due."),
        ("1, 2, 3, 4, 5, 6, 7, 8, 9", "Give between 1 and 8 retries."),
        ("", "This field is required."),
        ("1.5, 3", "Whole days after the due date"),
        ("1, 45", "The last retry is at most 30 days after the due date"),
    ],
)
def test_staff_cannot_save_a_schedule_that_is_not_increasing_whole_days(admin, typed, says):
    client = browser_for(admin)
    url = settings_page()

    page = client.post(url, {"retry_days": typed})

    assert says in visible_text(page)
    assert retry_schedule() == (1, 3, 5, 7)


def test_staff_set_the_schedule_in_the_admin(admin):
    client = browser_for(admin)
    url = settings_page()
    assert "1, 3, 5, 7" in client.get(url).content.decode()

    client.post(url, {"retry_days": "2,4,6"})

    assert retry_schedule() == (2, 4, 6)


def test_retrying_now_twice_at_once_charges_once(subscriber, card_declines, clock, run_renewals, at_once):
    clock.move_to(MONTH_END)
    run_renewals()
    store_card(subscriber, WORKING_CARD, SandboxGateway())
    subscription = Subscription.objects.get(reader=subscriber)

    def click():
        with committed():
            return retry_now(subscription.pk, actor="staff:cora@example.com", attempt=1)

    outcomes = at_once(click, click)

    # Whichever click comes second finds the retry made, or in hand under the same key: nothing more to charge.
    assert sorted(outcomes)[-1] == "renewed"
    assert sorted(outcomes)[0] in {"already_recorded", "already_retried", "not_due", "not_past_due"}
    assert list(SandboxCharge.objects.filter(succeeded=True).values_list("amount_cents", flat=True)) == [900, 900]
    assert Subscription.objects.get(pk=subscription.pk).status == Subscription.ACTIVE


def test_a_retry_asked_for_after_it_was_made_charges_nothing(subscriber, card_declines, clock, run_renewals):
    clock.move_to(MONTH_END)
    run_renewals()
    subscription = Subscription.objects.get(reader=subscriber)

    assert retry_now(subscription.pk, actor="staff:cora@example.com", attempt=1) == "failed"
    assert retry_now(subscription.pk, actor="staff:cora@example.com", attempt=1) == "already_retried"

    assert SandboxCharge.objects.filter(succeeded=False).count() == 2
    subscription.refresh_from_db()
    # The retry made early was the day-1 retry: the next is still on its own day, with access meanwhile.
    assert subscription.next_retry_at == MONTH_END + datetime.timedelta(days=3)
    assert entitlements_for(subscriber).digital
