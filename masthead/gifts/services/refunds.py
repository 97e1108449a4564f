"""An unclaimed gift's money back to the giver, within the same 60-day guarantee a subscriber has.

As the ledger's guarantee refund does (subscriptions.services.refunds): the decision is taken under
the gift's row lock and written first (so a claim cannot slip in after it), then the gateway
refunds under a key of the gift's own, so a retry after a failure or a double click refunds once.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from masthead.gifts import emails
from masthead.gifts.models import Gift
from masthead.gifts.services.errors import GiftNotRefundable
from masthead.gifts.services.log import record_gift_event
from masthead.subscriptions.gateways import Gateway, get_gateway


def refund_key(gift: Gift) -> str:
    return f"gift-refund:{gift.pk}"


def refund_gift(
    gift_id: int, *, actor: str, now: datetime.datetime | None = None, gateway: Gateway | None = None
) -> Gift:
    """Refund an unclaimed gift in full, within its 60 days (Gift.guarantee_ends); once, whatever the retries."""
    now = now or timezone.now()
    with transaction.atomic():
        gift = Gift.objects.select_for_update().get(pk=gift_id)
        if gift.refunded_at:
            return gift
        if gift.refund_started_at is None:
            if gift.claimed_at:
                raise GiftNotRefundable("This gift has been claimed, so it can no longer be refunded.")
            if gift.payment_status != Gift.PAID:
                raise GiftNotRefundable("Nothing was paid for this gift.")
            if now >= gift.guarantee_ends:
                raise GiftNotRefundable(
                    f"The 60-day money-back guarantee for this gift ended on {gift.guarantee_ends:%B %-d, %Y}."
                )
            gift.refund_started_at = now
            gift.save(update_fields=["refund_started_at"])
            record_gift_event(gift, "refund_started", actor, amount=gift.amount)
    # Outside the transaction: no row is held while the gateway is asked.
    gateway = gateway or get_gateway(gift.gateway)
    refund_ref = gateway.refund(
        charge_ref=gift.charge_ref, amount_cents=gift.amount_cents, idempotency_key=refund_key(gift)
    )
    with transaction.atomic():
        if Gift.objects.filter(pk=gift.pk, refunded_at__isnull=True).update(refunded_at=now, refund_ref=refund_ref):
            gift.refresh_from_db()
            record_gift_event(gift, "refunded", f"gateway:{gift.gateway}", amount=gift.amount, refund=refund_ref)
            transaction.on_commit(lambda: emails.send_refund_notice.enqueue(gift.pk))
    gift.refresh_from_db()
    return gift
