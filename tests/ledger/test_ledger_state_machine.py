"""The ledger as a state machine: whatever readers, cards, renewal runs, crashes and the clock do, the promises hold.

Hypothesis drives two readers (alice and bob) through random sequences of subscribe,
double-clicked pay, renewal runs, renewal runs that crash, cards that start or stop failing,
cards whose bank asks the reader to confirm (3-D Secure: at checkout, or at every renewal, which
then waits for the reader's answer from the emailed link until dunning's last day), cancel, resume,
the money-back guarantee, plan switches, staff price changes and clock moves; checkouts may
redeem an offer code (20% off the first two periods, or a 7-day free trial that keeps the card
and charges at its end). Readers pause for 1 to 3 issues (refused in dunning, a trial, once
cancelled or ended, or while paused) and come back early or by themselves; the publisher keeps
or closes digital access during pauses.
After every step it checks the database against the promises (no period paid twice, the gateway
and the ledger agree one-to-one, refunds never exceed payments, one live subscription per reader,
refunded only under the guarantee) and against `Model`, a small independent account of what each
subscription should be, which also says when a reader may read.

Time is the machine's own clock, passed as `now=` to every service; nothing is frozen.
`LEDGER_EXAMPLES=500 .venv/bin/pytest tests/ledger/test_ledger_state_machine.py` hunts longer.
"""

from __future__ import annotations

import datetime
import itertools
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from masthead.access.entitlements import entitlements_for
from masthead.access.models import PaywallSettings
from masthead.circulation.services import closes_at_cover_date, pause_choices
from masthead.institutions.models import Institution, Membership
from masthead.subscriptions import services
from masthead.subscriptions.gateways import CardDeclined, CardInput
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import (
    GUARANTEE_DAYS,
    RETRY_DAYS,
    GatewayCustomer,
    Offer,
    Payment,
    Plan,
    Refund,
    SandboxCharge,
    SandboxPaymentMethod,
    Subscription,
    add_months,
)
from masthead.subscriptions.services import (
    AddressInput,
    AddressRequired,
    AlreadySubscribed,
    AuthenticationRequired,
    BillingError,
    CheckoutTokenUsed,
    GuaranteeAlreadyUsed,
    GuaranteeExpired,
    NotCancellable,
    NothingPaidYet,
    OfferUnavailable,
    pauses,
)
from masthead.subscriptions.services.errors import PauseRefused

READERS = ("alice", "bob")
PLANS = ("digital-monthly", "digital-yearly", "digital-print-monthly", "digital-print-yearly")
CARDS = {
    "good": CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123"),
    # Stored without complaint, declined when charged.
    "declines_on_charge": CardInput(number="4000000000000341", exp_month=12, exp_year=2034, cvc="123"),
    # Its bank asks the reader to confirm when they pay at checkout; its renewals go through.
    "asks_at_checkout": CardInput(number="4000002500003155", exp_month=12, exp_year=2034, cvc="123"),
}
CARD_OUTCOMES = ("succeeded", "card_declined", "insufficient_funds")
# A card whose bank comes to ask the reader to confirm every charge, renewals too (and then, maybe, declines).
ASKING_OUTCOMES = {"asks_for_authentication": "succeeded", "asks_then_declines": "card_declined"}
ADDRESS = AddressInput(name="A Reader", line1="1 Main Street", city="Springfield", postal_code="62701", country="US")
GUARANTEE = datetime.timedelta(days=GUARANTEE_DAYS)
LIVE = Subscription.LIVE_STATUSES
# The codes on offer: 20% off the first two periods of any plan; a 7-day trial of a digital plan.
DISCOUNT = {"code": "TWENTY", "kind": Offer.PERCENT, "percent_off": 20, "periods": 2}
TRIAL = {"code": "TRYWEEK", "kind": Offer.TRIAL, "trial_days": 7}
TRIAL_LENGTH = datetime.timedelta(days=7)
OFFERS = (None, None, "TWENTY", "TRYWEEK")


def discounted(price: int) -> int:
    return price - (price * 20 + 50) // 100


CLOCK_STARTS = [
    # Launch moments on awkward days: month ends (periods clamp to shorter months), a leap day, midnight.
    datetime.datetime(2027, 1, 31, 9, 0, tzinfo=datetime.UTC),
    datetime.datetime(2027, 3, 10, 9, 0, tzinfo=datetime.UTC),
    datetime.datetime(2027, 8, 30, 23, 30, tzinfo=datetime.UTC),
    datetime.datetime(2027, 12, 31, 23, 59, tzinfo=datetime.UTC),
    datetime.datetime(2028, 2, 29, 12, 0, tzinfo=datetime.UTC),
]


class Crash(Exception):
    """The renewal worker died here (SIGKILL, OOM, a deploy)."""


@dataclass
class Pending:
    """A renewal charge the ledger left pending when its worker crashed."""

    key: str
    amount_cents: int
    period_end: datetime.datetime
    succeeded: bool | None  # None: the worker died before reaching the gateway
    asks: bool = False  # the charge it sent waits for the reader's bank


@dataclass
class Awaiting:
    """A renewal charge the reader's bank holds for the reader: what it takes, and the period it pays for."""

    amount_cents: int
    period_end: datetime.datetime


@dataclass
class Expected:
    """What one subscription should be, worked out from the rules alone."""

    pk: int
    reader: str
    plan: str
    status: str
    started_at: datetime.datetime
    period_start: datetime.datetime
    period_end: datetime.datetime
    kept_cents: int  # paid and not given back
    next_plan: str | None = None
    cancel_at_period_end: bool = False
    attempts: int = 0
    next_retry_at: datetime.datetime | None = None
    pending: Pending | None = None
    awaiting: Awaiting | None = None
    offer: str | None = None
    discount_left: int = 0  # renewals still discounted, on the interval the code was redeemed for
    discount_interval: str = ""
    trial_end: datetime.datetime | None = None
    paused_until: datetime.datetime | None = None  # a pause runs until then: no print, no charge
    pauses: list[tuple[datetime.datetime, int]] = field(default_factory=list)  # begun at, issues asked
    pause_credit_from: datetime.datetime | None = None  # the running pause's charge moved from here to paused_until
    pause_moved_by: datetime.timedelta = datetime.timedelta(0)  # how far the running pause moved the period end

    @property
    def live(self) -> bool:
        return self.status in LIVE

    @property
    def on_trial(self) -> bool:
        """Nothing paid yet: in the trial, or its first charge failing."""
        return self.trial_end is not None and self.period_start < self.trial_end

    @property
    def guarantee_ends(self) -> datetime.datetime:
        return (self.trial_end or self.started_at) + GUARANTEE

    def paused(self, now: datetime.datetime) -> bool:
        return self.paused_until is not None and now < self.paused_until

    def pause_refused(self, now: datetime.datetime, issues: int, *, has_print: bool, digital_open: bool) -> bool:
        """Only a paid-up, renewing subscription that is not paused already may pause (not in dunning, nor a trial);
        not digital only while paused readers keep digital, and at most 3 issues in any 12 months."""
        asked = sum(count for begun, count in self.pauses if begun > now - datetime.timedelta(days=365))
        return (
            self.status != Subscription.ACTIVE
            or self.cancel_at_period_end
            or self.paused(now)
            or self.on_trial
            or self.period_end <= now
            or (digital_open and not has_print)
            or asked + issues > 3
        )

    def due(self, now: datetime.datetime) -> bool:
        if self.paused(now):
            return False  # never charged while paused
        if self.status == Subscription.ACTIVE:
            return self.period_end <= now
        return self.status == Subscription.PAST_DUE and self.next_retry_at <= now

    def renewal_key(self) -> str:
        return f"renewal:{self.pk}:{self.period_end:%Y%m%dT%H%M%S}:{self.attempts}"


@dataclass
class Model:
    """The rules of issue 3, kept apart from the code under test."""

    prices: dict[str, int]
    intervals: dict[str, str]
    plans_with_print: dict[str, bool]
    subscriptions: dict[str, list[Expected]] = field(default_factory=lambda: defaultdict(list))
    card_fails: dict[str, bool] = field(default_factory=dict)
    card_asks: dict[str, bool] = field(default_factory=dict)  # its bank asks at every charge, renewals too
    has_address: set[str] = field(default_factory=set)
    guarantee_used: set[str] = field(default_factory=set)
    digital_while_paused: bool = True  # the publisher's setting (Settings > Paywall)
    seats: dict[str, list[tuple[datetime.datetime, datetime.datetime]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # an institution's seat: from, until

    def price_for(self, sub: Expected, plan: str) -> int:
        """The next period's price: 20% off for the second of the discount's two periods, on the same interval."""
        if sub.discount_left and self.intervals[plan] == sub.discount_interval:
            return discounted(self.prices[plan])
        return self.prices[plan]

    def offer_refused(self, reader: str, plan: str, offer: str | None) -> bool:
        """A code the reader may not redeem for this plan: used before, or a trial for a returning reader or print."""
        if offer is None:
            return False
        used = any(sub.offer == offer for sub in self.subscriptions[reader])
        if offer == "TRYWEEK":
            return used or bool(self.subscriptions[reader]) or self.plans_with_print[plan]
        return used

    def period_end(self, plan: str, start: datetime.datetime) -> datetime.datetime:
        return add_months(start, 12 if self.intervals[plan] == Plan.YEARLY else 1)

    def latest(self, reader: str) -> Expected | None:
        return self.subscriptions[reader][-1] if self.subscriptions[reader] else None

    def live(self, reader: str) -> Expected | None:
        return next((sub for sub in self.subscriptions[reader] if sub.live), None)

    def may_read(self, reader: str, now: datetime.datetime) -> bool:
        """Digital access: their own subscription's, or an institution's seat held now."""
        return self.reads_own_subscription(reader, now) or self.holds_seat(reader, now)

    def reads_own_subscription(self, reader: str, now: datetime.datetime) -> bool:
        """Paid up (below), unless paused while the publisher closes digital to paused readers."""
        sub = self.live(reader)
        if not self.paid_up(reader, now):
            return False
        return self.digital_while_paused or not sub.paused(now)

    def holds_seat(self, reader: str, now: datetime.datetime) -> bool:
        return any(starts <= now < ends for starts, ends in self.seats[reader])

    def gets_print(self, reader: str, now: datetime.datetime) -> bool:
        """On the printer's list: paid up on a print plan and not paused."""
        sub = self.live(reader)
        return self.paid_up(reader, now) and self.plans_with_print[sub.plan] and not sub.paused(now)

    def paid_up(self, reader: str, now: datetime.datetime) -> bool:
        """Paid up to a future period end, or in the retry window after a failed renewal."""
        sub = self.live(reader)
        if sub is None:
            return False
        if sub.status == Subscription.ACTIVE:
            # A day's grace before the renewal run, unless the reader cancelled.
            grace = datetime.timedelta(0) if sub.cancel_at_period_end else datetime.timedelta(days=1)
            return now < sub.period_end + grace
        return True

    def all(self) -> list[Expected]:
        return [sub for subs in self.subscriptions.values() for sub in subs]

    def renew(self, sub: Expected, now: datetime.datetime) -> str:
        """One due subscription through one renewal run; returns the run's word for what happened."""
        if sub.status == Subscription.ACTIVE and sub.cancel_at_period_end:
            sub.status = Subscription.ENDED
            return "ended"
        if sub.awaiting is not None:
            # Dunning's last day and the reader never confirmed: the charge is withdrawn, the subscription ends.
            sub.status, sub.next_retry_at, sub.awaiting = Subscription.ENDED, None, None
            return "ended"
        asks = self.card_asks.get(sub.reader, False)
        if sub.pending and sub.pending.key == sub.renewal_key():
            # The crashed attempt is finished with the same key: the gateway repeats its first answer.
            pending, sub.pending = sub.pending, None
            amount, period_end = pending.amount_cents, pending.period_end
            if pending.succeeded is None:
                succeeded = not asks and not self.card_fails[sub.reader]
            else:
                succeeded, asks = pending.succeeded, pending.asks
        else:
            plan = sub.next_plan or sub.plan
            amount, period_end = self.price_for(sub, plan), self.period_end(plan, sub.period_end)
            succeeded = not asks and not self.card_fails[sub.reader]
        if succeeded:
            self.renewed(sub, amount, period_end)
            return "renewed"
        sub.attempts += 1
        if sub.attempts > len(RETRY_DAYS):
            sub.status, sub.next_retry_at = Subscription.ENDED, None
            return "ended"
        sub.status = Subscription.PAST_DUE
        if asks:
            # Not charged again blindly: it waits for the reader, who is emailed the link, until the last retry day.
            sub.awaiting = Awaiting(amount, period_end)
            sub.next_retry_at = sub.period_end + datetime.timedelta(days=RETRY_DAYS[-1])
        else:
            sub.next_retry_at = sub.period_end + datetime.timedelta(days=RETRY_DAYS[sub.attempts - 1])
        return "failed"

    def renewed(self, sub: Expected, amount: int, period_end: datetime.datetime) -> None:
        if sub.discount_left:
            # A renewal on another interval (a switch) ends the discount instead of using it.
            same = self.intervals[sub.next_plan or sub.plan] == sub.discount_interval
            sub.discount_left = sub.discount_left - 1 if same else 0
        sub.plan, sub.next_plan = sub.next_plan or sub.plan, None
        sub.status = Subscription.ACTIVE
        sub.period_start, sub.period_end = sub.period_end, period_end
        sub.attempts, sub.next_retry_at, sub.awaiting = 0, None, None
        sub.kept_cents += amount


def someone_subscribed(machine: LedgerMachine) -> bool:
    return hasattr(machine, "model") and bool(machine.model.all())


class LedgerMachine(RuleBasedStateMachine):
    """Each example runs inside a savepoint rolled back at teardown, so every example starts from the migrated database.

    Hypothesis calls no per-example Django set-up for state machines (hypothesis.extra.django's
    TestCase hooks run only around @given tests), so the machine opens and discards its own
    transaction; the pytest `db` fixture around the whole run adds the outer one.
    """

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.tokens = itertools.count(1)
        self.last_checkout: dict[str, dict] = {}

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @initialize(start=st.sampled_from(CLOCK_STARTS), first_plan=st.sampled_from(PLANS))
    def open_the_shop(self, start, first_plan):
        """Launch day: alice subscribes at once (so every example has a ledger to work on); bob waits."""
        self.now = start
        plans = {plan.slug: plan for plan in Plan.objects.filter(slug__in=PLANS)}
        self.plans = plans
        self.model = Model(
            prices={slug: plan.price_cents for slug, plan in plans.items()},
            intervals={slug: plan.interval for slug, plan in plans.items()},
            plans_with_print={slug: plan.includes_print for slug, plan in plans.items()},
        )
        self.offers = {terms["code"]: Offer.objects.create(name=terms["code"], **terms) for terms in (DISCOUNT, TRIAL)}
        self.readers = {
            name: get_user_model().objects.create(username=name, email=f"{name}@example.com") for name in READERS
        }
        self.subscribe("alice", first_plan, "good", with_address=True)
        assert self.model.live("alice")

    # -- helpers ---------------------------------------------------------------------------------

    def subscription(self, expected: Expected) -> Subscription:
        return Subscription.objects.get(pk=expected.pk)

    def checkout(self, reader: str, plan: str, card: str, token: str, with_address: bool, offer: str | None = None):
        """Pay as the checkout page does; returns the subscription or the exception the reader sees."""
        try:
            return services.do_subscribe(
                reader=self.readers[reader],
                plan=self.plans[plan],
                card=CARDS[card],
                checkout_token=token,
                address=ADDRESS if with_address else None,
                offer=self.offers[offer] if offer else None,
                now=self.now,
            )
        except (BillingError, CardDeclined) as error:
            return error

    # -- readers ---------------------------------------------------------------------------------

    @rule(
        reader=st.sampled_from(READERS),
        plan=st.sampled_from(PLANS),
        card=st.sampled_from(["good", "good", "declines_on_charge", "asks_at_checkout"]),
        with_address=st.sampled_from([True, True, False]),
        bank_confirms=st.booleans(),
        offer=st.sampled_from(OFFERS),
    )
    def subscribe(self, reader, plan, card, with_address, bank_confirms=True, offer=None):
        model = self.model
        token = f"t{next(self.tokens)}"
        charges_before = SandboxCharge.objects.count()
        refused = model.offer_refused(reader, plan, offer)
        result = self.checkout(reader, plan, card, token, with_address, offer)
        if isinstance(result, AuthenticationRequired):
            assert offer != "TRYWEEK", "a trial charged at checkout"
            # The sandbox's bank page: the reader answers, the bank tells the ledger, the reader comes back.
            assert card == "asks_at_checkout" and not model.live(reader), result
            SandboxGateway().authenticate(result.action_secret, confirmed=bank_confirms)
            services.settle_authenticated_charge("sandbox", result.charge_ref, now=self.now)
            result = self.checkout(reader, plan, card, token, with_address, offer)
            assert SandboxCharge.objects.count() == charges_before + 1
            card = card if bank_confirms else "declines_on_charge"  # what the reader saw: no subscription
            event(f"checkout: the bank asks and the reader {'confirms' if bank_confirms else 'fails'}")

        if model.live(reader):
            assert isinstance(result, AlreadySubscribed), result
            assert SandboxCharge.objects.count() == charges_before
            return
        if self.plans[plan].includes_print and not with_address:
            assert isinstance(result, AddressRequired), result
            assert SandboxCharge.objects.count() == charges_before
            return
        if refused:
            assert isinstance(result, OfferUnavailable), result
            assert SandboxCharge.objects.count() == charges_before
            event(f"checkout: offer {offer} refused")
            return
        trial = offer == "TRYWEEK"
        self.last_checkout[reader] = {
            "plan": plan,
            "card": card,
            "token": token,
            "with_address": with_address,
            "price": model.prices[plan],
            "offer": offer,
        }
        if trial:
            # Nothing is charged, whatever the card: a card that declines or asks its bank shows at the trial's end.
            assert SandboxCharge.objects.count() == charges_before, "a trial charged at checkout"
            event("checkout: a trial starts")
        model.card_fails[reader] = card == "declines_on_charge"
        model.card_asks[reader] = False
        if card == "declines_on_charge" and not trial:
            assert isinstance(result, CardDeclined), result
            self.last_checkout[reader]["result"] = None
            return
        assert isinstance(result, Subscription), result
        self.last_checkout[reader]["result"] = result.pk
        if with_address:
            model.has_address.add(reader)
        first_charge = discounted(model.prices[plan]) if offer == "TWENTY" else model.prices[plan]
        model.subscriptions[reader].append(
            Expected(
                pk=result.pk,
                reader=reader,
                plan=plan,
                status=Subscription.ACTIVE,
                started_at=self.now,
                period_start=self.now,
                period_end=self.now + TRIAL_LENGTH if trial else model.period_end(plan, self.now),
                kept_cents=0 if trial else first_charge,
                offer=offer,
                discount_left=1 if offer == "TWENTY" else 0,
                discount_interval=model.intervals[plan] if offer == "TWENTY" else "",
                trial_end=self.now + TRIAL_LENGTH if trial else None,
            )
        )

    @precondition(lambda self: bool(self.last_checkout))
    @rule(reader=st.sampled_from(READERS))
    def pay_again_with_the_same_checkout(self, reader):
        """A double click, or the browser's back button and Pay again: the same checkout token."""
        last = self.last_checkout.get(reader)
        if last is None:
            return
        charges_before = SandboxCharge.objects.count()
        result = self.checkout(reader, last["plan"], last["card"], last["token"], last["with_address"], last["offer"])
        assert SandboxCharge.objects.count() == charges_before, "a repeated checkout charged again"
        if last["result"] is not None:
            assert isinstance(result, Subscription) and result.pk == last["result"], result
        elif self.model.live(reader):
            assert isinstance(result, AlreadySubscribed), result
        elif self.model.offer_refused(reader, last["plan"], last["offer"]):
            # Its code was redeemed since, with another checkout: the old form cannot redeem it again.
            assert isinstance(result, OfferUnavailable), result
        elif isinstance(result, CheckoutTokenUsed):
            # The form's token is bound to the price it showed; staff changed that price since.
            assert self.model.prices[last["plan"]] != last["price"], result
        else:
            # The card is stored again (the same declining number), and the gateway repeats its decline.
            assert isinstance(result, CardDeclined), result
            self.model.card_fails[reader] = True

    @rule(reader=st.sampled_from(READERS), outcome=st.sampled_from(CARD_OUTCOMES))
    def card_starts_behaving(self, reader, outcome):
        """The reader's stored card declines (or works again) from now on: expired, frozen, topped up."""
        self.card_behaves(reader, outcome)

    @rule(reader=st.sampled_from(READERS), outcome=st.sampled_from(tuple(ASKING_OUTCOMES)))
    def card_starts_asking_its_bank(self, reader, outcome):
        """The reader's bank asks them to confirm every charge from now on (and maybe declines once they have)."""
        self.card_behaves(reader, outcome)

    @precondition(someone_subscribed)
    @rule(reader=st.sampled_from(READERS), outcome=st.sampled_from(tuple(ASKING_OUTCOMES)))
    def the_bank_asks_at_the_next_renewal(self, reader, outcome):
        """The same, and the next renewal run comes: the likeliest way to a renewal that waits for its reader."""
        self.card_behaves(reader, outcome)
        self.renewal_run(wait_for_the_next_renewal=True)

    def card_behaves(self, reader, outcome):
        customer = GatewayCustomer.objects.filter(reader=self.readers[reader], gateway="sandbox").first()
        if customer is None:
            return
        asks = outcome in ASKING_OUTCOMES
        charge_outcome = ASKING_OUTCOMES.get(outcome, outcome)
        SandboxPaymentMethod.objects.filter(ref=customer.payment_method_ref).update(
            charge_outcome=charge_outcome, authentication="always" if asks else ""
        )
        self.model.card_fails[reader] = charge_outcome != "succeeded"
        self.model.card_asks[reader] = asks

    def readers_the_bank_waits_for(self) -> list[str]:
        return [name for name in READERS if (sub := self.model.live(name)) is not None and sub.awaiting is not None]

    @precondition(lambda self: hasattr(self, "model") and self.readers_the_bank_waits_for())
    @rule(data=st.data(), confirm=st.booleans())
    def reader_answers_the_bank_from_the_emailed_link(self, data, confirm):
        """/account/confirm-payment/: the renewal the bank holds, confirmed (or not) on the bank's page."""
        reader = data.draw(st.sampled_from(self.readers_the_bank_waits_for()), label="reader")
        sub = self.model.live(reader)
        waiting = services.payment_awaiting_authentication(self.readers[reader])
        charges_before = SandboxCharge.objects.count()
        try:
            outcome = services.begin_renewal_authentication(waiting, now=self.now)
        except AuthenticationRequired as asked:
            SandboxGateway().authenticate(asked.action_secret, confirmed=confirm)
            heard = services.settle_authenticated_charge("sandbox", asked.charge_ref, now=self.now)  # at once
            outcome = services.complete_renewal_authentication(waiting.pk, now=self.now)  # the page it returns to
            assert heard in ("renewed", "not_confirmed"), heard
            outcome = heard if outcome == "already_recorded" else outcome
        assert SandboxCharge.objects.count() == charges_before, "confirming a renewal made another charge"
        if confirm and not self.model.card_fails[reader]:
            assert outcome == "renewed", outcome
            self.model.renewed(sub, sub.awaiting.amount_cents, sub.awaiting.period_end)
        else:
            assert outcome == "not_confirmed", outcome
        event(f"renewal: the bank asks and the reader {'confirms' if confirm else 'fails'}: {outcome}")

    @precondition(someone_subscribed)
    @rule(reader=st.sampled_from(READERS))
    def cancel(self, reader):
        sub = self.model.latest(reader)
        if sub is None:
            return
        try:
            services.do_cancel(self.subscription(sub), actor="reader", reason="too_expensive", now=self.now)
        except NotCancellable:
            assert not sub.live or sub.cancel_at_period_end, sub
            return
        assert sub.live and not sub.cancel_at_period_end, sub
        if sub.status == Subscription.PAST_DUE:
            sub.status, sub.next_retry_at, sub.awaiting = Subscription.ENDED, None, None
        else:
            sub.cancel_at_period_end = True

    @precondition(someone_subscribed)
    @rule(reader=st.sampled_from(READERS))
    def resume(self, reader):
        sub = self.model.latest(reader)
        if sub is None:
            return
        try:
            services.do_resume(self.subscription(sub), actor="reader", now=self.now)
        except BillingError:
            assert not (sub.status == Subscription.ACTIVE and sub.cancel_at_period_end and self.now < sub.period_end)
            return
        assert sub.status == Subscription.ACTIVE and sub.cancel_at_period_end and self.now < sub.period_end, sub
        sub.cancel_at_period_end = False

    @precondition(someone_subscribed)
    @rule(reader=st.sampled_from(READERS))
    def ask_for_the_money_back(self, reader):
        sub = self.model.latest(reader)
        if sub is None:
            return
        claimed = sub.status == Subscription.REFUNDED
        try:
            services.do_refund_under_guarantee(self.subscription(sub), actor="reader", now=self.now)
        except NothingPaidYet:
            assert not claimed and sub.on_trial, sub
            return
        except GuaranteeAlreadyUsed:
            assert not claimed and reader in self.model.guarantee_used, sub
            return
        except GuaranteeExpired:
            assert not claimed and not (sub.live and self.now < sub.guarantee_ends), sub
            return
        assert not sub.on_trial or claimed, sub
        assert claimed or (reader not in self.model.guarantee_used and sub.live and self.now < sub.guarantee_ends)
        if not claimed:
            # Every payment so far fell inside the 60 days, since the claim itself does.
            sub.kept_cents = 0
            sub.status, sub.cancel_at_period_end, sub.next_retry_at = Subscription.REFUNDED, False, None
            sub.awaiting = None
            self.model.guarantee_used.add(reader)

    @precondition(someone_subscribed)
    @rule(reader=st.sampled_from(READERS), plan=st.sampled_from(PLANS), with_address=st.booleans())
    def change_plan(self, reader, plan, with_address):
        sub = self.model.latest(reader)
        if sub is None:
            return
        try:
            services.do_change_plan(
                self.subscription(sub),
                self.plans[plan],
                actor="reader",
                address=ADDRESS if with_address else None,
                now=self.now,
            )
        except AddressRequired:
            assert sub.live and self.plans[plan].includes_print and not with_address
            assert reader not in self.model.has_address
            return
        except BillingError:
            assert not sub.live, sub
            return
        assert sub.live, sub
        if with_address:
            self.model.has_address.add(reader)
        sub.next_plan = None if plan == sub.plan else plan

    @precondition(someone_subscribed)
    @rule(reader=st.sampled_from(READERS), issues=st.integers(min_value=1, max_value=3))
    def pause(self, reader, issues):
        """/account/pause/: skip the next 1 to 3 issues; the period end moves by the skipped time, past the pause."""
        sub = self.model.live(reader) or self.model.latest(reader)
        if sub is None:
            return
        plan = pause_choices(self.now)[issues - 1]
        digital_open = self.model.digital_while_paused
        refused = sub.pause_refused(
            self.now, issues, has_print=self.model.plans_with_print[sub.plan], digital_open=digital_open
        )
        try:
            pauses.do_pause(
                self.subscription(sub), plan, actor="reader", digital_while_paused=digital_open, now=self.now
            )
        except PauseRefused:
            assert refused, sub
            event(f"pause refused: {sub.status}{' (paused)' if sub.paused(self.now) else ''}")
            return
        assert not refused, sub
        sub.pauses.append((self.now, issues))
        # The rule: the reader is not charged for what they miss, from the first skipped issue's close to the end.
        # And no renewal falls due while the pause runs: the charge moves to its end at least.
        sub.pause_credit_from = max(closes_at_cover_date(plan.first_cover_date), self.now)
        moved_to = max(sub.period_end + (plan.resumes_at - sub.pause_credit_from), plan.resumes_at)
        sub.pause_moved_by = moved_to - sub.period_end
        sub.period_end = moved_to
        sub.paused_until = plan.resumes_at
        event(f"pause for {issues} issues")

    @precondition(someone_subscribed)
    @rule(reader=st.sampled_from(READERS))
    def come_back_from_the_pause_early(self, reader):
        """The account page's Resume now: what the pause moved, less the skipped time used, comes off (not past now)."""
        sub = self.model.live(reader) or self.model.latest(reader)
        if sub is None:
            return
        try:
            pauses.do_resume_from_pause(self.subscription(sub), actor="reader", now=self.now)
        except PauseRefused:
            assert not (sub.live and sub.paused(self.now)), sub
            return
        assert sub.live and sub.paused(self.now), sub
        used = max(self.now - sub.pause_credit_from, datetime.timedelta(0))
        sub.period_end = max(sub.period_end - sub.pause_moved_by + used, self.now)
        sub.paused_until = None
        event("pause ended early")

    @precondition(someone_subscribed)
    @rule(
        reader=st.sampled_from(READERS),
        issues=st.integers(min_value=1, max_value=3),
        hours_later=st.integers(min_value=0, max_value=60 * 24),
        comes_back=st.booleans(),
    )
    def pause_then_ask_again(self, reader, issues, hours_later, comes_back):
        """A second tab pauses too (refused while paused), some time passes, and maybe the reader comes back early."""
        self.pause(reader, issues)
        self.now += datetime.timedelta(hours=hours_later)
        self.pause(reader, 1)
        if comes_back:
            self.come_back_from_the_pause_early(reader)

    @rule()
    def the_pause_job_runs(self):
        """The hourly job: pauses whose time is up are closed (readers were back at that moment already)."""
        pauses.end_due_pauses(now=self.now)
        pauses.send_resume_reminders(now=self.now)

    @rule(keeps=st.booleans())
    def publisher_sets_digital_access_while_paused(self, keeps):
        paywall = PaywallSettings.load()
        paywall.digital_while_paused = keeps
        paywall.save()
        self.model.digital_while_paused = keeps

    # -- staff and the scheduler -----------------------------------------------------------------

    @rule(plan=st.sampled_from(PLANS), price=st.sampled_from([500, 900, 1100, 9000, 15000, 19900]))
    def staff_change_a_price(self, plan, price):
        Plan.objects.filter(slug=plan).update(price_cents=price)
        self.plans[plan].price_cents = price
        self.model.prices[plan] = price

    @rule(wait_for_the_next_renewal=st.booleans())
    def renewal_run(self, wait_for_the_next_renewal):
        """The scheduler's run, now or (as hourly runs make likely) just after the next period end or retry."""
        if wait_for_the_next_renewal:
            self.clock_reaches_the_next_renewal_or_retry(offset=0)
        outcomes = services.renew_due_subscriptions(now=self.now)
        expected = Counter(
            self.model.renew(sub, self.now) for sub in sorted(self.model.all(), key=lambda s: s.pk) if sub.due(self.now)
        )
        for sub in self.model.all():
            if sub.pending is not None:
                # A crashed charge whose subscription has since ended or been refunded: the money, if any
                # was taken, is given back, so what the reader keeps paying for does not change.
                event(f"renewal run: voids a crashed charge of a {sub.status} subscription")
                sub.pending = None
                expected["voided"] += 1
        for outcome in expected:
            event(f"renewal run: {outcome}")
        if any(sub.awaiting is not None for sub in self.model.all()):
            event("renewal run: a renewal waits for the reader's bank")
        assert {k: v for k, v in outcomes.items() if k in ("renewed", "failed", "ended", "voided")} == +expected
        assert not Payment.objects.filter(status=Payment.PENDING).exists(), "a renewal run left a payment pending"

    def renewing(self) -> list[Expected]:
        return [
            sub
            for sub in self.model.all()
            if sub.live
            and not (sub.status == Subscription.ACTIVE and sub.cancel_at_period_end)
            # One waiting for its reader's bank is not charged again: on its last day it simply ends.
            and sub.awaiting is None
        ]

    @precondition(lambda self: hasattr(self, "model") and self.renewing())
    @rule(data=st.data(), before_the_gateway=st.booleans())
    def renewal_crashes(self, data, before_the_gateway):
        """A renewal is due (the clock moves to it if need be), and its worker dies before or after the gateway."""
        sub = data.draw(st.sampled_from(self.renewing()), label="subscription")
        due_at = sub.period_end if sub.status == Subscription.ACTIVE else sub.next_retry_at
        self.now = max(self.now, due_at)
        reader = sub.reader
        target = (SandboxGateway, "charge") if before_the_gateway else (services.renewals, "record_renewal_result")
        with mock.patch.object(*target, side_effect=Crash), pytest.raises(Crash):
            services.renew_subscription(sub.pk, now=self.now)
        key = sub.renewal_key()
        if sub.pending is None or sub.pending.key != key:
            plan = sub.next_plan or sub.plan
            sub.pending = Pending(
                key, self.model.price_for(sub, plan), self.model.period_end(plan, sub.period_end), None
            )
        if not before_the_gateway and sub.pending.succeeded is None:
            sub.pending.asks = self.model.card_asks.get(reader, False)
            sub.pending.succeeded = not sub.pending.asks and not self.model.card_fails[reader]

    @rule(reader=st.sampled_from(READERS), days=st.integers(min_value=1, max_value=60))
    def an_institution_gives_the_reader_a_seat(self, reader, days):
        """Their school or library takes them in from today, for `days` days: on screen only, never print."""
        today = timezone.localdate(self.now)
        institution = Institution.objects.create(
            name=f"School {next(self.tokens)}",
            starts_on=today,
            ends_on=today + datetime.timedelta(days=days - 1),
            seats=1,
        )
        reader_row = self.readers[reader]
        Membership.objects.create(
            institution=institution, reader=reader_row, email=reader_row.email, joined_by=Membership.BY_INVITATION
        )
        self.model.seats[reader].append((institution.access_starts, institution.access_ends))

    @rule(hours=st.integers(min_value=1, max_value=40 * 24))
    def time_passes(self, hours):
        self.now += datetime.timedelta(hours=hours)

    @rule(offset=st.sampled_from([-1, 0, 1]))
    def clock_reaches_the_next_renewal_or_retry(self, offset: int):
        """To the minute around the next period end or retry, where `<` and `<=` differ."""
        moments = [
            sub.period_end if sub.status == Subscription.ACTIVE else sub.next_retry_at
            for sub in self.model.all()
            if sub.live
        ] + [sub.paused_until for sub in self.model.all() if sub.live and sub.paused_until]
        moments += [ends for seats in self.model.seats.values() for _, ends in seats]
        upcoming = [moment for moment in moments if moment + datetime.timedelta(minutes=offset) > self.now]
        if upcoming:
            self.now = min(upcoming) + datetime.timedelta(minutes=offset)

    # -- the promises ----------------------------------------------------------------------------

    @invariant()
    def no_period_is_paid_twice(self):
        paid = Counter(Payment.objects.filter(status=Payment.SUCCEEDED).values_list("subscription_id", "period_start"))
        assert all(count == 1 for count in paid.values()), paid

    @invariant()
    def the_gateway_and_the_ledger_agree_one_to_one(self):
        charges = {charge.idempotency_key: charge for charge in SandboxCharge.objects.all()}
        payments = {payment.idempotency_key: payment for payment in Payment.objects.all()}
        for key, charge in charges.items():
            payment = payments.get(key)
            if charge.succeeded:
                # Money taken is in the ledger, or (after a crash) pending for the next run to settle.
                assert payment is not None, f"charge {key} has no ledger payment"
                assert payment.amount_cents == charge.amount_cents, key
                assert payment.status in (Payment.SUCCEEDED, Payment.PENDING), (key, payment.status)
                if payment.status == Payment.SUCCEEDED:
                    assert payment.gateway_charge_ref == f"sandbox_ch_{charge.pk}", key
            else:
                # A declined first charge leaves no ledger row: the checkout never became a subscription.
                assert payment is not None or key.startswith("checkout:"), key
                assert payment is None or payment.status in (Payment.FAILED, Payment.PENDING), key
        for key, payment in payments.items():
            if payment.status == Payment.PENDING:
                continue
            charge = charges.get(key)
            assert charge is not None, f"ledger payment {key} never reached the gateway"
            assert charge.succeeded == (payment.status == Payment.SUCCEEDED), key
            assert charge.amount_cents == payment.amount_cents, key

    @invariant()
    def refunds_never_exceed_payments(self):
        refunded, refund_count = Counter(), Counter()
        for refund in Refund.objects.select_related("payment"):
            assert refund.payment.status == Payment.SUCCEEDED, refund.payment.idempotency_key
            refunded[refund.payment.idempotency_key] += refund.amount_cents
            refund_count[refund.payment.idempotency_key] += 1
        for charge in SandboxCharge.objects.all():
            key = charge.idempotency_key
            assert charge.refunded_cents <= charge.amount_cents, key
            assert (refunded[key], refund_count[key]) == (charge.refunded_cents, len(charge.refund_refs)), key
        for payment in Payment.objects.filter(status=Payment.SUCCEEDED):
            assert refunded[payment.idempotency_key] <= payment.amount_cents, payment.idempotency_key

    @invariant()
    def a_renewal_waits_for_the_readers_bank_exactly_when_the_rules_say(self):
        if not hasattr(self, "model"):
            return
        for name, reader in self.readers.items():
            waits = services.payment_awaiting_authentication(reader) is not None
            assert waits == (name in self.readers_the_bank_waits_for()), name

    @invariant()
    def a_reader_has_at_most_one_live_subscription(self):
        live = Counter(Subscription.objects.filter(status__in=LIVE).values_list("reader_id", flat=True))
        assert all(count == 1 for count in live.values()), live

    @invariant()
    def refunded_only_under_the_guarantee_and_once_per_reader(self):
        for sub in Subscription.objects.exclude(guarantee_claimed_at=None):
            assert sub.status == Subscription.REFUNDED
            assert sub.guarantee_claimed_at < sub.guarantee_ends
        assert not Subscription.objects.filter(status=Subscription.REFUNDED, guarantee_claimed_at=None).exists()
        claims = Counter(Subscription.objects.exclude(guarantee_claimed_at=None).values_list("reader_id", flat=True))
        assert all(count == 1 for count in claims.values()), claims

    @invariant()
    def access_is_granted_exactly_when_the_rules_say(self):
        if not hasattr(self, "now"):
            return
        for name, reader in self.readers.items():
            entitled = entitlements_for(reader, now=self.now)
            reads = entitled.digital
            assert reads == self.model.may_read(name, self.now), (name, self.now, self.model.live(name))
            assert entitled.print == self.model.gets_print(name, self.now), (name, self.now, self.model.live(name))
            if reads and not self.model.holds_seat(name, self.now) and not self.model.live(name).on_trial:
                paid = Payment.objects.filter(
                    subscription__reader=reader, subscription__status__in=LIVE, status=Payment.SUCCEEDED
                )
                assert paid.exists(), f"{name} reads without a successful payment"

    @invariant()
    def each_subscription_is_what_the_rules_make_it(self):
        if not hasattr(self, "now"):
            return
        rows = {sub.pk: sub for sub in Subscription.objects.select_related("plan", "next_plan")}
        assert set(rows) == {sub.pk for sub in self.model.all()}
        kept = Counter()
        for subscription_id, amount in Payment.objects.filter(status=Payment.SUCCEEDED).values_list(
            "subscription_id", "amount_cents"
        ):
            kept[subscription_id] += amount
        for subscription_id, amount in Refund.objects.values_list("payment__subscription_id", "amount_cents"):
            kept[subscription_id] -= amount
        for expected in self.model.all():
            sub = rows[expected.pk]
            actual = (
                sub.status,
                sub.plan.slug,
                sub.next_plan.slug if sub.next_plan else None,
                sub.current_period_start,
                sub.current_period_end,
                sub.cancel_at_period_end,
                sub.failed_renewal_attempts,
                sub.next_retry_at,
                sub.is_paused(self.now),
            )
            wanted = (
                expected.status,
                expected.plan,
                expected.next_plan,
                expected.period_start,
                expected.period_end,
                expected.cancel_at_period_end,
                expected.attempts,
                expected.next_retry_at,
                expected.paused(self.now),
            )
            if expected.status not in LIVE:
                # Once over, only the status matters; the rest is history.
                actual, wanted = actual[:1], wanted[:1]
            assert actual == wanted, (expected.reader, actual, wanted)
            assert kept[sub.pk] == expected.kept_cents, (expected.reader, kept[sub.pk], expected.kept_cents)


def test_no_sequence_of_reader_scheduler_or_crash_breaks_the_ledger(db):
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            # 50 sequences of 30 steps in the suite; LEDGER_EXAMPLES=500 for a long hunt.
            max_examples=int(os.environ.get("LEDGER_EXAMPLES", "50")),
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
