"""Reconciliation knows gift charges: each is compared with its gift, never reported as a charge without payment."""

from __future__ import annotations

import pytest

from masthead.gifts.models import Gift
from masthead.subscriptions.reconcile import reconcile
from tests.gifts.conftest import give

pytestmark = pytest.mark.django_db


def kinds(differences) -> list[str]:
    return [difference.kind for difference in differences]


def test_a_paid_gift_and_a_refunded_one_agree_with_the_gateway(reader_client):
    give(reader_client, email="gwen@example.com")
    give(reader_client, email="gus@example.com")
    refunded = Gift.objects.get(recipient_email="gus@example.com")
    reader_client.post(f"/gifts/{refunded.pk}/refund/")

    assert Gift.objects.get(pk=refunded.pk).state == "refunded"
    assert reconcile("sandbox") == []


def test_a_gift_charged_at_the_gateway_but_recorded_unpaid_is_reported(reader_client):
    give(reader_client)
    gift = Gift.objects.get()
    Gift.objects.filter(pk=gift.pk).update(payment_status=Gift.OPEN, paid_at=None)  # the answer was never recorded

    [difference] = reconcile("sandbox")

    assert difference.kind == "gift_unpaid_but_charged"
    assert difference.charge_ref == gift.charge_ref
    assert f"Gift {gift.number} ($54.00, not paid yet" in str(difference)


def test_a_gift_refunded_at_the_gateway_but_not_here_is_reported(reader_client):
    from masthead.subscriptions.gateways.sandbox import SandboxGateway

    give(reader_client)
    gift = Gift.objects.get()
    SandboxGateway().refund(charge_ref=gift.charge_ref, amount_cents=5400, idempotency_key="by-hand:1")

    assert kinds(reconcile("sandbox")) == ["gift_refund_mismatch"]
