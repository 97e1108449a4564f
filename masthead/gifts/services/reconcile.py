"""Reconciling gift charges: a gift's money is on its own row, never a ledger Payment.

Registered with `subscriptions.reconcile` (GiftsConfig.ready) for the "gift:" key prefix, so
`reconcile_payments` compares each gift charge with its Gift (amount, currency, paid, refunded)
instead of reporting it as a charge without a payment.
"""

from __future__ import annotations

from masthead.gifts.models import Gift
from masthead.gifts.services.purchase import gift_key
from masthead.subscriptions.models import format_money
from masthead.subscriptions.reconcile import Difference, GatewayCharge

KEY_PREFIX = gift_key("")


def gift_customers(gateway_name: str) -> list[str]:
    return list(
        Gift.objects.filter(gateway=gateway_name).exclude(customer_ref="").values_list("customer_ref", flat=True)
    )


def compare_gift_charges(gateway_name: str, charges: list[GatewayCharge]) -> list[Difference]:
    """Every difference between this gateway's gift charges and the gifts."""
    by_key = {charge.idempotency_key: charge for charge in charges}
    gifts = Gift.objects.filter(idempotency_key__in=by_key.keys()).select_related("giver")
    matched = {gift.idempotency_key: gift for gift in gifts}
    found: list[Difference] = []
    for key, charge in by_key.items():
        gift = matched.get(key)
        if gift is None:
            if charge.succeeded and charge.amount_cents - charge.refunded_cents > 0:
                found.append(
                    Difference(
                        "gift_charge_without_gift",
                        f"{gateway_name} charge {charge.ref} of {charge.amount} has no gift.",
                        charge_ref=charge.ref,
                    )
                )
            continue
        found += compare_gift(gift, charge)
    paid_elsewhere = Gift.objects.filter(gateway=gateway_name, payment_status=Gift.PAID).exclude(
        idempotency_key__in=by_key.keys()
    )
    for gift in paid_elsewhere.select_related("giver"):
        found.append(
            Difference(
                "gift_missing_at_gateway",
                f"{describe(gift)}: the gateway has no charge {gift.charge_ref or gift.idempotency_key}.",
                charge_ref=gift.charge_ref,
            )
        )
    return found


def describe(gift: Gift) -> str:
    return f"Gift {gift.number} ({gift.amount}, {gift.get_payment_status_display().lower()}, {gift.giver.email})"


def compare_gift(gift: Gift, charge: GatewayCharge) -> list[Difference]:
    def difference(kind: str, message: str) -> Difference:
        return Difference(kind, f"{describe(gift)}: {message}", charge_ref=charge.ref)

    paid = gift.payment_status == Gift.PAID
    if charge.succeeded and not paid:
        return [difference("gift_unpaid_but_charged", f"the gateway's charge {charge.ref} succeeded.")]
    if paid and not charge.succeeded:
        return [difference("gift_status_mismatch", f"the gateway's charge {charge.ref} is {charge.status}.")]
    if not charge.succeeded:
        return []
    found = []
    if (gift.amount_cents, gift.currency.upper()) != (charge.amount_cents, charge.currency):
        found.append(difference("gift_amount_mismatch", f"the gateway's charge {charge.ref} is {charge.amount}."))
    refunded_here = gift.amount_cents if gift.refunded_at else 0
    if refunded_here != charge.refunded_cents:
        under_way = " (refund under way)" if gift.refund_under_way else ""
        found.append(
            difference(
                "gift_refund_mismatch",
                f"{format_money(refunded_here, gift.currency)} refunded here{under_way}, "
                f"{format_money(charge.refunded_cents, charge.currency)} at the gateway.",
            )
        )
    return found
