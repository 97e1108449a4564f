"""Staff act for a reader through the admin: refund, grant a complimentary subscription, extend, cancel."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions.models import Payment, Plan, Refund, SandboxCharge, Subscription
from tests.staff.conftest import form_fields

pytestmark = pytest.mark.django_db


def refund_form(client, reader, payment):
    """The refund form's fields as the detail page renders them (amount and the one-time token)."""
    action = reverse("subscribers:refund", args=[reader.pk, payment.pk])
    html = client.get(reverse("subscribers:detail", args=[reader.pk])).content.decode()
    return action, form_fields(html, action)


def test_a_refund_form_posted_twice_moves_the_money_once(circulation_client, subscriber):
    payment = Payment.objects.get(subscription__reader=subscriber)
    action, fields = refund_form(circulation_client, subscriber, payment)
    assert fields[f"refund-{payment.pk}-amount"] == "9.00"  # the whole payment by default

    first = circulation_client.post(action, fields, follow=True)
    second = circulation_client.post(action, fields, follow=True)

    charge = SandboxCharge.objects.get()
    assert charge.refunded_cents == 900
    assert Refund.objects.filter(payment=payment).count() == 1
    assert "Refunded $9.00 of the $9.00 payment." in first.content.decode()
    assert second.status_code == 200
    assert "Refunded in full" in second.content.decode()
    events = Subscription.objects.get(reader=subscriber).events.filter(kind="refund_issued")
    assert [event.actor for event in events] == ["staff:cora@example.com"]


def test_a_partial_refund_leaves_the_rest_to_refund(circulation_client, subscriber):
    payment = Payment.objects.get(subscription__reader=subscriber)
    action, fields = refund_form(circulation_client, subscriber, payment)

    circulation_client.post(action, {**fields, f"refund-{payment.pk}-amount": "4.00"})
    _, fields_after = refund_form(circulation_client, subscriber, payment)

    assert SandboxCharge.objects.get().refunded_cents == 400
    assert fields_after[f"refund-{payment.pk}-amount"] == "5.00"
    assert fields_after[f"refund-{payment.pk}-request_token"] != fields[f"refund-{payment.pk}-request_token"]


def test_a_refund_larger_than_the_payment_is_refused(circulation_client, subscriber):
    payment = Payment.objects.get(subscription__reader=subscriber)
    action, fields = refund_form(circulation_client, subscriber, payment)

    page = circulation_client.post(action, {**fields, f"refund-{payment.pk}-amount": "25.00"})

    assert page.status_code == 200
    assert "The payment was $9.00; a refund cannot be more." in page.content.decode()
    assert SandboxCharge.objects.get().refunded_cents == 0
    assert not Refund.objects.exists()


def test_a_second_refund_beyond_what_is_left_is_refused(circulation_client, subscriber):
    payment = Payment.objects.get(subscription__reader=subscriber)
    action, fields = refund_form(circulation_client, subscriber, payment)
    circulation_client.post(action, {**fields, f"refund-{payment.pk}-amount": "6.00"})
    _, fresh = refund_form(circulation_client, subscriber, payment)

    page = circulation_client.post(action, {**fresh, f"refund-{payment.pk}-amount": "6.00"}, follow=True)

    assert "The refund was not issued" in page.content.decode()
    assert SandboxCharge.objects.get().refunded_cents == 600


def test_a_complimentary_subscription_gives_the_reader_access(circulation_client, reader):
    assert not entitlements_for(reader).digital
    until = timezone.localdate() + datetime.timedelta(days=90)

    page = circulation_client.post(
        reverse("subscribers:complimentary", args=[reader.pk]),
        {"plan": Plan.objects.get(slug="digital-yearly").pk, "until": until.isoformat()},
        follow=True,
    )

    assert "has a complimentary Digital, yearly subscription" in page.content.decode()
    assert entitlements_for(reader).digital
    subscription = Subscription.objects.get(reader=reader)
    assert subscription.complimentary
    assert not subscription.payments.exists()
    assert subscription.events.get(kind="complimentary_granted").actor == "staff:cora@example.com"


def test_a_complimentary_subscription_is_refused_while_one_is_live(circulation_client, subscriber):
    page = circulation_client.post(
        reverse("subscribers:complimentary", args=[subscriber.pk]),
        {"plan": subscriber.subscriptions.get().plan_id, "until": "2099-01-01"},
        follow=True,
    )

    assert "You already have a subscription." in page.content.decode()
    assert subscriber.subscriptions.count() == 1


def test_extending_moves_the_period_end(circulation_client, subscriber):
    subscription = subscriber.subscriptions.get()
    period_end = subscription.current_period_end

    page = circulation_client.post(
        reverse("subscribers:extend", args=[subscriber.pk, subscription.pk]), {"days": "10"}, follow=True
    )

    subscription.refresh_from_db()
    assert subscription.current_period_end == period_end + datetime.timedelta(days=10)
    assert "The current period now ends on" in page.content.decode()
    assert subscription.events.get(kind="period_extended").actor == "staff:cora@example.com"


def test_extending_by_no_days_is_refused(circulation_client, subscriber):
    subscription = subscriber.subscriptions.get()
    period_end = subscription.current_period_end

    page = circulation_client.post(reverse("subscribers:extend", args=[subscriber.pk, subscription.pk]), {"days": "0"})

    assert page.status_code == 200
    assert "The period was not extended" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.current_period_end == period_end


def test_cancelling_on_the_readers_behalf_records_the_staff_member(circulation_client, subscriber):
    subscription = subscriber.subscriptions.get()
    url = reverse("subscribers:cancel", args=[subscriber.pk, subscription.pk])

    confirm = circulation_client.get(url)
    page = circulation_client.post(url, {"reason": "too_expensive", "reason_text": "Told us by phone."}, follow=True)

    assert "Yes, cancel" in confirm.content.decode()
    assert "No further charges" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end
    assert subscription.status == Subscription.ACTIVE  # access lasts to the end of the paid period
    event = subscription.events.get(kind="canceled")
    assert event.actor == "staff:cora@example.com"
    assert event.detail["reason"] == "too_expensive"


def test_cancelling_twice_says_there_is_nothing_to_cancel(circulation_client, subscriber):
    subscription = subscriber.subscriptions.get()
    url = reverse("subscribers:cancel", args=[subscriber.pk, subscription.pk])
    circulation_client.post(url, {})

    page = circulation_client.post(url, {}, follow=True)

    assert "nothing to cancel" in page.content.decode()
    assert subscription.events.filter(kind="canceled").count() == 1


def test_a_print_plan_needs_an_address_on_file(circulation_client, reader):
    page = circulation_client.post(
        reverse("subscribers:complimentary", args=[reader.pk]),
        {"plan": Plan.objects.get(slug="digital-print-yearly").pk, "until": "2099-01-01"},
        follow=True,
    )

    assert "The print edition needs a postal address." in page.content.decode()
    assert not Subscription.objects.filter(reader=reader).exists()


def test_a_complimentary_subscription_cannot_end_in_the_past(circulation_client, reader):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    page = circulation_client.post(
        reverse("subscribers:complimentary", args=[reader.pk]),
        {"plan": Plan.objects.get(slug="digital-monthly").pk, "until": yesterday.isoformat()},
    )

    assert "Choose today or a later day." in page.content.decode()
    assert not entitlements_for(reader).digital
