"""Why a gift could not be bought, sent, claimed or refunded, in words a reader understands."""

from __future__ import annotations


class GiftError(Exception):
    """A refusal whose message is fit to show."""


class GiftTokenUsed(GiftError):
    def __init__(self):
        super().__init__("This form was already used for another gift. Please check the details and pay again.")


class GiftPaymentInProgress(GiftError):
    def __init__(self):
        super().__init__("Your payment for this gift is still being made; your account will show it in a moment.")


class GiftNotClaimable(GiftError):
    """Claimed by someone else, refunded to the giver, or never paid for."""


class GiftNotRefundable(GiftError):
    pass


class ResendTooSoon(GiftError):
    def __init__(self, minutes: int):
        super().__init__(f"The gift email was sent a moment ago; you can send it again in {minutes} minutes.")
