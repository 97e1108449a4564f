"""Paying for a gift: one gift per form token, one card, one charge checked before it is recorded.

The charge is the one path a subscription's checkout takes too
(subscriptions.services.payment_attempts, `GiftPayment` here): the row is written before the
gateway is called, so the token is bound to one giver, one gift and one price; only the request
holding the row's claim (`paying_until`) talks to the gateway; the charge carries the row's
idempotency key, so a retry never charges twice. With Stripe.js the card is set up in the giver's
browser first (`begin_gift_card_setup`); a bank that wants the giver to confirm leaves the gift
AUTHENTICATING until `settle_gift_payment` hears, or until `give_up_gift_payment` withdraws it a
day later (ABANDONED, `payment_attempts.GIVE_UP_AFTER`), as a checkout's is.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from masthead.gifts.models import Gift
from masthead.gifts.pricing import GiftOption
from masthead.gifts.services.errors import GiftPaymentInProgress, GiftTokenUsed
from masthead.gifts.services.log import record_gift_event
from masthead.subscriptions.gateways import CardDeclined, CardInput, CardSetup, ChargeResult, Gateway, get_gateway
from masthead.subscriptions.services import AddressInput
from masthead.subscriptions.services.payment_attempts import PaymentAttempt

NOT_CONFIRMED_MESSAGE = "Your bank did not confirm the payment, so the gift has not been bought."
ABANDONED_MESSAGE = "Your bank's confirmation was not finished within a day, so the gift has not been bought."


@dataclasses.dataclass(frozen=True)
class GiftOrder:
    """What the giver asked for on the form."""

    option: GiftOption
    recipient_name: str
    recipient_email: str
    deliver_on: datetime.date
    message: str = ""
    address: AddressInput | None = None


class GiftPayment(PaymentAttempt):
    """A gift's charge, made once (payment_attempts); paid, the gift is scheduled and the giver gets a receipt."""

    status_field = "payment_status"
    claim_field = "paying_until"
    message_field = "failure_message"
    payer_field = "giver"  # the card is theirs for this gift only: it never becomes a renewal card
    description = "Gift subscription {pk}"
    purpose = "gift"
    not_confirmed_message = NOT_CONFIRMED_MESSAGE
    token_used = GiftTokenUsed
    in_progress = GiftPaymentInProgress

    def waiting_fields(self, now: datetime.datetime) -> dict:
        return {"authenticating_since": now}

    def record(self, result: ChargeResult, now: datetime.datetime, gateway: Gateway) -> Gift:
        return record_payment(self.row, result.charge_ref, now)

    def finished(self) -> Gift:
        return finished_gift(self.row)

    def abandon(self, now: datetime.datetime) -> Gift:
        return abandon_payment(self.row, now)


def gift_key(token: str) -> str:
    return f"gift:{token}"


def giver_for(email: str):
    """The account whose own or verified email this is, or a new one (no password yet: 'forgot password' sets one).

    A giver who is not signed in is known by the email the receipt goes to, as an imported reader is.
    """
    from allauth.account.models import EmailAddress

    User = get_user_model()
    # Only an address someone proved is theirs, or an account's own: anyone can add an unverified one.
    known = EmailAddress.objects.filter(email__iexact=email, verified=True).select_related("user").first()
    if known:
        return known.user
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user
    username, number = email[:150], 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{email[:140]}-{number}"
    user = User(username=username, email=email)
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    return user


def open_gift(giver, order: GiftOrder, token: str, gateway_name: str) -> Gift:
    """The token's gift, written on first use; the token cannot pay for another gift, giver or price after."""
    option = order.option
    recipient = {
        "recipient_name": order.recipient_name,
        "recipient_email": order.recipient_email,
        "message": order.message,
        "deliver_on": order.deliver_on,
        "address": dataclasses.asdict(order.address) if order.address and option.plan.includes_print else {},
    }
    gift, created = Gift.objects.select_related("plan", "giver").get_or_create(
        idempotency_key=gift_key(token),
        defaults={
            "giver": giver,
            "plan": option.plan,
            "months": option.months,
            "amount_cents": option.amount_cents,
            "currency": option.currency,
            "gateway": gateway_name,
            **recipient,
        },
    )
    if created:
        return gift
    terms = (gift.giver_id, gift.plan_id, gift.months, gift.amount_cents, gift.currency, gift.gateway)
    if terms != (giver.pk, option.plan.pk, option.months, option.amount_cents, option.currency, gateway_name):
        raise GiftTokenUsed()
    if gift.payment_status == Gift.OPEN:
        # No money has moved: the giver may still correct who the gift is for.
        Gift.objects.filter(pk=gift.pk, payment_status=Gift.OPEN).update(**recipient)
        gift.refresh_from_db()
    return gift


def buy_gift(
    *,
    giver,
    order: GiftOrder,
    card: CardInput,
    token: str,
    gateway: Gateway | None = None,
    now: datetime.datetime | None = None,
) -> Gift:
    """Charge the gift once and schedule its email; the same token again answers as the first time did.

    Raises CardDeclined, AuthenticationRequired (the giver's bank wants them to confirm: see
    `settle_gift_payment`), GiftTokenUsed, GiftPaymentInProgress, ChargeNotConfirmed.
    """
    gateway = gateway or get_gateway()
    now = now or timezone.now()
    gift = open_gift(giver, order, token, gateway.name)
    if gift.payment_status != Gift.OPEN:
        return finished_gift(gift, gateway=gateway, now=now)
    payment = GiftPayment(gift)
    if not payment.claim():
        raise GiftPaymentInProgress()
    try:
        return payment.charge(card, now, gateway)
    finally:
        payment.release()


def begin_gift_card_setup(*, giver, order: GiftOrder, token: str, gateway: Gateway | None = None) -> CardSetup | None:
    """Open the token's gift and a card setup for Stripe.js to confirm; None when there is nothing to set up."""
    gateway = gateway or get_gateway()
    gift = open_gift(giver, order, token, gateway.name)
    if gift.payment_status != Gift.OPEN or gift.payment_method_ref:
        return None
    payment = GiftPayment(gift)
    if not payment.claim():
        raise GiftPaymentInProgress()
    try:
        return payment.start_card_setup(gateway)
    finally:
        payment.release()


def finished_gift(gift: Gift, *, gateway: Gateway | None = None, now: datetime.datetime | None = None) -> Gift:
    """Answer a token whose payment has ended as it ended."""
    if gift.payment_status == Gift.AUTHENTICATING:
        return settle_gift_payment(gift, gateway=gateway, now=now)
    if gift.payment_status == Gift.PAID:
        return gift
    if gift.payment_status == Gift.DECLINED:
        raise CardDeclined(gift.failure_message or "Your card was declined.", gift.decline_code or "card_declined")
    if gift.payment_status == Gift.ABANDONED:
        raise CardDeclined(ABANDONED_MESSAGE, "abandoned")
    raise GiftTokenUsed()


def record_payment(gift: Gift, charge_ref: str, now: datetime.datetime) -> Gift:
    """Mark the gift paid (once, whoever records it), send the receipt and, if its day has come, the gift."""
    from masthead.gifts import emails, tasks

    with transaction.atomic():
        paid = Gift.objects.filter(pk=gift.pk, payment_status__in=(Gift.OPEN, Gift.AUTHENTICATING)).update(
            payment_status=Gift.PAID, paying_until=None, charge_ref=charge_ref, paid_at=now
        )
        gift.refresh_from_db()
        if paid:
            record_gift_event(
                gift, "paid", f"gateway:{gift.gateway}", amount=gift.amount, charge=charge_ref, plan=gift.plan.slug
            )
            gift_id = gift.pk
            transaction.on_commit(lambda: emails.send_gift_receipt.enqueue(gift_id))
            transaction.on_commit(lambda: tasks.deliver_gift_when_due.enqueue(gift_id))
    return gift


def settle_gift_payment(gift: Gift, *, gateway: Gateway | None = None, now: datetime.datetime | None = None) -> Gift:
    """Finish a gift whose charge waited for the giver's bank, as the gateway has the charge now.

    The giver's page calls it once Stripe.js (or the sandbox's bank page) is done, and the delivery
    run calls it for any gift left waiting (a giver who closed the tab after confirming). A charge
    the bank did not confirm is withdrawn at the gateway, so it can never take money.
    """
    gateway = gateway or get_gateway(gift.gateway)
    now = now or timezone.now()
    return GiftPayment(gift).settle(gateway, now)


def give_up_gift_payment(gift: Gift, *, gateway: Gateway | None = None, now: datetime.datetime | None = None) -> Gift:
    """A day after the giver's bank began waiting (PaymentAttempt.give_up): paid if the charge went through,
    else withdrawn and ABANDONED, so an abandoned gift can never have taken money."""
    gateway = gateway or get_gateway(gift.gateway)
    return GiftPayment(gift).give_up(gateway, now or timezone.now())


def abandon_payment(gift: Gift, now: datetime.datetime) -> Gift:
    """Mark a gift whose charge was withdrawn unconfirmed as abandoned, once, with its event."""
    with transaction.atomic():
        abandoned = Gift.objects.filter(pk=gift.pk, payment_status=Gift.AUTHENTICATING).update(
            payment_status=Gift.ABANDONED, decline_code="abandoned", failure_message=ABANDONED_MESSAGE
        )
        gift.refresh_from_db()
        if abandoned:
            since = gift.authenticating_since.isoformat() if gift.authenticating_since else ""
            record_gift_event(
                gift, "payment_abandoned", "system:deliver_due_gifts", charge=gift.charge_ref, since=since
            )
    return gift
