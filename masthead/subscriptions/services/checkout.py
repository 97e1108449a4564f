"""Buying a subscription: one checkout per form token, one card, one charge checked before it is recorded.

With Stripe the card is set up in the reader's browser by Stripe.js (`begin_card_setup`, 3-D Secure
included), and the first period is charged on-session; when the reader's bank wants them to
confirm that charge, the checkout waits (`Checkout.AUTHENTICATING`) and `settle_checkout` records
it once the bank has answered: called by the reader's page, Stripe's webhook or the sandbox's bank
page, whichever comes first, and recording it once. The charge itself is the one path checkouts and
gifts share (`payment_attempts.PaymentAttempt`); this module says what a checkout's row is and records
the subscription it pays for.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import time

from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.subscriptions import emails
from masthead.subscriptions.gateways import (
    CardDeclined,
    CardInput,
    CardSetup,
    ChargeResult,
    Gateway,
    GatewayError,
    get_gateway,
)
from masthead.subscriptions.models import (
    Checkout,
    GatewayCustomer,
    Offer,
    Payment,
    Plan,
    Subscription,
)
from masthead.subscriptions.queries import live_subscription
from masthead.subscriptions.services.doors import Door
from masthead.subscriptions.services.errors import (
    AddressRequired,
    AlreadySubscribed,
    AuthenticationRequired,
    BillingError,
    CheckoutInProgress,
    CheckoutTokenUsed,
)
from masthead.subscriptions.services.ledger import (
    AddressInput,
    issue_receipt,
    keep_card_for_renewals,
    record_event,
    save_address,
)
from masthead.subscriptions.services.offers import check_offer
from masthead.subscriptions.services.payment_attempts import GIVE_UP_AFTER, PAYMENT_CLAIM, PaymentAttempt

logger = logging.getLogger(__name__)

# How long a second click waits for the first one's outcome before saying the payment is under way.
CHECKOUT_WAIT_SECONDS = 20.0
CHECKOUT_POLL_SECONDS = 0.05
# The reader's own page has the first word on a charge that began waiting; the sweep asks after this.
WAITING_CHECKOUT_AGE = PAYMENT_CLAIM
NOT_CONFIRMED_MESSAGE = "Your bank did not confirm the payment, so your subscription has not started."
ABANDONED_MESSAGE = "You did not confirm the payment with your bank, so it was withdrawn and nothing was charged."


class CheckoutPayment(PaymentAttempt):
    """A checkout's first charge, made once (payment_attempts); paid, it starts the subscription."""

    description = "First period, checkout {pk}"  # not the plan's name: a renamed plan would change the request
    purpose = "checkout"
    not_confirmed_message = NOT_CONFIRMED_MESSAGE
    token_used = CheckoutTokenUsed
    in_progress = CheckoutInProgress

    def authentication_required(self, charge_ref: str, action_secret: str) -> AuthenticationRequired:
        return AuthenticationRequired(charge_ref=charge_ref, action_secret=action_secret, checkout=self.row)

    def waiting_fields(self, now: datetime.datetime) -> dict:
        return {"authenticating_since": now}

    def abandon(self, now: datetime.datetime):
        """Declined ("abandoned"): the reader may try again with the same page."""
        Checkout.objects.filter(pk=self.row.pk, status=Checkout.AUTHENTICATING).update(
            status=Checkout.DECLINED, decline_code="abandoned", message=ABANDONED_MESSAGE
        )
        raise CardDeclined(ABANDONED_MESSAGE, "abandoned")

    def record(self, result: ChargeResult, now: datetime.datetime, gateway: Gateway) -> Subscription:
        return record_checkout(self.row, result, checkout_address(self.row), now, gateway)

    def finished(self) -> Subscription:
        return finished_checkout(self.row)


def checkout_key(reader, checkout_token: str) -> str:
    """The idempotency key of a reader's checkout token: the token is bound to its reader here."""
    return f"checkout:{reader.pk}:{checkout_token}"


def do_subscribe(
    *,
    reader,
    plan: Plan,
    card: CardInput,
    checkout_token: str,
    address: AddressInput | None = None,
    offer: Offer | None = None,
    now: datetime.datetime | None = None,
    gateway: Gateway | None = None,
    door: Door | None = None,
) -> Subscription:
    """Charge the first period and start the subscription; a repeated token returns the first result.

    The token's checkout is claimed before the gateway is called: a second click waits for the
    first and answers as it did, and a token used before for another plan, price or offer is
    refused. With an offer the first charge is the offer's (checked again here, before any
    charge); a trial keeps the card and charges nothing until it ends. When the reader's bank
    wants them to confirm the charge, raises AuthenticationRequired (and again for the same token
    until the bank has answered; see `settle_checkout`). `door` is where the reader came from,
    kept for circulation's dashboard.
    """
    now = now or timezone.now()
    gateway = gateway or get_gateway()
    key = checkout_key(reader, checkout_token)
    earlier = started_by(key)
    if earlier:
        return earlier
    existing = live_subscription(reader)
    if existing:
        raise AlreadySubscribed(existing)
    if plan.includes_print and address is None:
        raise AddressRequired()
    if offer is not None and not Checkout.objects.filter(idempotency_key=key, offer=offer).exists():
        # Checked before its first use only: a retry of a checkout that may have charged already
        # must finish it at the price shown (and charged), even if the code has ended since.
        check_offer(offer, plan, reader, now)

    checkout = claim_checkout(reader, plan, key, gateway.name, offer, door)
    try:
        if checkout.status != Checkout.OPEN:
            return finished_checkout(checkout, gateway=gateway, now=now)
        if offer is not None and offer.is_trial:
            return start_trial(checkout, card, address, now, gateway)
        return pay_for_checkout(checkout, card, address, now, gateway)
    finally:
        release_checkout(checkout)


def started_by(key: str) -> Subscription | None:
    """The subscription a checkout key has started already: paid for, or a trial begun."""
    earlier = Payment.objects.filter(idempotency_key=key, status=Payment.SUCCEEDED).first()
    if earlier:
        return earlier.subscription
    trial = Checkout.objects.filter(idempotency_key=key, status=Checkout.TRIAL).select_related("subscription").first()
    return trial.subscription if trial else None


def release_checkout(checkout: Checkout) -> None:
    CheckoutPayment(checkout).release()


def begin_card_setup(
    *,
    reader,
    plan: Plan,
    checkout_token: str,
    offer: Offer | None = None,
    gateway: Gateway | None = None,
    door: Door | None = None,
) -> CardSetup | None:
    """Open the token's checkout and a card setup for Stripe.js to confirm in the reader's browser.

    The reader's customer at the gateway is made here, once (later checkouts and renewals reuse
    it). None when there is nothing to set up: the checkout has its card already (trying again
    charges that card, under the same key) or has ended; the form is then sent as it is.
    """
    gateway = gateway or get_gateway()
    key = checkout_key(reader, checkout_token)
    if started_by(key):
        return None
    existing = live_subscription(reader)
    if existing:
        raise AlreadySubscribed(existing)
    if offer is not None and not Checkout.objects.filter(idempotency_key=key, offer=offer).exists():
        check_offer(offer, plan, reader)
    checkout = claim_checkout(reader, plan, key, gateway.name, offer, door)
    try:
        if checkout.status != Checkout.OPEN or checkout.has_card:
            return None
        return CheckoutPayment(checkout).start_card_setup(gateway)
    finally:
        release_checkout(checkout)


def claim_checkout(
    reader, plan: Plan, key: str, gateway_name: str, offer: Offer | None = None, door: Door | None = None
) -> Checkout:
    """The checkout of `key`, claimed for this request or already finished; waits while another request has it."""
    deadline = time.monotonic() + CHECKOUT_WAIT_SECONDS
    while True:
        now = timezone.now()
        checkout, created = Checkout.objects.select_related("plan", "reader").get_or_create(
            idempotency_key=key,
            defaults={
                "reader": reader,
                "plan": plan,
                "offer": offer,
                "amount_cents": offer.first_charge(plan) if offer else plan.price_cents,
                "currency": plan.currency,
                "gateway": gateway_name,
                "claimed_until": now + PAYMENT_CLAIM,
                "door": door.name if door else "",
                "door_article_id": door.article_id if door else None,
            },
        )
        if created:
            return checkout
        if not checkout.is_for(plan, offer) or checkout.gateway != gateway_name:
            # The key stands for what it was first used for; it cannot pay for anything else.
            raise CheckoutTokenUsed()
        if checkout.status != Checkout.OPEN:
            return checkout
        if CheckoutPayment(checkout).claim():
            return checkout
        if time.monotonic() >= deadline:
            raise CheckoutInProgress()
        time.sleep(CHECKOUT_POLL_SECONDS)


def finished_checkout(
    checkout: Checkout, *, gateway: Gateway | None = None, now: datetime.datetime | None = None
) -> Subscription:
    """Answer a token whose checkout has ended as it ended; one waiting for the reader's bank asks the gateway."""
    if checkout.status == Checkout.AUTHENTICATING:
        return settle_checkout(checkout, gateway=gateway, now=now)
    if checkout.status in (Checkout.PAID, Checkout.TRIAL):
        return checkout.subscription
    if checkout.status == Checkout.DECLINED:
        raise CardDeclined(checkout.message or "Your card was declined.", checkout.decline_code or "card_declined")
    live = live_subscription(checkout.reader)
    if checkout.status == Checkout.GIVEN_BACK and live:
        raise AlreadySubscribed(live)
    raise CheckoutTokenUsed()


def close_checkout(checkout: Checkout, status: str, **fields) -> None:
    CheckoutPayment(checkout).close(status, **fields)


def pay_for_checkout(
    checkout: Checkout, card: CardInput, address: AddressInput | None, now: datetime.datetime, gateway: Gateway
) -> Subscription:
    """Charge a claimed checkout once and record it; the charge must be exactly the one asked for.

    The reader is here, so the charge is on-session: their bank may want them to confirm it first.
    Then the checkout waits for that (AUTHENTICATING, with the charge's id) and AuthenticationRequired
    carries what the reader's browser confirms it with; `settle_checkout` takes it from there.
    """
    if address is not None and checkout.address != dataclasses.asdict(address):
        # Kept on the row, so whoever records the payment (this request, the reader's page after
        # 3-D Secure, a webhook) records the address with it.
        checkout.address = dataclasses.asdict(address)
        checkout.save(update_fields=["address"])
    return CheckoutPayment(checkout).charge(card, now, gateway)


def checkout_address(checkout: Checkout) -> AddressInput | None:
    return AddressInput(**checkout.address) if checkout.address else None


def settle_checkout(
    checkout: Checkout, *, gateway: Gateway | None = None, now: datetime.datetime | None = None
) -> Subscription:
    """Finish a checkout whose charge waited for the reader's bank, as the gateway has the charge now.

    The reader's page calls it once Stripe.js (or the sandbox's bank page) is done; Stripe's
    payment_intent webhooks and the sandbox's bank page call it too. Whichever comes first records
    the subscription; the others find it recorded (the checkout's key is unique on its payment).
    A charge still waiting raises AuthenticationRequired again; one confirmed and still processing
    at the gateway raises CheckoutInProgress and stays waiting (it may yet take the money). One the
    bank did not confirm is withdrawn at the gateway, so it can never take money, and the checkout
    ends declined.
    """
    gateway = gateway or get_gateway(checkout.gateway)
    now = now or timezone.now()
    return CheckoutPayment(checkout).settle(gateway, now)


def give_up_checkout(
    checkout: Checkout, *, gateway: Gateway | None = None, now: datetime.datetime | None = None
) -> Subscription:
    """A day after the reader's bank began asking them to confirm (PaymentAttempt.give_up): the subscription
    if the charge went through, else the charge withdrawn and CardDeclined (code "abandoned")."""
    gateway = gateway or get_gateway(checkout.gateway)
    return CheckoutPayment(checkout).give_up(gateway, now or timezone.now())


def settle_waiting_checkouts(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Ask the gateway again about every checkout still waiting: a charge still processing, or news that never came.

    The reader's page and the gateway's webhook settle a waiting checkout as soon as either hears;
    a charge that processes for days (a bank debit), or one whose news was lost, or the sandbox,
    which has no webhook, would otherwise wait for ever, the reader charged and not subscribed.
    Run with the renewals; settling records once, whoever comes first, so running it again, or
    beside the reader's page, changes nothing. A charge still waiting for the reader's bank a day on is
    withdrawn (`give_up_checkout`), so abandoned checkouts are not asked about for ever.
    """
    now = now or timezone.now()
    outcomes = {"subscribed": 0, "waiting": 0, "declined": 0, "abandoned": 0, "refused": 0, "gateway_error": 0}
    waiting = Checkout.objects.filter(status=Checkout.AUTHENTICATING, created_at__lte=now - WAITING_CHECKOUT_AGE)
    for checkout in waiting.select_related("reader", "plan").order_by("pk"):
        began_waiting = checkout.authenticating_since or checkout.created_at  # rows from before the field: their start
        give_up = began_waiting <= now - GIVE_UP_AFTER
        try:
            (give_up_checkout if give_up else settle_checkout)(checkout, now=now)
        except (AuthenticationRequired, CheckoutInProgress):
            outcome = "waiting"
        except CardDeclined as declined:
            outcome = "abandoned" if declined.code == "abandoned" else "declined"
        except BillingError as refused:
            logger.warning("Checkout %s was settled but not recorded: %s", checkout.pk, refused)
            outcome = "refused"
        except GatewayError:
            outcome = "gateway_error"  # asked again on the next run
        else:
            outcome = "subscribed"
        outcomes[outcome] += 1
    return outcomes


def record_checkout(
    checkout: Checkout, result: ChargeResult, address: AddressInput | None, now: datetime.datetime, gateway: Gateway
) -> Subscription:
    """Start the subscription a checkout's charge paid for, and keep its card for renewals."""
    reader, plan, key = checkout.reader, checkout.plan, checkout.idempotency_key
    status_before = checkout.status
    try:
        with transaction.atomic():
            offer = checkout.offer
            subscription = Subscription.objects.create(
                reader=reader,
                plan=plan,
                gateway=gateway.name,
                offer=offer,
                # The first period is this checkout's; renewals take the rest of the offer's discount.
                discount=offer.discount_terms(plan) if offer else {},
                discount_periods_left=offer.periods - 1 if offer and not offer.is_trial else 0,
                started_at=now,
                current_period_start=now,
                current_period_end=plan.period_end(now),
                door=checkout.door,
                door_article_id=checkout.door_article_id,
            )
            payment = Payment.objects.create(
                subscription=subscription,
                period_start=now,
                period_end=subscription.current_period_end,
                amount_cents=checkout.amount_cents,
                currency=checkout.currency,
                status=Payment.SUCCEEDED,
                idempotency_key=key,
                gateway_charge_ref=result.charge_ref,
                created_at=now,
            )
            # The card renewals charge is the card this checkout charged.
            keep_checkout_card(checkout)
            close_checkout(checkout, Checkout.PAID, charge_ref=result.charge_ref, subscription=subscription)
            if address:
                save_address(reader, address, now)
            record_event(subscription, "subscribed", "reader", **checkout_terms(checkout))
            record_event(
                subscription,
                "payment_succeeded",
                f"gateway:{gateway.name}",
                amount=payment.amount,
                charge=result.charge_ref,
            )
            issue_receipt(payment)
            transaction.on_commit(lambda: emails.send_welcome.enqueue(subscription.pk))
    except IntegrityError:
        checkout.status, checkout.subscription = status_before, None  # the rolled-back save's values
        earlier = Payment.objects.filter(idempotency_key=key).first()
        if earlier:
            # A request with this token that outlived its claim recorded this same charge first.
            return earlier.subscription
        # Another checkout started a subscription meanwhile (one live per reader): give this money back.
        gateway.refund(charge_ref=result.charge_ref, amount_cents=checkout.amount_cents, idempotency_key=f"undo:{key}")
        close_checkout(checkout, Checkout.GIVEN_BACK, charge_ref=result.charge_ref)
        raise AlreadySubscribed(live_subscription(reader)) from None
    return subscription


def checkout_terms(checkout: Checkout) -> dict:
    """What the event log keeps of a checkout: its plan and, when one was redeemed, its offer code."""
    terms = {"plan": checkout.plan.slug}
    if checkout.offer_id:
        terms["offer"] = checkout.offer.code
    return terms


def keep_checkout_card(checkout: Checkout) -> GatewayCustomer:
    return keep_card_for_renewals(
        checkout.reader,
        checkout.gateway,
        customer_ref=checkout.customer_ref,
        payment_method_ref=checkout.payment_method_ref,
        brand=checkout.card_brand,
        last4=checkout.card_last4,
    )


def start_trial(
    checkout: Checkout, card: CardInput, address: AddressInput | None, now: datetime.datetime, gateway: Gateway
) -> Subscription:
    """Keep the reader's card and start a trial that charges it when it ends; nothing is charged now.

    With Stripe the card was set up (3-D Secure included) in the reader's browser for use later,
    off-session: the charge at the trial's end is a renewal, with its dunning and its emailed link
    should the bank want the reader then.
    """
    if not checkout.has_card:
        CheckoutPayment(checkout).keep_card(card, gateway)
    offer, reader = checkout.offer, checkout.reader
    trial_ends = now + datetime.timedelta(days=offer.trial_days)
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                reader=reader,
                plan=checkout.plan,
                gateway=gateway.name,
                offer=offer,
                started_at=now,
                current_period_start=now,
                current_period_end=trial_ends,
                trial_ends_at=trial_ends,
                door=checkout.door,
                door_article_id=checkout.door_article_id,
            )
            keep_checkout_card(checkout)
            close_checkout(checkout, Checkout.TRIAL, subscription=subscription)
            if address:
                save_address(reader, address, now)
            terms = checkout_terms(checkout)
            record_event(subscription, "trial_started", "reader", trial_ends=trial_ends.isoformat(), **terms)
            transaction.on_commit(lambda: emails.send_welcome.enqueue(subscription.pk))
    except IntegrityError:
        checkout.status, checkout.subscription = Checkout.OPEN, None  # the rolled-back save's values
        close_checkout(checkout, Checkout.REFUSED, message="Another subscription started first.")
        raise AlreadySubscribed(live_subscription(reader)) from None
    return subscription
