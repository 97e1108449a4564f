"""Dunning at a glance for circulation staff: who is past due, the next retry, who must authenticate; retry one now."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import AUTHENTICATION_REQUIRED, Payment, SandboxCharge, Subscription
from masthead.subscriptions.services import renew_due_subscriptions, store_card
from tests.billing.pages import visible_text
from tests.staff.conftest import form_fields

pytestmark = pytest.mark.django_db

CARD_THAT_DECLINES = CardInput(number="4000000000000341", exp_month=12, exp_year=2030, cvc="123")
WORKING_CARD = CardInput(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")


def fall_behind(*readers) -> datetime.datetime:
    """Each reader's card starts declining and their renewal fails: past due. Returns the renewal run's time."""
    for reader in readers:
        store_card(reader, CARD_THAT_DECLINES, SandboxGateway())
    due = max(Subscription.objects.filter(reader__in=readers).values_list("current_period_end", flat=True))
    moment = due + datetime.timedelta(hours=2)
    renew_due_subscriptions(now=moment)
    return moment


def retry_form(client, subscription: Subscription) -> tuple[str, dict[str, str]]:
    action = reverse("subscribers:retry_now", args=[subscription.pk])
    return action, form_fields(client.get(reverse("subscribers:dunning")).content.decode(), action)


def test_staff_see_each_past_due_subscription_with_its_next_retry(circulation_client, subscriber):
    failed_at = fall_behind(subscriber)
    subscription = Subscription.objects.get(reader=subscriber)

    text = visible_text(circulation_client.get(reverse("subscribers:dunning")))

    assert "Reader Plan Amount Failed since Attempts Next Needs authentication" in text
    assert (
        f"Sam Subscriber sam@example.com Digital, monthly $9.00 {failed_at:%-d %b %Y, %H:%M} 1 "
        f"{subscription.next_retry_at:%-d %b %Y}: retry 1 of 4 No Retry now"
    ) in text


def test_a_renewal_waiting_for_the_readers_bank_is_shown_as_needing_authentication(circulation_client, subscriber):
    fall_behind(subscriber)
    # What a gateway answers when the bank wants the reader (Stripe: requires_action off-session).
    Payment.objects.filter(status=Payment.FAILED).update(decline_code=AUTHENTICATION_REQUIRED)

    text = visible_text(circulation_client.get(reverse("subscribers:dunning")))

    assert "ends unless the reader confirms Yes" in text


def test_retry_now_charges_the_fixed_card_once_however_often_it_is_pressed(circulation_client, subscriber):
    fall_behind(subscriber)
    store_card(subscriber, WORKING_CARD, SandboxGateway())
    subscription = Subscription.objects.get(reader=subscriber)
    action, fields = retry_form(circulation_client, subscription)

    first = circulation_client.post(action, fields, follow=True)
    second = circulation_client.post(action, fields, follow=True)

    assert "Sam Subscriber paid $9.00: the subscription is active until" in visible_text(first)
    assert "retry was already made; nothing more was charged" in visible_text(second)
    assert list(SandboxCharge.objects.filter(succeeded=True).values_list("amount_cents", flat=True)) == [900, 900]
    subscription.refresh_from_db()
    assert subscription.status == Subscription.ACTIVE
    events = subscription.events.filter(kind="retry_asked_for")
    assert [event.actor for event in events] == ["staff:cora@example.com"]
    assert "No subscription is past due." in visible_text(circulation_client.get(reverse("subscribers:dunning")))


def test_a_retry_that_is_declined_again_says_when_the_next_one_is(circulation_client, subscriber):
    fall_behind(subscriber)
    subscription = Subscription.objects.get(reader=subscriber)
    action, fields = retry_form(circulation_client, subscription)

    page = circulation_client.post(action, fields, follow=True)

    subscription.refresh_from_db()
    assert (
        f"Sam Subscriber's card was declined (Your card was declined). "
        f"Next retry on {subscription.next_retry_at:%-d %b %Y}." in visible_text(page)
    )
    assert subscription.failed_renewal_attempts == 2
    assert SandboxCharge.objects.filter(succeeded=False).count() == 2


def test_an_editor_can_neither_see_dunning_nor_retry(editor_client, subscriber):
    fall_behind(subscriber)
    store_card(subscriber, WORKING_CARD, SandboxGateway())
    subscription = Subscription.objects.get(reader=subscriber)

    listing = editor_client.get(reverse("subscribers:dunning"))
    retry = editor_client.post(reverse("subscribers:retry_now", args=[subscription.pk]), {"attempt": "1"})

    assert (listing.status_code, retry.status_code) == (403, 403)
    assert "are for circulation staff" in retry.content.decode()
    assert SandboxCharge.objects.filter(succeeded=True).count() == 1
    assert Subscription.objects.get(pk=subscription.pk).status == Subscription.PAST_DUE


def test_retry_now_is_refused_without_the_csrf_token(circulation, subscriber):
    from django.test import Client

    fall_behind(subscriber)
    client = Client(enforce_csrf_checks=True)
    client.force_login(circulation)

    response = client.post(reverse("subscribers:retry_now", args=[Subscription.objects.get().pk]), {"attempt": "1"})

    assert response.status_code == 403
    assert SandboxCharge.objects.filter(succeeded=False).count() == 1


def test_retry_now_only_answers_post(circulation_client, subscriber):
    fall_behind(subscriber)

    response = circulation_client.get(reverse("subscribers:retry_now", args=[Subscription.objects.get().pk]))

    assert response.status_code == 405


def test_the_dunning_list_costs_the_same_queries_for_three_or_thirty_readers(circulation_client, make_user, subscribe):
    def queries_for_the_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert circulation_client.get(reverse("subscribers:dunning")).status_code == 200
        return len(queries)

    readers = []
    for number in range(30):
        reader = make_user(f"reader{number}")
        subscribe(reader)
        readers.append(reader)
    fall_behind(*readers[:3])
    three = queries_for_the_list()
    fall_behind(*readers[3:])

    assert queries_for_the_list() == three
    assert three <= 15


def test_circulation_staff_find_dunning_under_subscribers(circulation_client):
    html = circulation_client.get(reverse("wagtailadmin_home")).content.decode()

    assert reverse("subscribers:dunning") in html
    assert reverse("subscribers:index") in html


def test_retry_now_does_not_charge_again_while_the_readers_bank_waits_for_the_reader(circulation_client, subscriber):
    fall_behind(subscriber)
    Payment.objects.filter(status=Payment.FAILED).update(decline_code=AUTHENTICATION_REQUIRED)
    store_card(subscriber, WORKING_CARD, SandboxGateway())
    subscription = Subscription.objects.get(reader=subscriber)
    charges = SandboxCharge.objects.count()
    action, fields = retry_form(circulation_client, subscription)

    page = circulation_client.post(action, fields, follow=True)

    assert "Nothing was charged" in visible_text(page)
    assert SandboxCharge.objects.count() == charges
    subscription.refresh_from_db()
    assert subscription.status == Subscription.PAST_DUE
