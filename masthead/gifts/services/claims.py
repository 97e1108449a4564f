"""Claiming a gift: the recipient's access written into the ledger, once, from the claim."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from masthead.gifts import emails
from masthead.gifts.models import Gift
from masthead.gifts.services.errors import GiftNotClaimable
from masthead.gifts.services.log import record_gift_event
from masthead.subscriptions.services import AddressInput, AddressRequired
from masthead.subscriptions.services.gifts import do_claim_gift

ALREADY_CLAIMED = "This gift has already been claimed."
REFUNDED = "This gift was withdrawn by the person who gave it, so it can no longer be claimed."


def gift_for_token(token: str) -> Gift | None:
    """The paid gift a claim link names, or None (unknown, or never paid for)."""
    if not token or len(token) > 64:
        return None
    return Gift.objects.select_related("plan", "giver").filter(claim_token=token, payment_status=Gift.PAID).first()


def claim_gift(
    gift_id: int, reader, *, address: AddressInput | None = None, now: datetime.datetime | None = None
) -> Gift:
    """Start the gift for `reader` from now (or lengthen their subscription); the link works once.

    The gift row is locked first, so a claim and a refund of the same gift never both happen. The
    giver is emailed once the claim is committed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        gift = Gift.objects.select_for_update().select_related("plan").get(pk=gift_id)
        if gift.claimed_at is not None:
            if gift.recipient_id == reader.pk:
                return gift
            raise GiftNotClaimable(ALREADY_CLAIMED)
        if gift.refund_started_at is not None:
            raise GiftNotClaimable(REFUNDED)
        if not gift.claimable():
            raise GiftNotClaimable("This gift cannot be claimed.")
        if gift.plan.includes_print and address is None:
            raise AddressRequired()
        subscription = do_claim_gift(reader, gift.plan, months=gift.months, gift_id=gift.pk, now=now, address=address)
        gift.claimed_at, gift.recipient, gift.subscription = now, reader, subscription
        gift.sending_until = None
        gift.save(update_fields=["claimed_at", "recipient", "subscription", "sending_until"])
        record_gift_event(gift, "claimed", "recipient", reader=reader.pk, subscription=subscription.pk)
        # Only the claim that wrote it tells the giver; the task also checks the log before sending.
        transaction.on_commit(lambda: emails.send_claimed_notice.enqueue(gift_id))
    return gift
