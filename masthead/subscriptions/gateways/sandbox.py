"""The embedded default gateway: local records, Stripe's test-card behaviour, no network."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from masthead.subscriptions.gateways import (
    CardDeclined,
    CardInput,
    ChargeResult,
    IdempotencyKeyReused,
    RefundRefused,
    StoredCard,
    card_digits,
    new_customer_ref,
)
from masthead.subscriptions.models import SandboxCharge, SandboxPaymentMethod

# Stripe's documented test numbers and what each does.
DECLINED_ON_STORE = {"4000000000000002": ("card_declined", "Your card was declined.")}
CHARGE_OUTCOMES = {
    "4000000000000341": "card_declined",
    "4000000000009995": "insufficient_funds",
}
DECLINE_MESSAGES = {
    "card_declined": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
}


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in number]
    checksum = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
    return checksum % 10 == 0


def card_brand(number: str) -> str:
    if number.startswith("4"):
        return "Visa"
    if number[:2] in {"51", "52", "53", "54", "55"}:
        return "Mastercard"
    if number[:2] in {"34", "37"}:
        return "American Express"
    return "Card"


class SandboxGateway:
    name = "sandbox"

    def store_card(self, *, customer_ref: str | None, email: str, card: CardInput) -> StoredCard:
        number = card_digits(card.number)
        if not 12 <= len(number) <= 19 or not luhn_valid(number):
            raise CardDeclined("That card number is not valid.", "incorrect_number")
        today = datetime.date.today()
        if (card.exp_year, card.exp_month) < (today.year, today.month):
            raise CardDeclined("Your card has expired.", "expired_card")
        if number in DECLINED_ON_STORE:
            code, message = DECLINED_ON_STORE[number]
            raise CardDeclined(message, code)
        customer_ref = customer_ref or new_customer_ref("sandbox_cus")
        method = SandboxPaymentMethod.objects.create(
            customer_ref=customer_ref,
            brand=card_brand(number),
            last4=number[-4:],
            charge_outcome=CHARGE_OUTCOMES.get(number, "succeeded"),
        )
        return StoredCard(customer_ref, method.ref, method.brand, method.last4)

    def charge(self, *, customer_ref, payment_method_ref, amount_cents, currency, idempotency_key, description):
        existing = SandboxCharge.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            method = SandboxPaymentMethod.objects.filter(ref=payment_method_ref, customer_ref=customer_ref).first()
            outcome = method.charge_outcome if method else "card_declined"
            try:
                with transaction.atomic():
                    existing = SandboxCharge.objects.create(
                        customer_ref=customer_ref,
                        payment_method_ref=payment_method_ref,
                        amount_cents=amount_cents,
                        currency=currency,
                        idempotency_key=idempotency_key,
                        succeeded=outcome == "succeeded",
                        decline_code="" if outcome == "succeeded" else outcome,
                    )
            except IntegrityError:
                # Another worker charged with this key a moment ago: its result is ours.
                existing = SandboxCharge.objects.get(idempotency_key=idempotency_key)
        asked = (customer_ref, payment_method_ref, amount_cents, currency.upper())
        first = (existing.customer_ref, existing.payment_method_ref, existing.amount_cents, existing.currency.upper())
        if asked != first:
            # As Stripe does: a key names one request, so the first charge is not an answer to another.
            raise IdempotencyKeyReused(
                f"The key {idempotency_key!r} was used for {first}, not {asked}; nothing was charged."
            )
        return ChargeResult(
            succeeded=existing.succeeded,
            charge_ref=f"sandbox_ch_{existing.pk}",
            decline_code=existing.decline_code,
            message=DECLINE_MESSAGES.get(existing.decline_code, ""),
            amount_cents=existing.amount_cents,
            currency=existing.currency.upper(),
            refunded_cents=existing.refunded_cents,
        )

    def refund(self, *, charge_ref, amount_cents, idempotency_key):
        charge_id = int(charge_ref.removeprefix("sandbox_ch_"))
        refund_ref = f"sandbox_re_{idempotency_key}"
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().get(pk=charge_id)
            if refund_ref in charge.refund_refs:
                return refund_ref
            if charge.refunded_cents + amount_cents > charge.amount_cents:
                raise RefundRefused("The refund is larger than what is left of the charge.", "amount_too_large")
            charge.refunded_cents += amount_cents
            charge.refund_refs = [*charge.refund_refs, refund_ref]
            charge.save(update_fields=["refunded_cents", "refund_refs"])
        return refund_ref
