"""The Content-Security-Policy header: django-csp's, plus Stripe.js while Stripe takes the payments.

The fixed policy is settings.CONTENT_SECURITY_POLICY. Stripe's origins are added per response from
PAYMENT_GATEWAY, STRIPE_JS_URL and STRIPE_API_BASE as they are then, so a test that switches to
Stripe (served by localstripe) gets a policy that lets its Stripe.js load.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

STRIPE_JS_ORIGINS = ["https://js.stripe.com", "https://*.js.stripe.com"]  # Stripe's published list
STRIPE_FRAME_ORIGINS = ["https://hooks.stripe.com"]  # 3-D Secure pages
STRIPE_API_ORIGIN = "https://api.stripe.com"


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, as a policy source."""
    parts = urlsplit(url)
    if not (parts.scheme and parts.netloc):
        raise ImproperlyConfigured(f"{url!r} must be an absolute URL")
    return f"{parts.scheme}://{parts.netloc}"


def stripe_sources() -> dict[str, list[str]]:
    """What Stripe.js needs: its script, its frames, and the API it calls."""
    scripts = [origin(settings.STRIPE_JS_URL), *STRIPE_JS_ORIGINS]
    api = origin(settings.STRIPE_API_BASE) if settings.STRIPE_API_BASE else STRIPE_API_ORIGIN
    return {"script-src": scripts, "frame-src": [*scripts, *STRIPE_FRAME_ORIGINS], "connect-src": [api]}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if settings.PAYMENT_GATEWAY == "stripe":
            parts.update = {**stripe_sources(), **(parts.update or {})}
        return parts
