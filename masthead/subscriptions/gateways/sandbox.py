"""The embedded default gateway: local records, Stripe's test-card behaviour, no network.

Its cards whose bank asks for 3-D Secure (Stripe's test numbers) make a charge wait for the
cardholder, as Stripe's do: the sandbox's own bank page (/subscribe/authenticate/<ref>/, see
`authentication_url`) stands in for the bank's screen, with a button to confirm and one to fail.
Its cards that process (our own numbers) make a charge answer `processing`, as a Stripe
PaymentIntent does while the money is on its way, and settle once SETTLES_AFTER has passed.
"""

from __future__ import annotations

import datetime
import secrets
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from masthead.subscriptions.gateways import (
    AUTHENTICATION_REQUIRED,
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
    "4000008400001629": "card_declined",  # once its bank has been answered
    "4000009990000021": "insufficient_funds",  # once it has processed (PROCESSES, below)
}
# Stripe's 3-D Secure test numbers: when the bank asks the cardholder to confirm a charge.
ON_SESSION, ALWAYS = "on_session", "always"
ASKS_FOR_AUTHENTICATION = {
    "4000002500003155": ON_SESSION,  # when paying at checkout; renewals of the card it set up go through
    "4000002760003184": ALWAYS,  # every charge: checkout, and each renewal waits for the reader
    "4000008400001629": ALWAYS,  # asks, and once confirmed is declined (card_declined)
}
# Charges that are `processing` before they end, as Stripe's PaymentIntents are while the money is
# on its way. Stripe has no test card for this (it is mostly bank debits: SEPA, ACH), so these
# numbers are ours, Luhn-valid and none of Stripe's: each ends as its CHARGE_OUTCOMES entry, or succeeds.
PROCESSES = {
    "4000009990000013",  # processing, then succeeds
    "4000009990000021",  # processing, then fails for insufficient funds
}
PROCESSING = "processing"  # the decline code Stripe's gateway reports for an intent in `processing`
# A charge that processes settles the first time it is read this long after it was made (with the test clock).
SETTLES_AFTER = datetime.timedelta(hours=2)
DECLINE_MESSAGES = {
    "card_declined": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    AUTHENTICATION_REQUIRED: "Your bank asks you to confirm this payment.",
    "authentication_failed": "Your bank did not confirm the payment.",
    "canceled": "The payment was withdrawn before it was confirmed.",
    PROCESSING: "The payment is on its way.",
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
            authentication=ASKS_FOR_AUTHENTICATION.get(number, ""),
            processes=number in PROCESSES,
        )
        return StoredCard(customer_ref, method.ref, method.brand, method.last4)

    def create_customer(self, *, email: str) -> str:
        return new_customer_ref("sandbox_cus")

    def charge(
        self,
        *,
        customer_ref,
        payment_method_ref,
        amount_cents,
        currency,
        idempotency_key,
        description,
        on_session=False,
    ):
        existing = SandboxCharge.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            method = SandboxPaymentMethod.objects.filter(ref=payment_method_ref, customer_ref=customer_ref).first()
            outcome = method.charge_outcome if method else "card_declined"
            asks = method is not None and (
                method.authentication == ALWAYS or (method.authentication == ON_SESSION and on_session)
            )
            if asks:
                # No money moves until the cardholder confirms on the bank page.
                outcome = AUTHENTICATION_REQUIRED
            elif method is not None and method.processes:
                outcome = PROCESSING  # on its way: `settled` gives its outcome later
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
                        awaiting_authentication=asks,
                        authentication_ref=new_authentication_ref() if asks else "",
                    )
            except IntegrityError:
                # Another worker charged with this key a moment ago: its result is ours.
                existing = SandboxCharge.objects.get(idempotency_key=idempotency_key)
        else:
            existing = settled(existing)  # a key sent again answers with the charge as it stands now
        asked = (customer_ref, payment_method_ref, amount_cents, currency.upper())
        first = (existing.customer_ref, existing.payment_method_ref, existing.amount_cents, existing.currency.upper())
        if asked != first:
            # As Stripe does: a key names one request, so the first charge is not an answer to another.
            raise IdempotencyKeyReused(
                f"The key {idempotency_key!r} was used for {first}, not {asked}; nothing was charged."
            )
        return charge_result(existing)

    def refund(self, *, charge_ref, amount_cents, idempotency_key):
        refund_ref = f"sandbox_re_{idempotency_key}"
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().get(pk=charge_id(charge_ref))
            if refund_ref in charge.refund_refs:
                return refund_ref
            if charge.refunded_cents + amount_cents > charge.amount_cents:
                raise RefundRefused("The refund is larger than what is left of the charge.", "amount_too_large")
            charge.refunded_cents += amount_cents
            charge.refund_refs = [*charge.refund_refs, refund_ref]
            charge.save(update_fields=["refunded_cents", "refund_refs"])
        return refund_ref

    # -- charges the cardholder's bank wants confirmed (3-D Secure) -------------------------------

    def payment_status(self, *, charge_ref: str) -> ChargeResult:
        return charge_result(settled(SandboxCharge.objects.get(pk=charge_id(charge_ref))))

    def cancel_charge(self, *, charge_ref: str) -> ChargeResult:
        """Withdraw a charge nobody confirmed; one processing cannot be withdrawn (nor at Stripe): read as it is."""
        settled(SandboxCharge.objects.get(pk=charge_id(charge_ref)))
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().get(pk=charge_id(charge_ref))
            if charge.awaiting_authentication:
                charge.awaiting_authentication, charge.decline_code = False, "canceled"
                charge.save(update_fields=["awaiting_authentication", "decline_code"])
        return charge_result(charge)

    def prepare_authentication(self, *, charge_ref: str, payment_method_ref: str) -> ChargeResult:
        """As Stripe confirms a PaymentIntent again: a charge whose bank said no (or was not answered) asks again."""
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().get(pk=charge_id(charge_ref))
            asked_before = bool(charge.authentication_ref) and charge.decline_code != "canceled"
            if asked_before and not (charge.succeeded or charge.awaiting_authentication):
                charge.awaiting_authentication, charge.decline_code = True, AUTHENTICATION_REQUIRED
                charge.authentication_ref = new_authentication_ref()
                charge.save(update_fields=["awaiting_authentication", "decline_code", "authentication_ref"])
        return charge_result(charge)

    def authentication_url(self, *, action_secret: str, return_url: str) -> str:
        return reverse("sandbox_bank", args=[action_secret]) + "?" + urlencode({"return": return_url})

    def authentication_request(self, ref: str) -> SandboxCharge | None:
        """The charge the bank page at `ref` is about (None for an unknown ref)."""
        return SandboxCharge.objects.filter(authentication_ref=ref).exclude(authentication_ref="").first()

    def card_of(self, charge: SandboxCharge) -> SandboxPaymentMethod | None:
        return SandboxPaymentMethod.objects.filter(ref=charge.payment_method_ref).first()

    def authenticate(self, ref: str, *, confirmed: bool) -> SandboxCharge:
        """The cardholder's answer on the bank page: once confirmed, the charge goes through as its card does."""
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().get(authentication_ref=ref)
            if not charge.awaiting_authentication:
                return charge  # answered already (a second click, Back and again): the first answer stands
            outcome = "authentication_failed"
            if confirmed:
                method = SandboxPaymentMethod.objects.filter(ref=charge.payment_method_ref).first()
                outcome = method.charge_outcome if method else "card_declined"
            charge.awaiting_authentication = False
            charge.succeeded = outcome == "succeeded"
            charge.decline_code = "" if charge.succeeded else outcome
            charge.save(update_fields=["awaiting_authentication", "succeeded", "decline_code"])
        return charge


def settled(charge: SandboxCharge) -> SandboxCharge:
    """The charge as it stands now: one processing for SETTLES_AFTER ends as its card's outcome."""
    if charge.decline_code != PROCESSING or timezone.now() < charge.created_at + SETTLES_AFTER:
        return charge
    with transaction.atomic():
        charge = SandboxCharge.objects.select_for_update().get(pk=charge.pk)
        if charge.decline_code == PROCESSING:  # another reader of it may have settled it a moment ago
            method = SandboxPaymentMethod.objects.filter(ref=charge.payment_method_ref).first()
            outcome = method.charge_outcome if method else "card_declined"
            charge.succeeded = outcome == "succeeded"
            charge.decline_code = "" if charge.succeeded else outcome
            charge.save(update_fields=["succeeded", "decline_code"])
    return charge


def new_authentication_ref() -> str:
    return secrets.token_urlsafe(24)


def charge_id(charge_ref: str) -> int:
    return int(charge_ref.removeprefix("sandbox_ch_"))


def charge_result(charge: SandboxCharge) -> ChargeResult:
    """A sandbox charge as it stands, as the ledger reads any gateway's answer."""
    return ChargeResult(
        succeeded=charge.succeeded,
        charge_ref=f"sandbox_ch_{charge.pk}",
        decline_code=charge.decline_code,
        message=DECLINE_MESSAGES.get(charge.decline_code, ""),
        amount_cents=charge.amount_cents,
        currency=charge.currency.upper(),
        refunded_cents=charge.refunded_cents,
        requires_action=charge.awaiting_authentication,
        action_secret=charge.authentication_ref if charge.awaiting_authentication else "",
    )
