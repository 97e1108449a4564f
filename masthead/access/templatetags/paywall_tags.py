"""Template access to the paywall's decisions for pages other apps render."""

from __future__ import annotations

from django import template

from masthead.access.paywall import offer_subscription_to

register = template.Library()


@register.simple_tag(takes_context=True)
def offer_subscription(context) -> bool:
    """`{% offer_subscription as offer %}`: whether the page should offer its reader a subscription."""
    request = context.get("request")
    return request is None or offer_subscription_to(request)
