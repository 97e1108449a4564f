"""Background jobs of gifts: the delivery run (periodic) and a gift whose day is today (on payment)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from masthead.gifts.models import Gift

# A giver whose bank asked them to confirm and who closed the page: the delivery run asks the gateway after this
# (and gives up after subscriptions.services.payment_attempts.GIVE_UP_AFTER).
WAITING_PAYMENT_AGE = datetime.timedelta(hours=1)


@task()
def deliver_due_gifts() -> dict:
    """Email gifts whose day has come, settle (or after a day give up) payments left at the bank, finish refunds."""
    from masthead.gifts.services.delivery import deliver_due_gifts as deliver
    from masthead.gifts.services.errors import GiftPaymentInProgress
    from masthead.gifts.services.purchase import give_up_gift_payment, settle_gift_payment
    from masthead.gifts.services.refunds import refund_gift
    from masthead.subscriptions.gateways import CardDeclined, GatewayError, RefundRefused
    from masthead.subscriptions.services import BillingError
    from masthead.subscriptions.services.payment_attempts import GIVE_UP_AFTER

    now = timezone.now()
    settled = abandoned = 0
    waiting = Gift.objects.filter(
        payment_status=Gift.AUTHENTICATING, authenticating_since__lte=now - WAITING_PAYMENT_AGE
    )
    for gift in waiting.select_related("plan", "giver"):
        give_up = gift.authenticating_since <= now - GIVE_UP_AFTER
        try:
            gift = give_up_gift_payment(gift, now=now) if give_up else settle_gift_payment(gift, now=now)
        except (BillingError, CardDeclined, GatewayError, GiftPaymentInProgress):
            continue  # still waiting, declined (recorded so), or the gateway is away until the next run
        if gift.payment_status == Gift.ABANDONED:
            abandoned += 1
        else:
            settled += 1
    refunded = 0
    # A refund whose gateway call failed (or whose worker died) is asked again under its own key: refunded once.
    for gift_id in Gift.objects.filter(refund_started_at__isnull=False, refunded_at__isnull=True).values_list(
        "pk", flat=True
    ):
        try:
            refund_gift(gift_id, actor="system:deliver_due_gifts")
        except (RefundRefused, GatewayError):
            continue  # left under way: the next run, or the giver's button, asks again
        refunded += 1
    return {
        "sent": deliver(),
        "payments_settled": settled,
        "payments_abandoned": abandoned,
        "refunds_finished": refunded,
    }


@task()
def deliver_gift_when_due(gift_id: int) -> bool:
    """Send a gift just paid for, if its day is today (a later day is the delivery run's)."""
    from masthead.gifts.services.delivery import deliver_gift

    return deliver_gift(gift_id)
