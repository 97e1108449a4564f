"""The subscription ledger: plans, subscriptions, payments, refunds, receipts, addresses, the event log.

The ledger is the source of truth; gateways only move money. Every change to a subscription
writes a SubscriptionEvent in the same transaction. Money rows carry unique idempotency keys so a
retry or a second worker is refused by the database.
"""

from __future__ import annotations

import calendar
import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

GUARANTEE_DAYS = 60
# Days after a failed renewal's due date on which it is tried again: the default of DunningSettings,
# which staff change in the admin (renewals read it once per run).
RETRY_DAYS = (1, 3, 5, 7)
MAX_RETRIES = 8
# The decline code of a charge the reader's bank wants the reader to confirm (3-D Secure).
AUTHENTICATION_REQUIRED = "authentication_required"
MAX_RETRY_DAY = 30  # past-due readers keep access while retries last, so the window is bounded
# An auto-renewing subscription keeps access this long past its period end, so a reader is not
# locked out in the minutes or hours before the next renewal run charges them (or moves them to
# past-due, where access continues anyway). Cancelled and complimentary ones end exactly on time.
RENEWAL_GRACE = datetime.timedelta(days=1)
# The doors readers come to /subscribe/ through (the links' `?from=`): the last one before checkout is
# kept on the checkout and its subscription for circulation's dashboard. It never changes a price.
DOORS = [("paywall", "Paywall box"), ("footer", "Footer"), ("newsletter", "Newsletter"), ("offer", "Offer code link")]


class Plan(models.Model):
    """What a reader can buy; staff edit names and prices. A new price applies from each renewal."""

    MONTHLY, YEARLY = "month", "year"
    INTERVALS = [(MONTHLY, "Monthly"), (YEARLY, "Yearly")]

    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    interval = models.CharField(max_length=5, choices=INTERVALS)
    includes_print = models.BooleanField(default=False, help_text="Subscribers are mailed the print edition.")
    price_cents = models.PositiveIntegerField(
        help_text="Price per period, in the currency's minor unit (cents for USD, whole yen for JPY)."
    )
    currency = models.CharField(max_length=3, default="USD")
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, help_text="Offered on /subscribe/.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("interval"), FieldPanel("includes_print")]),
        FieldRowPanel([FieldPanel("price_cents"), FieldPanel("currency")]),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("is_active"), FieldPanel("sort_order")]),
    ]

    class Meta:
        ordering = ["sort_order", "price_cents"]

    def __str__(self) -> str:
        return self.name

    @property
    def price(self) -> str:
        return format_money(self.price_cents, self.currency)

    def period_end(self, start: datetime.datetime) -> datetime.datetime:
        """The end of a billing period that starts at `start` (month-end days are clamped)."""
        months = 12 if self.interval == self.YEARLY else 1
        return add_months(start, months)

    def counterpart(self, *, interval: str | None = None, includes_print: bool | None = None) -> Plan | None:
        """The active plan like this one but with another interval and/or print option."""
        return Plan.objects.filter(
            is_active=True,
            interval=interval or self.interval,
            includes_print=self.includes_print if includes_print is None else includes_print,
        ).first()


class Offer(models.Model):
    """A code readers type at checkout: money off their first period or periods, or a free trial.

    A trial needs a card (kept, not charged) and charges the plan's price when it ends, unless the
    reader cancelled. Each reader may use a code once; trials are for readers who never subscribed.
    """

    PERCENT, AMOUNT, TRIAL = "percent", "amount", "trial"
    KINDS = [(PERCENT, "Percentage off"), (AMOUNT, "Amount off"), (TRIAL, "Free trial")]

    code = models.CharField(
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", "Letters, digits, - and _ only, e.g. SPRING25.")],
        help_text="What readers type, e.g. SPRING25 (upper and lower case are the same code).",
    )
    name = models.CharField(max_length=100, help_text="For staff: where this code was handed out.")
    kind = models.CharField(max_length=10, choices=KINDS, default=PERCENT)
    percent_off = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 to 99.")
    amount_off_cents = models.PositiveIntegerField(
        "Amount off", null=True, blank=True, help_text="In the currency's minor unit (cents for USD)."
    )
    currency = models.CharField(max_length=3, blank=True, help_text="The amount's currency; the plans' own.")
    periods = models.PositiveSmallIntegerField(
        "Periods discounted", default=1, help_text="How many periods the discount lasts: 1 is the first only."
    )
    trial_days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Days free before the first charge.")
    plans = models.ManyToManyField(
        Plan, blank=True, related_name="offers", help_text="The plans it is good for; none chosen means every plan."
    )
    max_redemptions = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many readers may use it; empty for no limit."
    )
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Empty: from now.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until it is used up or switched off.")
    is_active = models.BooleanField(default=True, help_text="Untick to stop it being redeemed.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "offer code"

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalise_code(self.code)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.code = normalise_code(self.code)
        errors = {}
        if self.kind == self.PERCENT and not (self.percent_off and 1 <= self.percent_off <= 99):
            errors["percent_off"] = "Give a percentage from 1 to 99 (a free period is a trial)."
        if self.kind == self.AMOUNT:
            if not self.amount_off_cents:
                errors["amount_off_cents"] = "Give the amount taken off each discounted period."
            if not self.currency:
                errors["currency"] = "Give the amount's currency, e.g. USD."
        if self.kind == self.TRIAL and not (self.trial_days and 1 <= self.trial_days <= 365):
            errors["trial_days"] = "Give the trial's length, from 1 to 365 days."
        if self.kind != self.TRIAL and not self.periods:
            errors["periods"] = "A discount lasts at least one period."
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The offer must end after it starts."
        if errors:
            raise ValidationError(errors)
        self.currency = self.currency.upper()
        # Only this kind's terms are kept, so a code never carries a stale percentage into a trial.
        if self.kind != self.PERCENT:
            self.percent_off = None
        if self.kind != self.AMOUNT:
            self.amount_off_cents, self.currency = None, ""
        if self.kind != self.TRIAL:
            self.trial_days = None
        else:
            self.periods = 1

    @property
    def is_trial(self) -> bool:
        return self.kind == self.TRIAL

    def applies_to(self, plan: Plan) -> bool:
        """Whether a reader may redeem it for `plan`: one of its plans, and a price it can take money off."""
        chosen = list(self.plans.all())
        if chosen and plan not in chosen:
            return False
        if self.is_trial:
            return not plan.includes_print  # a trial is read on screen: print copies go out once paid
        if self.kind == self.AMOUNT:
            return self.currency == plan.currency and self.amount_off_cents < plan.price_cents
        return True

    def discount_terms(self, plan: Plan) -> dict:
        """The discount as a subscription keeps it when the code is redeemed for `plan` (empty for a trial)."""
        if self.kind == self.PERCENT:
            return {"percent": self.percent_off, "interval": plan.interval}
        if self.kind == self.AMOUNT:
            return {"amount": self.amount_off_cents, "currency": self.currency, "interval": plan.interval}
        return {}

    def discounted_price(self, plan: Plan) -> int:
        """What one discounted period of `plan` costs (a trial discounts nothing: it delays the first charge)."""
        return discounted(plan, self.discount_terms(plan))

    def first_charge(self, plan: Plan) -> int:
        """What checkout charges for `plan` with this code: nothing for a trial."""
        return 0 if self.is_trial else self.discounted_price(plan)


def discounted(plan: Plan, discount: dict) -> int:
    """`plan`'s price less a discount kept as Offer.discount_terms makes it; the full price if it cannot apply."""
    if "percent" in discount:
        return plan.price_cents - (plan.price_cents * discount["percent"] + 50) // 100
    if "amount" in discount and discount.get("currency") == plan.currency and discount["amount"] < plan.price_cents:
        return plan.price_cents - discount["amount"]
    return plan.price_cents


def normalise_code(code: str) -> str:
    """Readers type codes in any case and with stray spaces; they are kept in capitals."""
    return "".join(code.split()).upper()


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day `months` later; the 31st becomes the month's last day where there is none."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def format_money(minor_units: int, currency: str = "USD") -> str:
    """An amount in the currency's minor units as readers read it (see money.format_money)."""
    from masthead.subscriptions import money

    return money.format_money(minor_units, currency)


class GatewayCustomer(models.Model):
    """A reader's identity and stored card at a payment gateway."""

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="gateway_customers")
    gateway = models.CharField(max_length=20)
    customer_ref = models.CharField(max_length=100)
    payment_method_ref = models.CharField(max_length=100, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reader", "gateway"], name="one_customer_per_gateway")]


class Subscription(models.Model):
    ACTIVE, PAST_DUE, ENDED, REFUNDED = "active", "past_due", "ended", "refunded"
    STATUSES = [(ACTIVE, "Active"), (PAST_DUE, "Past due"), (ENDED, "Ended"), (REFUNDED, "Refunded")]
    LIVE_STATUSES = (ACTIVE, PAST_DUE)

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    next_plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The plan the subscription switches to at its next renewal.",
    )
    status = models.CharField(max_length=10, choices=STATUSES, default=ACTIVE, db_index=True)
    gateway = models.CharField(max_length=20)
    complimentary = models.BooleanField(default=False, help_text="Granted by staff; never charged.")
    started_at = models.DateTimeField()
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField(db_index=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=30, blank=True)
    cancel_reason_text = models.TextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    failed_renewal_attempts = models.PositiveSmallIntegerField(default=0)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    guarantee_claimed_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_for = models.DateTimeField(null=True, blank=True, help_text="Period end the reminder was sent for.")
    offer = models.ForeignKey(
        Offer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        help_text="The offer code redeemed at checkout.",
    )
    trial_ends_at = models.DateTimeField(null=True, blank=True, help_text="A trial's end: its first charge.")
    # The offer's discount as it was when redeemed (staff editing the code later change nothing here):
    # {"percent": 25} or {"amount": 300, "currency": "USD"}, with the interval it was given on.
    discount = models.JSONField(default=dict, blank=True)
    discount_periods_left = models.PositiveSmallIntegerField(
        default=0, help_text="Renewals still discounted; a switch to another interval ends the discount."
    )
    door = models.CharField(
        max_length=20, choices=DOORS, blank=True, help_text="Where the reader last clicked Subscribe before checkout."
    )
    # An article's id, not a foreign key: the ledger knows nothing of content (circulation looks titles up).
    door_article_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The article whose subscribe link the reader came through."
    )
    # Kept on the row beside its SubscriptionPause so the entitlement decision costs no extra query.
    paused_until = models.DateTimeField(
        null=True, blank=True, help_text="While a pause runs: when it ends (no print copy, no charge until then)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reader"],
                condition=Q(status__in=("active", "past_due")),
                name="one_live_subscription_per_reader",
            )
        ]
        indexes = [
            models.Index(fields=["status", "current_period_end"], name="subscription_due"),
            # Circulation's dashboard reads the day's endings and paid periods by date.
            models.Index(fields=["ended_at"], name="subscription_ended"),
            # ...and counts the doors of the subscriptions started since a date from the index alone,
            models.Index(fields=["started_at", "door", "door_article_id", "status"], name="subscription_doors"),
            # ...and today's subscribers by plan, complimentary, in a trial or past due, likewise.
            models.Index(
                fields=["plan", "status", "complimentary", "trial_ends_at", "current_period_start"],
                condition=Q(status__in=("active", "past_due")),
                name="subscription_live_by_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} for {self.reader}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES

    def grants_access(self, now: datetime.datetime) -> bool:
        """Digital access: paid-up, or in the retry window after a failed renewal."""
        if self.status == self.ACTIVE:
            return now < self.access_ends
        return self.status == self.PAST_DUE

    def is_paused(self, now: datetime.datetime) -> bool:
        """In a pause the reader asked for: no print copy, digital access as the publisher sets (access decides)."""
        return self.paused_until is not None and now < self.paused_until

    @property
    def paused_now(self) -> bool:
        """`is_paused` at this moment (for pages)."""
        return self.is_paused(timezone.now())

    @property
    def access_ends(self) -> datetime.datetime:
        """When an active subscription stops granting access if no renewal run touches it."""
        if self.cancel_at_period_end or self.complimentary:
            return self.current_period_end
        return self.current_period_end + RENEWAL_GRACE

    def first_payment(self) -> Payment | None:
        return self.payments.filter(status=Payment.SUCCEEDED).order_by("created_at").first()

    @property
    def guarantee_ends(self) -> datetime.datetime:
        """60 days from the first payment's period: after a trial, from its end."""
        return (self.trial_ends_at or self.started_at) + datetime.timedelta(days=GUARANTEE_DAYS)

    def guarantee_open(self, now: datetime.datetime) -> bool:
        return (
            not self.complimentary
            and not self.on_trial
            and self.status in self.LIVE_STATUSES
            and now < self.guarantee_ends
        )

    @property
    def on_trial(self) -> bool:
        """In a free trial (or its first charge failing): nothing has been paid, so nothing can be refunded."""
        return self.trial_ends_at is not None and self.current_period_start < self.trial_ends_at

    def next_period_price(self) -> int:
        """What the next renewal charges: the renewal plan's price, or the discounted one while it lasts."""
        return self.price_of_period(self.renewal_plan)

    @property
    def next_charge(self) -> str:
        return format_money(self.next_period_price(), self.renewal_plan.currency)

    def price_of_period(self, plan: Plan) -> int:
        """What a renewal on `plan` costs: discounted while discounted periods are left on the same interval."""
        if self.discount_periods_left and plan.interval == self.discount.get("interval"):
            return discounted(plan, self.discount)
        return plan.price_cents

    @property
    def renewal_plan(self) -> Plan:
        return self.next_plan or self.plan

    def awaits_authentication(self) -> bool:
        """Past due because the reader's bank wants the reader to confirm the renewal: dunning waits for them."""
        if self.status != self.PAST_DUE:
            return False
        latest = self.payments.filter(period_start=self.current_period_end).order_by("-created_at", "-pk").first()
        return latest is not None and latest.status == Payment.FAILED and latest.decline_code == AUTHENTICATION_REQUIRED

    def is_due(self, now: datetime.datetime) -> bool:
        if self.status == self.ACTIVE:
            return self.current_period_end <= now
        if self.status == self.PAST_DUE:
            return self.next_retry_at is not None and self.next_retry_at <= now
        return False


class SubscriptionPauseQuerySet(models.QuerySet):
    def in_effect_at(self, moment: datetime.datetime) -> SubscriptionPauseQuerySet:
        """Pauses running at `moment`: begun by then, and neither over nor resumed early by then."""
        return self.filter(starts_at__lte=moment, resumes_at__gt=moment).filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=moment)
        )


class SubscriptionPause(models.Model):
    """A reader's pause of 1 to 3 issues: no print copy of those issues, and the next charge moved later by their time.

    A pause runs from when the reader asks (`starts_at`) until the mailing list of the first issue
    after the paused ones closes (`resumes_at`), so every list drawn meanwhile leaves the reader out
    and the next one has them back. The charge moves by `resumes_at - charge_moved_from` (the skipped
    issues' time, not the days before the first of them closes), and to `resumes_at` at least, so
    nothing is charged while it runs (`charge_moved_by` is how far it moved). Resuming early ends it
    at once (`ended_at`) and takes back what was moved, less the skipped time already used.
    """

    MAX_ISSUES = 3

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="pauses")
    issues = models.PositiveSmallIntegerField(help_text="How many issues the reader asked to skip.")
    # Cover dates, not issues: the ledger knows nothing of editions (circulation draws the lists by time).
    first_cover_date = models.DateField(help_text="The first issue not mailed.")
    last_cover_date = models.DateField(help_text="The last issue not mailed.")
    starts_at = models.DateTimeField()
    resumes_at = models.DateTimeField(help_text="When the pause ends by itself.")
    # The charge moves by resumes_at - charge_moved_from; resuming early gives back only the part not yet used.
    charge_moved_from = models.DateTimeField(
        help_text="When the first skipped issue's list closes (or the pause began, if later)."
    )
    # Resuming early takes this back less the skipped time used (relative: a gift claimed meanwhile stays).
    charge_moved_by = models.DurationField(
        help_text="How far the pause moved the next charge (the skipped issues' time, or to resumes_at)."
    )
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When it ended: at resumes_at, or earlier.")
    reminder_sent_at = models.DateTimeField(null=True, blank=True, help_text="The week-before email was claimed.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SubscriptionPauseQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            # A second pause (a double click, two tabs) is refused by the database.
            models.UniqueConstraint(
                fields=["subscription"], condition=Q(ended_at__isnull=True), name="one_open_pause_per_subscription"
            ),
            models.CheckConstraint(condition=Q(resumes_at__gt=F("starts_at")), name="pause_ends_after_it_starts"),
        ]
        indexes = [models.Index(fields=["ended_at", "resumes_at"], name="pause_open_by_resume")]

    def __str__(self) -> str:
        return f"Pause of {self.subscription} until {self.resumes_at:%Y-%m-%d}"

    @property
    def length(self) -> datetime.timedelta:
        """How long it ran (or will run): what the next charge moves by."""
        return (self.ended_at or self.resumes_at) - self.starts_at


class Payment(models.Model):
    """One attempt to take money for one period of a subscription."""

    PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"
    STATUSES = [(PENDING, "Pending"), (SUCCEEDED, "Succeeded"), (FAILED, "Failed")]

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="payments")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    idempotency_key = models.CharField(max_length=120, unique=True)
    gateway_charge_ref = models.CharField(max_length=100, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    # The gateway's reason for a failure; "authentication_required" means the reader's bank wants them.
    decline_code = models.CharField(max_length=50, blank=True)
    # The card the charge was sent with: a charge sent again under its key must name the same card,
    # even if the reader has changed cards since.
    payment_method_ref = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Circulation's dashboard reads the periods that began or ended on a day; each index holds the
            # columns its sums read, so a day's paid periods come from the index alone (no payment's row).
            models.Index(
                fields=["period_start", "status", "period_end", "amount_cents", "currency"],
                name="payment_period_start_paid",
            ),
            models.Index(
                fields=["period_end", "status", "period_start", "amount_cents", "currency", "subscription"],
                name="payment_period_end_paid",
            ),
        ]
        constraints = [
            # A period is paid at most once, whatever retries or workers do.
            models.UniqueConstraint(
                fields=["subscription", "period_start"], condition=Q(status="succeeded"), name="one_payment_per_period"
            )
        ]

    @property
    def amount(self) -> str:
        return format_money(self.amount_cents, self.currency)

    @property
    def refunded_cents(self) -> int:
        return sum(refund.amount_cents for refund in self.refunds.all())

    @property
    def awaits_authentication(self) -> bool:
        """A renewal charge the reader's bank wants the reader to confirm (on /account/confirm-payment/)."""
        return self.status == self.FAILED and self.decline_code == AUTHENTICATION_REQUIRED


class Checkout(models.Model):
    """One checkout token's purchase: the terms its idempotency key stands for, the card kept for it, how it ended.

    The row is written before the gateway is called, so a token is bound on first use to one reader
    (in the key), one plan and one price; any other use of it is refused here. Only the request that
    holds the claim (`claimed_until`) talks to the gateway for it, so a double click stores one card
    and sends one charge; the other click waits for the first one's outcome.
    """

    OPEN, PAID, DECLINED, GIVEN_BACK, REFUSED = "open", "paid", "declined", "given_back", "refused"
    AUTHENTICATING, TRIAL = "authenticating", "trial"
    STATUSES = [
        (OPEN, "Open"),
        (AUTHENTICATING, "Awaiting the bank"),  # charged on-session; the reader's bank wants them to confirm
        (PAID, "Paid"),
        (TRIAL, "Trial started"),  # a card kept, nothing charged: the trial's end charges it
        (DECLINED, "Declined"),
        (GIVEN_BACK, "Given back"),  # charged, but another checkout had started a subscription: refunded
        (REFUSED, "Refused"),  # the gateway refused the key or answered with another charge
    ]

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkouts")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount_cents = models.PositiveIntegerField(help_text="What checkout charges: the first period, or 0 for a trial.")
    currency = models.CharField(max_length=3)
    gateway = models.CharField(max_length=20)
    idempotency_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=20, choices=STATUSES, default=OPEN)
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="A request works on it until then.")
    customer_ref = models.CharField(max_length=100, blank=True)
    payment_method_ref = models.CharField(max_length=100, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    charge_ref = models.CharField(max_length=100, blank=True)
    decline_code = models.CharField(max_length=50, blank=True)
    message = models.CharField(max_length=300, blank=True)
    # A print plan's address, kept while the reader's bank is asked, so whoever records the payment
    # (the reader's page or Stripe's webhook) records it too.
    address = models.JSONField(default=dict, blank=True)
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.PROTECT, related_name="checkouts"
    )
    # The door the reader came through, kept here so whoever records the payment (a webhook too) records it.
    door = models.CharField(max_length=20, choices=DOORS, blank=True)
    door_article_id = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A token's row is written when its card setup begins, which may be a day before its charge.
    authenticating_since = models.DateTimeField(
        null=True, blank=True, help_text="When the reader's bank began waiting for them to confirm the charge."
    )

    def __str__(self) -> str:
        return f"{self.plan} for {self.reader} ({self.status})"

    def is_for(self, plan: Plan, offer: Offer | None = None) -> bool:
        """Whether this checkout was opened for `plan` with `offer` at what they charge now."""
        charge = offer.first_charge(plan) if offer else plan.price_cents
        return (self.plan_id, self.offer_id, self.amount_cents, self.currency) == (
            plan.pk,
            offer.pk if offer else None,
            charge,
            plan.currency,
        )

    @property
    def has_card(self) -> bool:
        return bool(self.payment_method_ref)


class Receipt(models.Model):
    """The numbered receipt for a successful payment; its number is its row id."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    issued_at = models.DateTimeField(default=timezone.now)

    @property
    def number(self) -> str:
        return f"R-{self.pk:06d}"


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.PositiveIntegerField()
    reason = models.CharField(max_length=30)
    idempotency_key = models.CharField(max_length=120, unique=True)
    gateway_refund_ref = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    @property
    def amount(self) -> str:
        return format_money(self.amount_cents, self.payment.currency)


class SubscriptionEvent(models.Model):
    """Append-only log of everything that happened to a subscription, and who or what did it."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.CharField(max_length=200, help_text="reader, staff:<email>, system:<job> or gateway:<name>")
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        # Circulation's dashboard counts a day's events of a few kinds (renewals, endings) among its emails.
        indexes = [models.Index(fields=["kind", "created_at"], name="subscriptionevent_kind")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Subscription events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Subscription events are append-only.")


class PostalAddress(models.Model):
    """A print subscriber's mailing address from `valid_from` until the next one."""

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="postal_addresses")
    name = models.CharField(max_length=200)
    line1 = models.CharField("Address line 1", max_length=200)
    line2 = models.CharField("Address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField("State, province or region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)  # some countries have none (Hong Kong)
    country = models.CharField(max_length=2)
    valid_from = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_from", "-pk"]

    def lines(self) -> list[str]:
        from masthead.subscriptions.addresses import label_lines_of

        return label_lines_of(self)


class WebhookEvent(models.Model):
    """A gateway's webhook, stored before it is handled; a replay of the same event id is a no-op."""

    gateway = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="one_row_per_webhook_event")]


class SandboxCharge(models.Model):
    """The sandbox gateway's own record of money moved, as a real gateway would keep it."""

    customer_ref = models.CharField(max_length=100, db_index=True)
    payment_method_ref = models.CharField(max_length=100)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    idempotency_key = models.CharField(max_length=120, unique=True)
    succeeded = models.BooleanField()
    decline_code = models.CharField(max_length=50, blank=True)
    refunded_cents = models.PositiveIntegerField(default=0)
    refund_refs = models.JSONField(default=list, blank=True)
    # Waiting for the cardholder on the sandbox's bank page (3-D Secure), found by its unguessable ref.
    awaiting_authentication = models.BooleanField(default=False)
    authentication_ref = models.CharField(max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)


def new_sandbox_ref() -> str:
    return "sandbox_" + secrets.token_hex(12)


class SandboxPaymentMethod(models.Model):
    """A card stored at the sandbox gateway; `charge_outcome` is what its test number does when charged."""

    ref = models.CharField(max_length=40, unique=True, default=new_sandbox_ref)
    customer_ref = models.CharField(max_length=100)
    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    charge_outcome = models.CharField(max_length=30, default="succeeded")
    # When its bank asks the cardholder to confirm a charge: "" never, "on_session" when they are
    # paying in person (checkout), "always" (renewals too). See gateways/sandbox.py.
    authentication = models.CharField(max_length=20, blank=True)
    # Its charges are `processing` first and end as `charge_outcome` only later (see gateways/sandbox.py).
    processes = models.BooleanField(default=False)


def retry_days_problem(days: list[int]) -> str:
    """Why `days` cannot be a retry schedule, or "" when it can."""
    if not 1 <= len(days) <= MAX_RETRIES:
        return f"Give between 1 and {MAX_RETRIES} retries."
    if days[0] < 1:
        return "The first retry is at least 1 day after the renewal was due."
    if any(later <= earlier for earlier, later in zip(days, days[1:], strict=False)):
        return "Each retry comes on a later day than the one before (e.g. 1, 3, 5, 7)."
    if days[-1] > MAX_RETRY_DAY:
        return f"The last retry is at most {MAX_RETRY_DAY} days after the due date: readers keep access until then."
    return ""


def parse_retry_days(text: str) -> tuple[int, ...]:
    """ "1, 3, 5, 7" -> (1, 3, 5, 7); ValidationError with a message for staff otherwise."""
    parts = [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise ValidationError("Whole days after the due date, separated by commas, e.g. 1, 3, 5, 7.")
    days = [int(part) for part in parts]
    problem = retry_days_problem(days)
    if problem:
        raise ValidationError(problem)
    return tuple(days)


@register_setting(icon="repeat")
class DunningSettings(BaseGenericSetting):
    """When a failed renewal is tried again; one row for the site, edited by staff under Settings."""

    retry_days = models.CharField(
        max_length=100,
        default=", ".join(str(day) for day in RETRY_DAYS),
        validators=[parse_retry_days],
        help_text=(
            "Days after the due date on which a failed renewal is charged again, each with an email, e.g. 1, 3, 5, 7. "
            f"Between 1 and {MAX_RETRIES} retries; readers keep access meanwhile, and after the last one fails the "
            "subscription ends. A change applies from each subscription's next failure."
        ),
    )

    panels = [FieldPanel("retry_days")]

    class Meta:
        verbose_name = "Dunning"

    def save(self, *args, **kwargs):
        self.retry_days = ", ".join(str(day) for day in parse_retry_days(self.retry_days))
        super().save(*args, **kwargs)

    @property
    def schedule(self) -> tuple[int, ...]:
        return parse_retry_days(self.retry_days)


def retry_schedule() -> tuple[int, ...]:
    """The retry days staff have set (Settings > Dunning), or the default until they have."""
    row = DunningSettings.base_queryset().first()
    return row.schedule if row else RETRY_DAYS
