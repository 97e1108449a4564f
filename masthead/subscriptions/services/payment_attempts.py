"""Paying once for what a form token opened: the one charge path a checkout and a gift share.

The row (a `Checkout`, a `gifts.Gift`) is written before the gateway is called, so the token is
bound to one payer, one thing and one price. Only the request holding the row's claim talks to the
gateway for it; the charge carries the row's idempotency key and is made outside any transaction,
so a double click, a retry or a request that died after the gateway took the money charges once.
What is recorded is exactly the amount and currency asked for. The gateway's answers mean the same
for every kind of row:

- declined: the row ends DECLINED and CardDeclined says why;
- the payer's bank wants them to confirm (3-D Secure): AUTHENTICATING with the charge's id and
  AuthenticationRequired, until `settle` hears; a charge the bank did not confirm is withdrawn at
  the gateway and ends DECLINED;
- confirmed and still processing at the gateway: it stays AUTHENTICATING (it may yet take the
  money) and the kind's in-progress refusal is raised; it is asked again later;
- a reused key, or a charge that is not the payment asked for: REFUSED, nothing recorded;
- the gateway unreachable (GatewayError): raised as it is; the row stays open for a retry, under the same key.
"""

from __future__ import annotations

import datetime
import logging

from django.db.models import Q
from django.utils import timezone

from masthead.subscriptions.gateways import (
    AUTHENTICATION_REQUIRED,
    CardDeclined,
    CardInput,
    CardSetup,
    ChargeResult,
    Gateway,
    IdempotencyKeyReused,
)
from masthead.subscriptions.models import Checkout, GatewayCustomer
from masthead.subscriptions.services.errors import AuthenticationRequired, ChargeNotConfirmed

logger = logging.getLogger(__name__)

# How a payment stands: the same words on every row that pays once (Checkout's and Gift's statuses).
OPEN, AUTHENTICATING, PAID, DECLINED, REFUSED = "open", "authenticating", "paid", "declined", "refused"
# A claim outlasts any run of gateway calls it makes (Stripe: 30 s per call, tried three times); if
# the request holding it dies, a retry of the same token takes over after this.
PAYMENT_CLAIM = datetime.timedelta(minutes=5)
# A bank's 3-D Secure page times out in minutes, but some banks confirm by their app or a call later the
# same day, and a payer may come back to the page still open; after a day the hourly runs stop asking the
# gateway and withdraw the charge (`PaymentAttempt.give_up`), for gifts and checkouts alike.
GIVE_UP_AFTER = datetime.timedelta(hours=24)
# What a charge that waited for the payer's bank ends as when the bank did not confirm it: they
# failed or abandoned 3-D Secure (Stripe's and the sandbox's words), or it was withdrawn.
NOT_CONFIRMED = {AUTHENTICATION_REQUIRED, "payment_intent_authentication_failure", "authentication_failed", "canceled"}


def gateway_customer_ref(payer, gateway_name: str) -> str:
    """The payer's customer at the gateway, if any: the one renewals use, or one an earlier checkout made."""
    customer = GatewayCustomer.objects.filter(reader=payer, gateway=gateway_name).first()
    if customer:
        return customer.customer_ref
    earlier = Checkout.objects.filter(reader=payer, gateway=gateway_name).exclude(customer_ref="").order_by("-pk")
    return earlier.values_list("customer_ref", flat=True).first() or ""


def still_processing(result: ChargeResult) -> bool:
    """The payer confirmed and the charge is on its way (Stripe's `processing`): neither paid nor declined yet."""
    return not result.succeeded and result.decline_code == "processing"


class PaymentAttempt:
    """One row's payment, made once; a kind names its row's fields, its refusals and what it records when paid."""

    # The row's fields.
    status_field = "status"
    claim_field = "claimed_until"
    message_field = "message"
    payer_field = "reader"
    # What the kind says: the charge's description, from the row alone so a retry sends the very same
    # request; the card setup's purpose at the gateway; its refusals.
    description = ""  # formatted with the row's `pk`
    purpose = ""
    not_confirmed_message = ""
    token_used: type[Exception]  # the token's key was used for another payment
    in_progress: type[Exception]  # another request, or the gateway, is still making this payment

    def __init__(self, row):
        self.row = row

    # What each kind does.

    def authentication_required(self, charge_ref: str, action_secret: str) -> AuthenticationRequired:
        return AuthenticationRequired(charge_ref=charge_ref, action_secret=action_secret)

    def waiting_fields(self, now: datetime.datetime) -> dict:
        """What else the row keeps when its charge begins waiting for the payer's bank."""
        return {}

    def record(self, result: ChargeResult, now: datetime.datetime, gateway: Gateway):
        """Record a charge that is exactly the payment asked for (once, whoever records it)."""
        raise NotImplementedError

    def finished(self):
        """Answer a payment that has ended as it ended."""
        raise NotImplementedError

    def abandon(self, now: datetime.datetime):
        """End a payment whose charge was withdrawn unconfirmed (`give_up`), once, as the kind ends such a one."""
        raise NotImplementedError

    # The one path.

    @property
    def status(self) -> str:
        return getattr(self.row, self.status_field)

    @property
    def payer(self):
        return getattr(self.row, self.payer_field)

    def rows(self):
        return type(self.row).objects.filter(pk=self.row.pk)

    def claim(self) -> bool:
        """Take the open payment for this request with one conditional update; False while another request has it."""
        now = timezone.now()
        free = Q(**{f"{self.claim_field}__isnull": True}) | Q(**{f"{self.claim_field}__lte": now})
        taken = self.rows().filter(free, **{self.status_field: OPEN}).update(**{self.claim_field: now + PAYMENT_CLAIM})
        if taken:
            self.row.refresh_from_db()
        return bool(taken)

    def release(self) -> None:
        # However the request ended, a retry of the token may go on; an ended payment answers it at once.
        self.rows().filter(**{self.status_field: OPEN}).update(**{self.claim_field: None})

    def close(self, status: str, *, message: str | None = None, **fields) -> None:
        """End (or park) the payment as `status`, giving up the claim, with the fields given."""
        if message is not None:
            fields[self.message_field] = message
        for name, value in fields.items():
            setattr(self.row, name, value)
        setattr(self.row, self.status_field, status)
        setattr(self.row, self.claim_field, None)
        self.row.save(update_fields=[self.status_field, self.claim_field, *fields])

    def keep_card(self, card: CardInput, gateway: Gateway) -> None:
        """Store the card at the gateway for this payment (raises CardDeclined).

        A card Stripe.js set up in the browser (`card.setup_ref`) is taken only if Stripe says the
        setup succeeded for this payment's customer, the one `start_card_setup` opened it for.
        """
        payer, row = self.payer, self.row
        if not (card.setup_ref or card.token or card.number):
            # Stripe.js never ran (no JavaScript, or the form was sent by hand): there is no card to charge.
            raise CardDeclined("Enter your card details in the card field.", "card_missing")
        customer_ref = row.customer_ref or gateway_customer_ref(payer, gateway.name)
        if card.setup_ref:
            if not customer_ref:
                raise CardDeclined("That card could not be found; please enter it again.", "setup_unknown")
            stored = gateway.finish_card_setup(customer_ref=customer_ref, setup_ref=card.setup_ref)
        else:
            stored = gateway.store_card(customer_ref=customer_ref or None, email=payer.email, card=card)
        row.customer_ref, row.payment_method_ref = stored.customer_ref, stored.payment_method_ref
        row.card_brand, row.card_last4 = stored.brand, stored.last4
        row.save(update_fields=["customer_ref", "payment_method_ref", "card_brand", "card_last4"])

    def start_card_setup(self, gateway: Gateway) -> CardSetup:
        """A card setup for Stripe.js to confirm; the payer's customer at the gateway is made here, once."""
        row, payer = self.row, self.payer
        if not row.customer_ref:
            row.customer_ref = gateway_customer_ref(payer, gateway.name) or gateway.create_customer(email=payer.email)
            row.save(update_fields=["customer_ref"])
        return gateway.start_card_setup(customer_ref=row.customer_ref, reader_ref=str(payer.pk), purpose=self.purpose)

    def charge(self, card: CardInput, now: datetime.datetime, gateway: Gateway):
        """Charge the claimed payment once, on-session, and record it; the charge must be exactly the one asked for.

        The payer is here, so their bank may want them to confirm first: the row then waits
        (AUTHENTICATING, with the charge's id) and AuthenticationRequired carries what their
        browser confirms it with; `settle` takes it from there.
        """
        row = self.row
        if not row.payment_method_ref:
            # A retry after a gateway failure charges the card kept the first time: the same key, the same request.
            self.keep_card(card, gateway)
        try:
            result = gateway.charge(
                customer_ref=row.customer_ref,
                payment_method_ref=row.payment_method_ref,
                amount_cents=row.amount_cents,
                currency=row.currency,
                idempotency_key=row.idempotency_key,
                description=self.description.format(pk=row.pk),
                on_session=True,
            )
        except IdempotencyKeyReused as error:
            self.close(REFUSED, message=str(error)[:300])
            raise self.token_used() from None
        if result.requires_action:
            self.close(AUTHENTICATING, charge_ref=result.charge_ref, **self.waiting_fields(now))
            raise self.authentication_required(result.charge_ref, result.action_secret)
        if still_processing(result):
            # Not declined: it may yet take the money. It waits as a confirmed charge does, for `settle` or the webhook.
            self.close(AUTHENTICATING, charge_ref=result.charge_ref, **self.waiting_fields(now))
            raise self.in_progress()
        return self.conclude(result, now, gateway)

    def give_up(self, gateway: Gateway, now: datetime.datetime):
        """A day after the payer's bank began asking them to confirm: ask the gateway once more, else withdraw
        the charge and `abandon` the payment.

        A charge confirmed meanwhile (its news lost) is recorded, one still processing goes on waiting (it
        cannot be withdrawn: the kind's in-progress refusal), and a withdrawal that finds the charge went
        through after all records it: a payment given up never took money.
        """
        try:
            return self.settle(gateway, now)
        except AuthenticationRequired:
            pass  # still waiting for the payer: withdraw it
        result = gateway.cancel_charge(charge_ref=self.row.charge_ref)
        if result.succeeded:
            return self.conclude(result, now, gateway)
        if still_processing(result) or result.requires_action:
            raise self.in_progress()  # confirmed a moment ago: asked again on the next run
        return self.abandon(now)

    def conclude(self, result: ChargeResult, now: datetime.datetime, gateway: Gateway):
        """Record the charge as the gateway answered it: declined, not the payment asked for, or paid."""
        row = self.row
        if not result.succeeded:
            message = result.message or "Your card was declined."
            self.close(DECLINED, charge_ref=result.charge_ref, decline_code=result.decline_code, message=message)
            raise CardDeclined(message, result.decline_code)
        problem = result.differs_from(amount_cents=row.amount_cents, currency=row.currency)
        if problem:
            logger.error("The payment %s was not recorded: %s", row.idempotency_key, problem)
            self.close(REFUSED, charge_ref=result.charge_ref, message=problem[:300])
            raise ChargeNotConfirmed()
        return self.record(result, now, gateway)

    def settle(self, gateway: Gateway, now: datetime.datetime):
        """Finish a payment whose charge waited for the payer's bank, as the gateway has the charge now.

        A charge still waiting raises AuthenticationRequired again, one still processing the kind's
        in-progress refusal. One the bank did not confirm is withdrawn at the gateway, so it can
        never take money, and the payment ends declined.
        """
        row = self.row
        if self.status != AUTHENTICATING:
            return self.finished()
        result = gateway.payment_status(charge_ref=row.charge_ref)
        if result.requires_action:
            raise self.authentication_required(row.charge_ref, result.action_secret)
        if not result.succeeded and not still_processing(result):
            result = gateway.cancel_charge(charge_ref=row.charge_ref)
        if still_processing(result):
            raise self.in_progress()  # confirmed and on its way: it may yet take the money, so it stays waiting
        if not result.succeeded:
            code = result.decline_code or "card_declined"
            not_confirmed = code in NOT_CONFIRMED
            message = self.not_confirmed_message if not_confirmed else (result.message or "Your card was declined.")
            code = "authentication_failed" if not_confirmed else code
            self.rows().filter(**{self.status_field: AUTHENTICATING}).update(
                **{self.status_field: DECLINED, "decline_code": code[:50], self.message_field: message[:300]}
            )
            raise CardDeclined(message, code)
        return self.conclude(result, now, gateway)
