"""A renewal whose worker died after the gateway took the money, and what the next run does with it.

The state machine finds these sequences at random; here they are spelled out, one per promise.
"""

from __future__ import annotations

import datetime
from unittest import mock

import pytest

from masthead.access.entitlements import entitlements_for
from masthead.subscriptions import services
from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import Payment, Plan, SandboxCharge, SandboxPaymentMethod, Subscription

LAUNCH = datetime.datetime(2027, 3, 10, 9, 0, tzinfo=datetime.UTC)
GOOD_CARD = CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123")


class Crash(Exception):
    pass


@pytest.fixture
def alice(make_user):
    """Alice has read the digital edition, monthly, since launch day."""
    return make_user("alice")


@pytest.fixture
def subscription(alice) -> Subscription:
    return services.do_subscribe(
        reader=alice,
        plan=Plan.objects.get(slug="digital-monthly"),
        card=GOOD_CARD,
        checkout_token="launch",
        now=LAUNCH,
    )


def renewal_dies(subscription: Subscription, now: datetime.datetime, *, before_the_gateway: bool = False) -> None:
    target = (SandboxGateway, "charge") if before_the_gateway else (services.renewals, "record_renewal_result")
    with mock.patch.object(*target, side_effect=Crash), pytest.raises(Crash):
        services.renew_subscription(subscription.pk, now=now)


def money_kept(subscription: Subscription) -> int:
    paid = subscription.payments.filter(status=Payment.SUCCEEDED)
    return sum(p.amount_cents for p in paid) - sum(p.refunded_cents for p in paid)


def test_a_renewal_interrupted_after_the_charge_is_recorded_once_by_the_next_run(subscription):
    due = subscription.current_period_end
    renewal_dies(subscription, due)

    assert services.renew_due_subscriptions(now=due) == {"renewed": 1}

    subscription.refresh_from_db()
    assert subscription.current_period_start == due
    assert SandboxCharge.objects.count() == 2  # the first month and this renewal, nothing more
    assert money_kept(subscription) == 900 * 2


def test_a_charge_that_lands_after_the_guarantee_refund_is_given_back(subscription):
    due = subscription.current_period_end
    renewal_dies(subscription, due)
    services.do_refund_under_guarantee(subscription, actor="reader", now=due)

    assert services.renew_due_subscriptions(now=due + datetime.timedelta(hours=1)) == {"voided": 1}

    subscription.refresh_from_db()
    assert subscription.status == Subscription.REFUNDED
    assert money_kept(subscription) == 0
    assert not Payment.objects.filter(status=Payment.PENDING).exists()
    assert [(c.amount_cents, c.refunded_cents) for c in SandboxCharge.objects.order_by("pk")] == [(900, 900)] * 2


def test_a_charge_that_lands_after_a_past_due_reader_cancelled_is_given_back(subscription, alice):
    due = subscription.current_period_end
    SandboxPaymentMethod.objects.update(charge_outcome="card_declined")
    assert services.renew_due_subscriptions(now=due) == {"failed": 1}
    SandboxPaymentMethod.objects.update(charge_outcome="succeeded")
    retry = due + datetime.timedelta(days=1)
    renewal_dies(subscription, retry)
    services.do_cancel(subscription, actor="reader", now=retry)

    assert services.renew_due_subscriptions(now=retry) == {"voided": 1}

    subscription.refresh_from_db()
    assert subscription.status == Subscription.ENDED
    assert money_kept(subscription) == 900  # the first month only
    assert not entitlements_for(alice, now=retry).digital


def test_a_renewal_that_died_before_the_gateway_then_was_cancelled_costs_the_reader_nothing(subscription):
    """The next run cannot ask the gateway "did you charge?" without charging: it charges and gives it back."""
    due = subscription.current_period_end
    renewal_dies(subscription, due, before_the_gateway=True)
    services.do_cancel(subscription, actor="reader", now=due)

    outcomes = services.renew_due_subscriptions(now=due)

    assert outcomes == {"ended": 1, "voided": 1}
    assert money_kept(subscription) == 900
    assert not Payment.objects.filter(status=Payment.PENDING).exists()
