"""The ledger's refusals, each named for what happened; the message is fit to show the reader."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from masthead.subscriptions.models import Subscription


class BillingError(Exception):
    """A request the ledger refuses; the message is fit to show the reader."""


class AlreadySubscribed(BillingError):
    def __init__(self, subscription: Subscription):
        super().__init__("You already have a subscription.")
        self.subscription = subscription


class AddressRequired(BillingError):
    def __init__(self):
        super().__init__("The print edition needs a postal address.")


class GuaranteeExpired(BillingError):
    def __init__(self, ended: datetime.datetime):
        super().__init__(f"The 60-day money-back guarantee ended on {ended:%B %-d, %Y}.")


class GuaranteeAlreadyUsed(BillingError):
    def __init__(self):
        super().__init__("The money-back guarantee can be used once per reader, and you have used it.")


class NothingPaidYet(BillingError):
    def __init__(self):
        super().__init__(
            "You are in your free trial, so nothing has been paid. "
            "Cancel it before it ends and you will never be charged."
        )


class NotCancellable(BillingError):
    pass


class CheckoutTokenUsed(BillingError):
    def __init__(self):
        super().__init__(
            "This payment form was already used for another payment, so nothing was charged now. "
            "Please check the plan and pay again."
        )


class CheckoutInProgress(BillingError):
    def __init__(self):
        super().__init__(
            "Your payment is still going through: your subscription will show here as soon as it has. "
            "You will not be charged twice."
        )


class ChargeNotConfirmed(BillingError):
    def __init__(self):
        super().__init__(
            "The payment service's answer did not match this payment, so your subscription has not started. "
            "Please try again; we have been told."
        )


class NoCardToChange(BillingError):
    def __init__(self):
        super().__init__("You have no subscription renewing on a card, so there is no card to change.")


class AuthenticationRequired(BillingError):
    """The reader's bank wants the reader to confirm the payment (3-D Secure); nothing is recorded until it hears.

    `action_secret` is what the reader's browser confirms it with (see ChargeResult); `checkout` is
    the Checkout row waiting on it.
    """

    def __init__(self, *, charge_ref: str, action_secret: str, checkout=None):
        super().__init__("Your bank asks you to confirm this payment.")
        self.charge_ref, self.action_secret, self.checkout = charge_ref, action_secret, checkout


class OfferUnavailable(BillingError):
    """An offer code the reader cannot use for this plan now; the message says why."""


class PauseRefused(BillingError):
    """A pause, or resuming from one, that the ledger cannot make now; the message says why."""
