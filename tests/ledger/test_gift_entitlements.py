"""Gifts as a state machine: whatever givers, recipients, refunds, delivery and renewal runs and the clock do,
`entitlements_for` (the one gate) gives a recipient access exactly while a claimed gift lasts, the giver none.

Hypothesis has alice give bob gifts (3, 6 or 12 months of Digital, emailed today or days later,
paid with the sandbox), runs the delivery and renewal jobs, lets bob claim a gift that reached him,
lets alice take back one within the guarantee, and moves the clock. `until` is the model: the end of
bob's access, each claim adding its months from the later of now and the end he had. A gift never
claimed, or refunded, gives bob nothing; alice never reads through a gift she gave.

(Beside tests/ledger/test_ledger_state_machine.py, which another change was editing: its readers
subscribe and pay; here the only access is given.)
"""

from __future__ import annotations

import datetime
import os

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
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
from masthead.gifts.models import Gift
from masthead.gifts.pricing import find_option
from masthead.gifts.services.claims import claim_gift
from masthead.gifts.services.delivery import deliver_due_gifts
from masthead.gifts.services.errors import GiftNotRefundable
from masthead.gifts.services.purchase import GiftOrder, buy_gift
from masthead.gifts.services.refunds import refund_gift
from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.models import GUARANTEE_DAYS, SandboxCharge, add_months
from masthead.subscriptions.services import renew_due_subscriptions

CARD = CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123")
START = datetime.datetime(2027, 1, 30, 23, 30, tzinfo=datetime.UTC)  # a month-end, late in the day


class GiftMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @initialize()
    def two_readers(self):
        User = get_user_model()
        self.alice = User.objects.create_user("alice", "alice@example.com", "pw")
        self.bob = User.objects.create_user("bob", "bob@example.com", "pw")
        self.now = START
        self.until: datetime.datetime | None = None
        self.gifts: list[int] = []
        self.claimed: set[int] = set()
        self.refunded: set[int] = set()

    @rule(months=st.sampled_from([3, 6, 12]), days_later=st.sampled_from([0, 0, 3, 40]))
    def alice_gives_bob_a_gift(self, months, days_later):
        order = GiftOrder(
            option=find_option("digital", months),
            recipient_name="Bob",
            recipient_email="bob@example.com",
            deliver_on=(self.now + datetime.timedelta(days=days_later)).date(),
        )
        gift = buy_gift(giver=self.alice, order=order, card=CARD, token=f"t{len(self.gifts)}", now=self.now)
        self.gifts.append(gift.pk)

    @rule()
    def the_delivery_run(self):
        deliver_due_gifts(now=self.now)

    @precondition(lambda self: Gift.objects.filter(sent_at__isnull=False, claimed_at__isnull=True).exists())
    @rule(data=st.data())
    def bob_claims_a_gift_emailed_to_him(self, data):
        gift = data.draw(st.sampled_from(list(Gift.objects.filter(sent_at__isnull=False, claimed_at__isnull=True))))
        if gift.pk in self.refunded:
            return  # its link says it was withdrawn (tests/gifts)
        claim_gift(gift.pk, self.bob, now=self.now)
        self.claimed.add(gift.pk)
        self.until = add_months(max(self.until or self.now, self.now), gift.months)

    @precondition(lambda self: bool(self.gifts))
    @rule(data=st.data())
    def alice_asks_for_her_money_back(self, data):
        gift = Gift.objects.get(pk=data.draw(st.sampled_from(self.gifts)))
        # 60 days from payment, or from the start of the delivery day (the magazine's time zone) when later.
        delivery_day = timezone.make_aware(datetime.datetime.combine(gift.deliver_on, datetime.time.min))
        window_opens = max(gift.paid_at, delivery_day)
        allowed = gift.pk not in self.claimed and self.now < window_opens + datetime.timedelta(days=GUARANTEE_DAYS)
        try:
            refund_gift(gift.pk, actor="giver", now=self.now)
        except GiftNotRefundable:
            assert not allowed or gift.pk in self.refunded
            return
        assert allowed or gift.pk in self.refunded
        self.refunded.add(gift.pk)

    @rule(hours=st.sampled_from([1, 23, 24 * 20, 24 * 95]))
    def time_passes_and_renewals_run(self, hours):
        self.now += datetime.timedelta(hours=hours)
        renew_due_subscriptions(now=self.now)

    @invariant()
    def bob_reads_exactly_while_a_claimed_gift_lasts(self):
        if not hasattr(self, "bob"):
            return
        expected = self.until is not None and self.now < self.until
        assert entitlements_for(self.bob, self.now).digital == expected
        assert not entitlements_for(self.bob, self.now).print

    @invariant()
    def alice_reads_nothing_through_her_gifts(self):
        if hasattr(self, "alice"):
            assert not entitlements_for(self.alice, self.now).digital

    @invariant()
    def every_gift_was_charged_once_and_a_refunded_one_given_back_in_full(self):
        if not hasattr(self, "gifts"):
            return
        charges = {f"sandbox_ch_{charge.pk}": charge for charge in SandboxCharge.objects.filter(succeeded=True)}
        for gift in Gift.objects.filter(pk__in=self.gifts):
            charge = charges[gift.charge_ref]
            assert charge.amount_cents == gift.amount_cents
            assert charge.refunded_cents == (gift.amount_cents if gift.pk in self.refunded else 0)
        assert len(charges) == len(self.gifts)


def test_a_gift_gives_its_recipient_access_for_its_months_from_the_claim_and_nothing_otherwise(db):
    run_state_machine_as_test(
        GiftMachine,
        settings=settings(
            max_examples=int(os.environ.get("LEDGER_EXAMPLES", "25")),
            stateful_step_count=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_a_claimed_gift_reads_until_its_term_ends_then_not(db):
    """The named cases, one by one: claimed, unclaimed, refunded."""
    User = get_user_model()
    alice, bob, carol = (
        User.objects.create_user(name, f"{name}@example.com", "pw") for name in ("alice", "bob", "carol")
    )
    order = GiftOrder(find_option("digital", 3), "Bob", "bob@example.com", START.date())
    claimed = buy_gift(giver=alice, order=order, card=CARD, token="claimed", now=START)
    unclaimed = buy_gift(giver=alice, order=order, card=CARD, token="unclaimed", now=START)
    refunded = buy_gift(giver=alice, order=order, card=CARD, token="refunded", now=START)
    deliver_due_gifts(now=START)
    claim_gift(claimed.pk, bob, now=START)
    refund_gift(refunded.pk, actor="giver", now=START)

    assert entitlements_for(bob, START).digital
    assert entitlements_for(bob, add_months(START, 3) - datetime.timedelta(seconds=1)).digital
    assert not entitlements_for(bob, add_months(START, 3)).digital
    assert not entitlements_for(alice, START).digital  # the giver of all three
    assert not entitlements_for(carol, START).digital  # unclaimed: the gift is nobody's yet
    assert Gift.objects.get(pk=unclaimed.pk).state == "sent"
    assert Gift.objects.get(pk=refunded.pk).state == "refunded"
