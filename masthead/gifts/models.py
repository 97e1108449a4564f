"""Gift subscriptions: one payment by a giver, an email to the recipient on the chosen day, a claim.

A gift's money is its own (a charge at the gateway kept on this row, never a ledger Payment): the
giver gets nothing from it, and until it is claimed the recipient gets nothing either. Claiming
writes the recipient's access into the ledger through `subscriptions.services.gifts`, so the one
gate (`access.entitlements_for`) decides it like any other subscription.
"""

from __future__ import annotations

import datetime
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from masthead.subscriptions.models import GUARANTEE_DAYS, Plan, Subscription, format_money

TERMS = (3, 6, 12)  # months a gift may last


def new_claim_token() -> str:
    return secrets.token_urlsafe(32)


class Gift(models.Model):
    """One gift: what was bought, for whom, how it was paid, where it stands (scheduled, sent, claimed, refunded)."""

    # How its payment stands (the checkout's words: see subscriptions.models.Checkout).
    OPEN, AUTHENTICATING, PAID, DECLINED, REFUSED = "open", "authenticating", "paid", "declined", "refused"
    ABANDONED = "abandoned"
    PAYMENT_STATUSES = [
        (OPEN, "Not paid yet"),
        (AUTHENTICATING, "Awaiting the bank"),
        (PAID, "Paid"),
        (DECLINED, "Declined"),
        (REFUSED, "Refused"),
        # The giver's bank waited a day for them (services/purchase.py): withdrawn at the gateway, never charged.
        (ABANDONED, "Abandoned at the bank"),
    ]

    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="gifts_given")
    recipient_name = models.CharField(max_length=200)
    recipient_email = models.EmailField(max_length=254)
    message = models.TextField(blank=True, max_length=1000)
    deliver_on = models.DateField(help_text="The day the recipient is emailed (the magazine's time zone).")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+", help_text="The recipient's plan.")
    months = models.PositiveSmallIntegerField(choices=[(months, f"{months} months") for months in TERMS])
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    # A print gift's address, as the giver typed it; the recipient confirms or corrects it when claiming.
    address = models.JSONField(default=dict, blank=True)

    gateway = models.CharField(max_length=20)
    idempotency_key = models.CharField(max_length=120, unique=True)
    payment_status = models.CharField(max_length=20, choices=PAYMENT_STATUSES, default=OPEN)
    paying_until = models.DateTimeField(null=True, blank=True, help_text="A request works on the payment until then.")
    customer_ref = models.CharField(max_length=100, blank=True)
    payment_method_ref = models.CharField(max_length=100, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    charge_ref = models.CharField(max_length=100, blank=True)
    decline_code = models.CharField(max_length=50, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    authenticating_since = models.DateTimeField(
        null=True, blank=True, help_text="When the giver's bank began waiting for them to confirm the charge."
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    claim_token = models.CharField(max_length=64, unique=True, default=new_claim_token)
    sending_until = models.DateTimeField(null=True, blank=True, help_text="A worker is emailing the recipient.")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    times_sent = models.PositiveSmallIntegerField(default=0)

    claimed_at = models.DateTimeField(null=True, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="gifts_received"
    )
    subscription = models.ForeignKey(
        Subscription,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The recipient's subscription the gift started or lengthened.",
    )

    refund_started_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refund_ref = models.CharField(max_length=100, blank=True)

    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The delivery run looks for paid gifts not yet sent whose day has come.
            models.Index(
                fields=["deliver_on"],
                condition=Q(payment_status="paid", sent_at__isnull=True),
                name="gift_awaiting_delivery",
            )
        ]

    def __str__(self) -> str:
        return f"{self.months} months of {self.plan} for {self.recipient_name}"

    @property
    def number(self) -> str:
        """The gift's receipt number."""
        return f"G-{self.pk:06d}"

    @property
    def amount(self) -> str:
        return format_money(self.amount_cents, self.currency)

    @property
    def includes_print(self) -> bool:
        return self.plan.includes_print

    @property
    def state(self) -> str:
        """Where it stands, as the giver and staff read it."""
        if self.refunded_at:
            return "refunded"
        if self.refund_started_at:
            return "refund under way"  # the gateway failed or has not answered: the giver may press Refund again
        if self.claimed_at:
            return "claimed"
        if self.sent_at:
            return "sent"
        if self.payment_status == self.PAID:
            return "scheduled"
        if self.payment_status == self.AUTHENTICATING:
            return "awaiting the bank"
        if self.payment_status == self.ABANDONED:
            return "abandoned at the bank"
        return "not paid"

    @property
    def guarantee_ends(self) -> datetime.datetime | None:
        """60 days, as a subscriber's guarantee, from payment or the delivery day, whichever is later.

        A gift may be delivered up to a year after it is paid: the giver's window must not close before then.
        """
        if not self.paid_at:
            return None
        delivered = datetime.datetime.combine(self.deliver_on, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
        return max(self.paid_at, delivered) + datetime.timedelta(days=GUARANTEE_DAYS)

    @property
    def refund_under_way(self) -> bool:
        return self.refund_started_at is not None and self.refunded_at is None

    def refundable(self, now: datetime.datetime) -> bool:
        """A refund begun is finished whenever asked (the window was checked when it began)."""
        if self.refund_under_way:
            return True
        return (
            self.payment_status == self.PAID
            and self.claimed_at is None
            and self.refund_started_at is None
            and now < self.guarantee_ends
        )

    def claimable(self) -> bool:
        return self.payment_status == self.PAID and self.claimed_at is None and self.refund_started_at is None


class GiftEvent(models.Model):
    """Append-only log of what happened to a gift, and who or what did it (as SubscriptionEvent is for the ledger)."""

    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.CharField(max_length=200, help_text="giver, recipient, staff:<email>, system:<job>, gateway:<name>")
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Gift events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Gift events are append-only.")
