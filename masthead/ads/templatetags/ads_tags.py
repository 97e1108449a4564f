from django import template

from masthead.access.entitlements import request_entitlements
from masthead.access.paywall import paywall_settings
from masthead.ads.models import ad_for

register = template.Library()


def shows_ads(request) -> bool:
    """Readers without a subscription see ads; subscribers too, until 'ad-free for subscribers' is on."""
    if request is None or not request_entitlements(request).digital:
        return True
    return not paywall_settings(request).ad_free_for_subscribers


@register.inclusion_tag("ads/slot.html", takes_context=True)
def ad_slot(context, slot_name: str, section=None):
    request = context.get("request")
    if not shows_ads(request):
        return {"ad": None, "show": False}
    path = request.path if request else ""
    return {"ad": ad_for(f"{path}#{slot_name}", section), "show": True, "slot_name": slot_name}
