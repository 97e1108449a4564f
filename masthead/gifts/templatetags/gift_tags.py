"""The account page's gifts: those the reader gave (with resend and refund) and those they claimed."""

from __future__ import annotations

from django import template
from django.utils import timezone

from masthead.gifts.models import Gift

register = template.Library()


@register.inclusion_tag("gifts/_account_gifts.html", takes_context=True)
def account_gifts(context):
    user = context["request"].user
    now = timezone.now()
    given = list(
        Gift.objects.filter(giver=user)
        .exclude(payment_status__in=(Gift.OPEN, Gift.DECLINED, Gift.REFUSED))
        .select_related("plan")
    )
    for gift in given:
        gift.can_refund = gift.refundable(now)
        gift.can_resend = gift.state == "sent"
    received = Gift.objects.filter(recipient=user).select_related("plan", "giver")
    return {"given": given, "received": list(received), "csrf_token": context.get("csrf_token")}
