"""Payment gateways move money; the ledger decides what is owed. One small interface, two gateways.

`sandbox` is fully local and behaves like Stripe's test cards; `stripe` uses the official library.
Every call that moves money takes an idempotency key, so repeating it never moves money twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

# The decline code of a charge the reader's bank wants the reader to confirm first (Stripe's word).
AUTHENTICATION_REQUIRED = "authentication_required"


class GatewayError(Exception):
    """The gateway could not be reached or refused the request for a technical reason."""


class IdempotencyKeyReused(GatewayError):
    """The key was already used for a request with other parameters, so the gateway did nothing.

    Stripe answers such a request with 400 `idempotency_error`; a key stands for one request only.
    """


class RefundRefused(Exception):
    """The gateway will not make this refund (e.g. more than is left of the charge); `message` is fit to show."""

    def __init__(self, message: str, code: str = "refund_refused"):
        super().__init__(message)
        self.message, self.code = message, code


class CardDeclined(Exception):
    """The card cannot be used; `message` is fit to show the reader."""

    def __init__(self, message: str, code: str = "card_declined"):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class CardInput:
    """What the checkout form collected: raw test-card fields (sandbox), a gateway token, or a card setup.

    `setup_ref` is a card setup (Stripe: a SetupIntent) the reader's browser confirmed with Stripe.js,
    3-D Secure included, from `start_card_setup`: the card's numbers never reach Masthead.
    """

    number: str = ""
    exp_month: int = 0
    exp_year: int = 0
    cvc: str = ""
    token: str = ""
    setup_ref: str = ""


@dataclass(frozen=True)
class StoredCard:
    customer_ref: str
    payment_method_ref: str
    brand: str
    last4: str


@dataclass(frozen=True)
class ChargeResult:
    """What a charge did, as the gateway has it now: a repeated key answers with the first charge.

    `requires_action`: the reader's bank wants the reader to confirm the charge (3-D Secure) before
    it takes any money; `action_secret` is what the reader's browser confirms it with (Stripe: the
    PaymentIntent's client secret; sandbox: its bank page's id). Such a charge has not succeeded,
    and its decline code is AUTHENTICATION_REQUIRED, as is an off-session charge Stripe refused for
    want of the reader (which `prepare_authentication` makes ready for them).
    """

    succeeded: bool
    charge_ref: str = ""
    decline_code: str = ""
    message: str = ""
    amount_cents: int = 0
    currency: str = ""
    refunded_cents: int = 0
    requires_action: bool = False
    action_secret: str = ""

    @property
    def needs_authentication(self) -> bool:
        """The bank waits for the reader to confirm this charge; no money has moved."""
        return self.requires_action or self.decline_code == AUTHENTICATION_REQUIRED

    def differs_from(self, *, amount_cents: int, currency: str) -> str:
        """Why this is not a standing payment of `amount_cents` in `currency`, or "" when it is one."""
        if not self.succeeded:
            return f"the charge {self.charge_ref} did not succeed"
        if (self.amount_cents, self.currency.upper()) != (amount_cents, currency.upper()):
            return (
                f"the charge {self.charge_ref} is {self.amount_cents} {self.currency.upper()}, "
                f"not {amount_cents} {currency.upper()}"
            )
        if self.refunded_cents:
            return f"the charge {self.charge_ref} has been refunded ({self.refunded_cents} cents)"
        return ""


@dataclass(frozen=True)
class CardSetup:
    """A card being set up in the browser: the gateway's id for it and the secret Stripe.js confirms it with."""

    ref: str
    client_secret: str


class Gateway(Protocol):
    name: str

    def store_card(self, *, customer_ref: str | None, email: str, card: CardInput) -> StoredCard:
        """Keep the card for later off-session charges; raises CardDeclined."""

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
        """Take money; the same key returns the first attempt's result.

        A key sent again with other parameters raises IdempotencyKeyReused and moves no money.
        `on_session`: the reader is paying now (checkout), so their bank may ask them to confirm;
        the result then `requires_action`. Off-session (renewals), a bank that wants the reader
        answers AUTHENTICATION_REQUIRED.
        """

    def refund(self, *, charge_ref: str, amount_cents: int, idempotency_key: str) -> str:
        """Return money of a charge; the same key refunds once. Returns the gateway's refund id.

        Raises RefundRefused when the gateway will not refund (e.g. more than is left of the charge),
        GatewayError when it cannot be reached.
        """

    # A new card set up in the reader's browser (Stripe.js, with 3-D Secure when the bank asks); the
    # sandbox has no browser step and takes its test cards through store_card instead.

    def start_card_setup(self, *, customer_ref: str, reader_ref: str) -> CardSetup:
        """Open a setup of a new card for off-session charges, for the browser to confirm."""

    def finish_card_setup(self, *, customer_ref: str, setup_ref: str) -> StoredCard:
        """The card a confirmed setup stored, made the customer's default.

        Raises CardDeclined when the setup did not succeed or is not this customer's.
        """

    def create_customer(self, *, email: str) -> str:
        """A new customer at the gateway, for a reader who has none yet; returns its id."""

    # Charges the reader's bank wants confirmed (3-D Secure): at checkout the reader confirms in the
    # page; a renewal that needs them waits for them on /account/confirm-payment/.

    def payment_status(self, *, charge_ref: str) -> ChargeResult:
        """The charge as the gateway has it now (after the reader's bank answered, or not yet)."""

    def cancel_charge(self, *, charge_ref: str) -> ChargeResult:
        """Withdraw a charge no one has confirmed, so it can never take money; returns its state after.

        A charge the reader confirmed first is left alone and answered as succeeded.
        """

    def prepare_authentication(self, *, charge_ref: str, payment_method_ref: str) -> ChargeResult:
        """Make a charge that needs the reader ready for them to confirm now (`requires_action`, with its secret).

        A charge whose earlier confirmation failed is asked again; one already settled is answered as it is.
        """

    def authentication_url(self, *, action_secret: str, return_url: str) -> str:
        """The page where the reader confirms with their bank and is sent back to `return_url`.

        "" when our own page confirms it with the gateway's script in place (Stripe.js).
        """


def card_digits(text: str) -> str:
    """The ASCII digits of a typed card number ("4242 4242-…" -> "4242…"); "²" or "٤" are not digits of a card."""
    return "".join(ch for ch in text if "0" <= ch <= "9")


def new_customer_ref(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


def get_gateway(name: str | None = None) -> Gateway:
    name = name or settings.PAYMENT_GATEWAY
    if name == "sandbox":
        from masthead.subscriptions.gateways.sandbox import SandboxGateway

        return SandboxGateway()
    if name == "stripe":
        from masthead.subscriptions.gateways.stripe import StripeGateway

        return StripeGateway()
    raise GatewayError(f"Unknown payment gateway {name!r}")
