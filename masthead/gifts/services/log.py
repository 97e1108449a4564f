"""The gift's event log, written in the same transaction as each change."""

from __future__ import annotations

from masthead.gifts.models import Gift, GiftEvent


def record_gift_event(gift: Gift, kind: str, actor: str, **detail) -> GiftEvent:
    return GiftEvent.objects.create(gift=gift, kind=kind, actor=actor, detail=detail)
