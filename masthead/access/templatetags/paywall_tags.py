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


@register.simple_tag(takes_context=True)
def access_from_institution(context) -> str:
    """`{% access_from_institution as name %}`: the institution the reader's access comes from, or ""."""
    from masthead.access.entitlements import request_entitlements
    from masthead.institutions.models import Institution

    request = context.get("request")
    institution_id = request_entitlements(request).institution_id if request is not None else None
    if institution_id is None:
        return ""
    # Its own audience (access.page_audience): a stored copy naming it reaches only its readers.
    return Institution.objects.filter(pk=institution_id).values_list("name", flat=True).first() or ""
