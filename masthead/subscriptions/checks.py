"""System checks of billing settings: `manage.py check --deploy` refuses a live site that would take no money."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Error

SANDBOX_IN_PRODUCTION = "subscriptions.E001"


def check_sandbox_gateway(app_configs=None, **kwargs) -> list[CheckMessage]:
    """The sandbox gateway with DEBUG off is a mistake unless the publisher has said so (ALLOW_SANDBOX_GATEWAY)."""
    if settings.PAYMENT_GATEWAY != "sandbox" or settings.DEBUG or settings.ALLOW_SANDBOX_GATEWAY:
        return []
    return [
        Error(
            "PAYMENT_GATEWAY is 'sandbox' with DEBUG off: readers would subscribe with test card numbers and no "
            "money would be taken.",
            hint=(
                "Set PAYMENT_GATEWAY=stripe with the STRIPE_* keys, or ALLOW_SANDBOX_GATEWAY=true if this site is "
                "a demo or staging site that must take no money."
            ),
            id=SANDBOX_IN_PRODUCTION,
        )
    ]
