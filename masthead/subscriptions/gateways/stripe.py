"""The Stripe gateway: Customers, SetupIntents and PaymentMethods to keep a card, PaymentIntents to charge it.

Keys come from settings (STRIPE_SECRET_KEY; STRIPE_API_BASE points the library elsewhere, e.g. at a
localstripe server in tests). Masthead's idempotency keys travel as Stripe idempotency keys and in
each object's metadata, so webhooks and reconciliation can find the ledger row of a charge even
when a crash left it without the charge's id.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import stripe
from django.conf import settings

from masthead.subscriptions.gateways import (
    AUTHENTICATION_REQUIRED,
    CardDeclined,
    CardInput,
    CardSetup,
    ChargeResult,
    GatewayError,
    IdempotencyKeyReused,
    RefundRefused,
    StoredCard,
    card_digits,
)

BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express", "discover": "Discover"}
# Seconds to wait for Stripe; renewals run in the background, checkout in front of a reader.
TIMEOUT = 30
# PaymentIntent states Stripe lets us cancel: none of them has taken money.
CANCELLABLE = ("requires_payment_method", "requires_confirmation", "requires_action", "requires_capture")


class StripeGateway:
    name = "stripe"

    def __init__(self, *, api_key: str | None = None, api_base: str | None = None, max_network_retries: int = 2):
        api_key = api_key or settings.STRIPE_SECRET_KEY
        if not api_key:
            raise GatewayError("STRIPE_SECRET_KEY is not set.")
        api_base = api_base if api_base is not None else settings.STRIPE_API_BASE
        self.test_mode = api_key.startswith(("sk_test_", "rk_test_"))
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base.rstrip("/")} if api_base else None,
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=TIMEOUT),
        )

    # -- the gateway interface -----------------------------------------------------------------

    def store_card(self, *, customer_ref: str | None, email: str, card: CardInput) -> StoredCard:
        """Confirm an off-session SetupIntent for the card and make it the customer's default."""
        api = self.client.v1
        try:
            with stripe_errors():
                method_ref = card.token or self._test_payment_method(card)
                if not customer_ref:
                    customer_ref = api.customers.create(params={"email": email}).id
                setup = api.setup_intents.create(
                    params={"customer": customer_ref, "usage": "off_session", "payment_method_types": ["card"]}
                )
                setup = api.setup_intents.confirm(setup.id, params={"payment_method": method_ref})
                if setup.status != "succeeded":
                    # Raw numbers (test keys only) have no browser to confirm 3-D Secure in; Stripe.js's
                    # card setup (start_card_setup, finish_card_setup) has.
                    raise CardDeclined(
                        "Your bank wants you to confirm this card, which this form cannot do; please try another card.",
                        "authentication_required",
                    )
                # Test ids such as pm_card_visa become a new PaymentMethod when used: keep the one set up.
                method = api.payment_methods.retrieve(setup.payment_method)
                if method.customer != customer_ref:
                    # Stripe attaches on success; localstripe does not, so attach what is still loose.
                    method = api.payment_methods.attach(method.id, params={"customer": customer_ref})
                api.customers.update(customer_ref, params={"invoice_settings": {"default_payment_method": method.id}})
        except stripe.CardError as error:
            raise CardDeclined(error.user_message or "Your card was declined.", error.code or "card_declined") from None
        return StoredCard(
            customer_ref=customer_ref,
            payment_method_ref=method.id,
            brand=BRANDS.get(method.card.brand, method.card.brand.title()),
            last4=method.card.last4,
        )

    def charge(
        self,
        *,
        customer_ref: str,
        payment_method_ref: str,
        amount_cents: int,
        currency: str,
        idempotency_key: str,
        description: str,
        on_session: bool = False,
    ) -> ChargeResult:
        """A PaymentIntent, confirmed at once; a decline is a result, not an exception.

        Off-session (renewals) unless `on_session` (checkout, the reader in front of the page): then
        a bank that wants 3-D Secure leaves the intent in requires_action, and the result carries its
        client secret for Stripe.js's confirmCardPayment.
        """
        params = {
            "amount": amount_cents,
            "currency": currency.lower(),
            "customer": customer_ref,
            "payment_method": payment_method_ref,
            "payment_method_types": ["card"],
            "confirm": True,
            # The description rides in metadata: localstripe refuses the top-level field.
            "metadata": {"idempotency_key": idempotency_key, "description": description[:500]},
        }
        if not on_session:
            params["off_session"] = True
        with stripe_errors():
            try:
                intent = self.client.v1.payment_intents.create(
                    params=params, options={"idempotency_key": idempotency_key}
                )
            except stripe.CardError as error:
                return ChargeResult(
                    succeeded=False,
                    charge_ref=self._intent_ref_of_error(error),
                    decline_code=(error.error and error.error.decline_code) or error.code or "card_declined",
                    message=error.user_message or "Your card was declined.",
                )
            if replayed(intent):
                # Stripe answers a repeated key with the first response as it was then; the money
                # may have been refunded since, so read the intent as it is now.
                intent = self.client.v1.payment_intents.retrieve(intent.id, params={"expand": ["latest_charge"]})
        return charge_result(intent)

    def refund(self, *, charge_ref: str, amount_cents: int, idempotency_key: str) -> str:
        """Refund part or all of a PaymentIntent; the same key refunds once."""
        with stripe_errors():
            try:
                refund = self.client.v1.refunds.create(
                    params={
                        "payment_intent": charge_ref,
                        "amount": amount_cents,
                        "metadata": {"idempotency_key": idempotency_key},
                    },
                    options={"idempotency_key": idempotency_key},
                )
            except stripe.InvalidRequestError as error:
                # E.g. charge_already_refunded, or more than is left: asking again will not help.
                message = error.user_message or "The payment service refused the refund."
                raise RefundRefused(message, error.code or "refund_refused") from None
        return refund.id

    def start_card_setup(self, *, customer_ref: str, reader_ref: str, purpose: str = "card_change") -> CardSetup:
        """A SetupIntent for the customer; Stripe.js confirms it in the browser, with 3-D Secure if the bank asks."""
        with stripe_errors():
            setup = self.client.v1.setup_intents.create(
                params={
                    "customer": customer_ref,
                    "usage": "off_session",
                    "payment_method_types": ["card"],
                    "metadata": {"masthead_reader": reader_ref, "purpose": purpose},
                }
            )
        return CardSetup(ref=setup.id, client_secret=setup.client_secret)

    def finish_card_setup(self, *, customer_ref: str, setup_ref: str) -> StoredCard:
        """The card of a SetupIntent the browser confirmed, once Stripe says it succeeded for this customer."""
        api = self.client.v1
        with stripe_errors():
            try:
                setup = api.setup_intents.retrieve(setup_ref)
            except stripe.InvalidRequestError:
                raise CardDeclined("That card could not be found; please enter it again.", "setup_unknown") from None
            if setup.customer != customer_ref:
                # Someone else's SetupIntent id, sent in a form: it proves nothing about this reader's card.
                raise CardDeclined("That card could not be found; please enter it again.", "setup_not_yours")
            if setup.status != "succeeded":
                raise CardDeclined(
                    "Your card was not confirmed, so it was not saved; please try again.",
                    "authentication_required" if setup.status == "requires_action" else setup.status,
                )
            method = api.payment_methods.retrieve(setup.payment_method)
            if method.customer != customer_ref:
                # Stripe attaches on success; localstripe does not, so attach what is still loose.
                method = api.payment_methods.attach(method.id, params={"customer": customer_ref})
            api.customers.update(customer_ref, params={"invoice_settings": {"default_payment_method": method.id}})
        return StoredCard(
            customer_ref=customer_ref,
            payment_method_ref=method.id,
            brand=BRANDS.get(method.card.brand, method.card.brand.title()),
            last4=method.card.last4,
        )

    def create_customer(self, *, email: str) -> str:
        with stripe_errors():
            return self.client.v1.customers.create(params={"email": email}).id

    # -- charges the reader's bank wants confirmed (3-D Secure) ----------------------------------

    def payment_status(self, *, charge_ref: str) -> ChargeResult:
        with stripe_errors():
            intent = self.client.v1.payment_intents.retrieve(charge_ref, params={"expand": ["latest_charge"]})
        return charge_result(intent)

    def cancel_charge(self, *, charge_ref: str) -> ChargeResult:
        """Cancel a PaymentIntent nobody confirmed; one that succeeded meanwhile is answered as it is."""
        api = self.client.v1
        with stripe_errors():
            intent = api.payment_intents.retrieve(charge_ref)
            if intent.status in CANCELLABLE:
                # Refused when the reader confirmed it a moment ago: then it is read below as it is now.
                with suppress(stripe.InvalidRequestError):
                    api.payment_intents.cancel(charge_ref)
            intent = api.payment_intents.retrieve(charge_ref, params={"expand": ["latest_charge"]})
        return charge_result(intent)

    def prepare_authentication(self, *, charge_ref: str, payment_method_ref: str) -> ChargeResult:
        """A PaymentIntent the reader will confirm with Stripe.js now: confirmed on-session if it is not waiting yet.

        An off-session charge Stripe refused for want of the reader (authentication_required), or one
        whose 3-D Secure failed, is back in requires_payment_method; confirming it again with the card,
        the reader present, makes Stripe ask the bank again (requires_action, with its client secret).
        """
        api = self.client.v1
        with stripe_errors():
            intent = api.payment_intents.retrieve(charge_ref)
            try:
                if intent.status == "requires_payment_method" and payment_method_ref:
                    api.payment_intents.confirm(charge_ref, params={"payment_method": payment_method_ref})
                elif intent.status == "requires_confirmation":
                    api.payment_intents.confirm(charge_ref)
            except stripe.CardError:
                pass  # declined outright: the intent says so below
            intent = api.payment_intents.retrieve(charge_ref, params={"expand": ["latest_charge"]})
        return charge_result(intent)

    def authentication_url(self, *, action_secret: str, return_url: str) -> str:
        return ""  # the page confirms it in place, with Stripe.js

    # -- reads, for webhooks and reconciliation ------------------------------------------------

    def payment_intent(self, ref: str) -> stripe.PaymentIntent:
        with stripe_errors():
            return self.client.v1.payment_intents.retrieve(ref)

    def charge_object(self, ref: str) -> stripe.Charge:
        with stripe_errors():
            return self.client.v1.charges.retrieve(ref)

    def payment_intents(self) -> Iterator[stripe.PaymentIntent]:
        """Every PaymentIntent of the account, page by page."""
        with stripe_errors():
            yield from self.client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()

    def refunds(self) -> Iterator[stripe.Refund]:
        """Every refund of the account, page by page."""
        with stripe_errors():
            yield from self.client.v1.refunds.list(params={"limit": 100}).auto_paging_iter()

    def refunds_of(self, intent: stripe.PaymentIntent) -> list[stripe.Refund]:
        """The refunds of one PaymentIntent (none when it never reached a charge)."""
        if not getattr(intent, "latest_charge", None):
            return []
        with stripe_errors():
            return list(
                self.client.v1.refunds.list(params={"payment_intent": intent.id, "limit": 100}).auto_paging_iter()
            )

    # -- inside --------------------------------------------------------------------------------

    def _test_payment_method(self, card: CardInput) -> str:
        """A PaymentMethod from raw test-card fields: only a test or local API may see card numbers."""
        if not self.test_mode:
            raise GatewayError("Card numbers must be collected by Stripe.js; raw numbers are for test keys only.")
        number = card_digits(card.number)
        try:
            method = self.client.v1.payment_methods.create(
                params={
                    "type": "card",
                    "card": {"number": number, "exp_month": card.exp_month, "exp_year": card.exp_year, "cvc": card.cvc},
                }
            )
        except (stripe.CardError, stripe.InvalidRequestError) as error:
            raise CardDeclined("Those card details are not valid.", error.code or "invalid_card") from None
        return method.id

    def _intent_ref_of_error(self, error: stripe.CardError) -> str:
        """The PaymentIntent a decline belongs to (localstripe names only the charge)."""
        details = error.error
        if details is None:
            return ""
        if details.payment_intent:
            return details.payment_intent.id
        if details.charge:
            try:
                return self.charge_object(details.charge).payment_intent or ""
            except GatewayError:
                return ""  # the decline is what matters; reconciliation finds the intent by its key
        return ""


def replayed(obj) -> bool:
    """Whether Stripe answered with the saved response of an earlier request under the same key."""
    response = getattr(obj, "last_response", None)
    headers = {name.lower(): value for name, value in ((response and response.headers) or {}).items()}
    return headers.get("idempotent-replayed") == "true"


def charge_result(intent: stripe.PaymentIntent) -> ChargeResult:
    """What a PaymentIntent's current state means for the ledger."""
    if intent.status == "succeeded":
        charge = getattr(intent, "latest_charge", None)
        return ChargeResult(
            succeeded=True,
            charge_ref=intent.id,
            amount_cents=intent.amount,
            currency=intent.currency.upper(),
            # Known only when the charge was expanded (a replay is read again with it).
            refunded_cents=getattr(charge, "amount_refunded", 0) or 0,
        )
    if intent.status == "requires_action":
        return ChargeResult(
            succeeded=False,
            charge_ref=intent.id,
            decline_code=AUTHENTICATION_REQUIRED,
            message="Your bank asks you to confirm this payment.",
            amount_cents=intent.amount,
            currency=intent.currency.upper(),
            requires_action=True,
            action_secret=intent.client_secret,
        )
    error = getattr(intent, "last_payment_error", None)
    return ChargeResult(
        succeeded=False,
        charge_ref=intent.id,
        decline_code=getattr(error, "decline_code", None) or getattr(error, "code", None) or intent.status,
        message=getattr(error, "message", None) or "Your card was declined.",
    )


def metadata_key(obj) -> str:
    """The Masthead idempotency key a Stripe object carries in its metadata, or ""."""
    return getattr(getattr(obj, "metadata", None), "idempotency_key", None) or ""


@contextmanager
def stripe_errors() -> Iterator[None]:
    """Turn the library's technical failures into GatewayError; card errors pass through."""
    try:
        yield
    except stripe.CardError:
        raise
    except stripe.IdempotencyError as error:
        raise IdempotencyKeyReused(f"Stripe refused a reused idempotency key: {error.user_message or error}") from error
    except stripe.APIConnectionError as error:
        raise GatewayError(f"Stripe could not be reached: {error.user_message or error}") from error
    except stripe.StripeError as error:
        raise GatewayError(f"Stripe refused the request: {error.user_message or error}") from error
