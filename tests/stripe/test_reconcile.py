"""reconcile_payments: every difference between the ledger and the gateway, and silence when they agree."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import GatewayCustomer, Payment, SandboxCharge
from masthead.subscriptions.reconcile import reconcile
from masthead.subscriptions.services import (
    do_refund_under_guarantee,
    do_subscribe,
    refund_payment,
    renew_subscription,
    store_card,
)
from masthead.subscriptions.webhooks import sync_payment_intent
from tests.stripe.conftest import DECLINES_WHEN_CHARGED, card

pytestmark = pytest.mark.django_db


def reconcile_payments(*gateways: str) -> tuple[str, int]:
    """Run the command as cron would: its output and its exit code."""
    out = io.StringIO()
    args = [arg for name in gateways for arg in ("--gateway", name)]
    try:
        call_command("reconcile_payments", *args, stdout=out)
    except CommandError as error:
        return out.getvalue() + str(error), error.returncode
    return out.getvalue(), 0


@pytest.fixture
def busy_ledger(subscribe, reader, make_user, gateway):
    """Rita renewed and then took the guarantee; Sam renewed, got a staff refund, then his new card failed."""
    long_ago = timezone.now() - datetime.timedelta(days=40)
    rita = subscribe(reader, now=long_ago)
    renew_subscription(rita.pk, now=rita.current_period_end)
    do_refund_under_guarantee(rita, actor="reader")

    sam = make_user("sam")
    sams = subscribe(sam, now=long_ago)
    renew_subscription(sams.pk, now=sams.current_period_end)
    refund_payment(sams.payments.order_by("pk").first(), 250, reason="staff", key="staff-refund:1")
    store_card(sam, card(DECLINES_WHEN_CHARGED), gateway)
    sams.refresh_from_db()
    renew_subscription(sams.pk, now=sams.current_period_end)
    return {"rita": rita, "sam": sams}


def test_nothing_is_reported_when_the_ledger_and_stripe_agree(busy_ledger):
    output, exit_code = reconcile_payments("stripe")

    assert exit_code == 0
    assert "stripe: 5 charges at the gateway, 5 payments in the ledger." in output
    assert "The ledger and the gateway agree." in output


def test_a_charge_made_directly_at_stripe_is_reported(busy_ledger, reader, stripe_account):
    customer = GatewayCustomer.objects.get(reader=reader, gateway="stripe")
    intent = stripe_account.api.payment_intents.create(
        params={
            "amount": 1234,
            "currency": "usd",
            "customer": customer.customer_ref,
            "payment_method": customer.payment_method_ref,
            "confirm": True,
            "off_session": True,
        }
    )

    output, exit_code = reconcile_payments("stripe")

    assert exit_code == 1
    assert f"[charge_without_payment] stripe charge {intent.id} of $12.34" in output
    assert "1 difference between the ledger and the gateway." in output


def test_a_refund_made_at_stripe_is_reported_until_the_ledger_has_it(busy_ledger, stripe_account, gateway):
    payment = busy_ledger["sam"].payments.filter(status=Payment.SUCCEEDED).order_by("pk").last()
    refund = stripe_account.api.refunds.create(params={"payment_intent": payment.gateway_charge_ref, "amount": 100})

    [difference] = reconcile("stripe")
    assert difference.kind == "refund_missing_in_ledger"
    assert refund.id in difference.message

    sync_payment_intent(payment.gateway_charge_ref, gateway)  # what its webhook does
    assert reconcile("stripe") == []


def test_ledger_payments_stripe_disagrees_with_are_reported(busy_ledger):
    rita_first, rita_second = busy_ledger["rita"].payments.order_by("pk")
    Payment.objects.filter(pk=rita_first.pk).update(amount_cents=1900)
    Payment.objects.filter(pk=rita_second.pk).update(gateway_charge_ref="pi_unknown", idempotency_key="lost")
    sams_failed = busy_ledger["sam"].payments.get(status=Payment.FAILED)
    Payment.objects.filter(pk=sams_failed.pk).update(status=Payment.SUCCEEDED)
    rita_first.refunds.update(amount_cents=800)

    kinds = sorted(difference.kind for difference in reconcile("stripe"))

    # Rita's second charge has no ledger row pointing at it now, but was refunded in full: no money to chase.
    assert kinds == ["amount_mismatch", "payment_missing_at_gateway", "refund_amount_mismatch", "status_mismatch"]


def test_the_sandbox_is_reconciled_from_its_own_records(reader, monthly):
    sandbox = SandboxGateway()
    subscription = do_subscribe(reader=reader, plan=monthly, card=card(), checkout_token="t", gateway=sandbox)
    refund_payment(subscription.payments.get(), 300, reason="staff", key="staff-refund:9", gateway=sandbox)

    output, exit_code = reconcile_payments("sandbox")
    assert exit_code == 0
    assert "sandbox: 1 charges at the gateway, 1 payments in the ledger." in output

    customer = GatewayCustomer.objects.get(reader=reader, gateway="sandbox")
    stray = sandbox.charge(
        customer_ref=customer.customer_ref,
        payment_method_ref=customer.payment_method_ref,
        amount_cents=500,
        currency="USD",
        idempotency_key="made-outside-the-ledger",
        description="",
    )
    SandboxCharge.objects.filter(idempotency_key=subscription.payments.get().idempotency_key).update(refunded_cents=0)

    output, exit_code = reconcile_payments("sandbox")
    assert exit_code == 1
    assert f"[charge_without_payment] sandbox charge {stray.charge_ref} of $5.00" in output
    assert "[refunded_total_mismatch]" in output
    assert "2 differences between the ledger and the gateway." in output
