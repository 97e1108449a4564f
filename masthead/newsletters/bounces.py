"""Bounces and complaints a provider reports later (django-anymail's normalised tracking events)."""

from __future__ import annotations

from django.utils import timezone

from masthead.newsletters.models import Delivery, Recipient
from masthead.newsletters.recipients import normalise, suppress

# Anymail's event types that stop mail to an address: a hard bounce, a refusal, a spam complaint.
BOUNCE_EVENTS = {"bounced", "rejected"}
COMPLAINT_EVENTS = {"complained"}


def record_tracking_event(event) -> str:
    """Suppress the address of a hard bounce or complaint and mark the copy it came from; returns what was done."""
    if event.event_type not in BOUNCE_EVENTS | COMPLAINT_EVENTS or not event.recipient:
        return "ignored"
    now = event.timestamp or timezone.now()
    email = normalise(event.recipient)
    copies = Delivery.objects.filter(recipient__email=email)
    if event.message_id:
        by_id = copies.filter(provider_message_id=event.message_id)
        copies = by_id if by_id.exists() else copies.filter(pk__in=copies.order_by("-pk").values("pk")[:1])
    else:
        copies = copies.filter(pk__in=copies.order_by("-pk").values("pk")[:1])
    if event.event_type in COMPLAINT_EVENTS:
        suppress(email, Recipient.COMPLAINED, now=now)
        copies.filter(complained_at__isnull=True).update(complained_at=now)
        return "complained"
    suppress(email, Recipient.BOUNCED, now=now)
    copies.update(status=Delivery.BOUNCED, error=(event.description or event.mta_response or "bounced")[:500])
    return "bounced"
