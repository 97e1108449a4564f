"""System checks of billing settings: `manage.py check --deploy` refuses a live site that would take no money."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

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


STRIPE_KEYS_MISSING = "subscriptions.E002"
STRIPE_ELSEWHERE = "subscriptions.W003"
STRIPE_SETTINGS = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")


def check_stripe_settings(app_configs=None, **kwargs) -> list[CheckMessage]:
    """With Stripe, each key is needed: without one, checkout, Stripe.js or every webhook fails at the first reader."""
    if settings.PAYMENT_GATEWAY != "stripe":
        return []
    problems: list[CheckMessage] = []
    missing = [name for name in STRIPE_SETTINGS if not getattr(settings, name)]
    if missing:
        problems.append(
            Error(
                f"PAYMENT_GATEWAY is 'stripe' but {', '.join(missing)} is not set.",
                hint="Copy them from Stripe's dashboard: Developers > API keys, and the webhook endpoint's secret.",
                id=STRIPE_KEYS_MISSING,
            )
        )
    elsewhere = settings.STRIPE_API_BASE or not settings.STRIPE_JS_URL.startswith("https://js.stripe.com/")
    if settings.STRIPE_SECRET_KEY.startswith("sk_live_") and elsewhere:
        problems.append(
            Warning(
                "A live Stripe key is sent to another API or Stripe.js than Stripe's own.",
                hint="Unset STRIPE_API_BASE and STRIPE_JS_URL in production (they point at localstripe in tests).",
                id=STRIPE_ELSEWHERE,
            )
        )
    return problems
