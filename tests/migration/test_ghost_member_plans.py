"""A Ghost member's tier chooses their plan here, when the site's Ghost export is given with the members CSV.

exports/ghost-6-lexical.json's tiers: Supporter at 9.00 a month and 90.00 a year (our digital plans' prices),
Patron at 25.00 and 250.00 (no plan of ours). The members CSV is Ghost's export with the columns the publisher
adds from Stripe's subscriptions export (current_period_end, payment_method_id, and here and there interval).
"""

from __future__ import annotations

import copy
import datetime
import json

import pytest
import time_machine

from masthead.subscriptions.models import Payment, SandboxPaymentMethod, Subscription
from tests.migration.conftest import EXPORTS, run_import
from tests.migration.test_subscriber_import import BEFORE_RENEWAL, renew_at

GHOST_6 = EXPORTS / "ghost-6-lexical.json"
HEADER = (
    "id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,deleted_at,labels,"
    "tiers,current_period_end,payment_method_id,interval,plan"
)
MEMBERS = {  # email: (complimentary, customer, tiers, interval, plan), each a line of the CSV from line 2 on
    "paul@readers.example": ("false", "cus_Paul", "Supporter", "month", ""),
    "yara@readers.example": ("false", "cus_Yara", "Supporter", "year", ""),
    "ada@readers.example": ("false", "cus_Ada", "Supporter", "", ""),
    "cora@readers.example": ("true", "", "Supporter", "", ""),
    "pat@readers.example": ("false", "cus_Pat", "Patron", "month", ""),
    "otto@readers.example": ("false", "cus_Otto", "Supporter", "month", "digital-yearly"),
    "fran@readers.example": ("false", "", "", "", ""),
}
PERIOD_END = "2030-06-15T10:00:00Z"


def line_of(email: str) -> int:
    return list(MEMBERS).index(email) + 2


def members_csv(tmp_path, members=MEMBERS):
    rows = [HEADER]
    for number, (email, (comped, customer, tiers, interval, plan)) in enumerate(members.items()):
        card = f"pm_{customer}" if customer else ""
        end = PERIOD_END if tiers else ""
        rows.append(
            f"6571b00000000000000000{number:02d},{email},{email.split('@')[0].title()} Reader,,true,{comped},"
            f"{customer},2023-02-01T10:00:00.000Z,,,{tiers},{end},{card},{interval},{plan}"
        )
        if customer:
            SandboxPaymentMethod.objects.create(ref=card, customer_ref=customer, brand="Visa", last4="4242")
    path = tmp_path / "members.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def plan_of(email: str) -> str | None:
    subscription = Subscription.objects.filter(reader__email=email).first()
    return subscription.plan.slug if subscription else None


@pytest.fixture
def imported(sections, tmp_path):
    csv = members_csv(tmp_path)
    with time_machine.travel(BEFORE_RENEWAL, tick=False):
        return run_import("import_subscribers", csv, "--ghost-export", GHOST_6, "--gateway", "sandbox")


def test_a_paying_members_tier_and_interval_choose_our_plan_with_that_price(imported):
    assert plan_of("paul@readers.example") == "digital-monthly"
    assert plan_of("yara@readers.example") == "digital-yearly"


def test_the_member_renews_at_the_price_of_the_plan_their_tier_chose(imported):
    renew_at(datetime.datetime(2030, 6, 15, 11, tzinfo=datetime.UTC))

    yara = Subscription.objects.get(reader__email="yara@readers.example")
    [payment] = yara.payments.all()
    assert (payment.status, payment.amount_cents, payment.currency) == (Payment.SUCCEEDED, 9000, "USD")


def test_a_tier_with_two_prices_and_nothing_saying_which_is_a_problem_naming_the_line(imported):
    assert plan_of("ada@readers.example") is None
    assert (
        f"row ada@readers.example (line {line_of('ada@readers.example')}): no subscription: its tier “Supporter” "
        "has a monthly and a yearly price and nothing says which it pays: add an interval column (month or year) "
        "or a plan column"
    ) in imported
    assert Subscription.objects.filter(reader__email="ada@readers.example").count() == 0


def test_a_complimentary_member_of_a_tier_with_two_prices_takes_its_yearly_plan(imported):
    cora = Subscription.objects.get(reader__email="cora@readers.example")
    assert (cora.plan.slug, cora.status) == ("digital-yearly", Subscription.ACTIVE)
    assert not cora.payments.exists()


def test_a_tier_price_that_is_no_plan_of_ours_is_named_with_the_plan_to_make(imported):
    assert plan_of("pat@readers.example") is None
    assert (
        f"row pat@readers.example (line {line_of('pat@readers.example')}): no subscription: its tier “Patron”, "
        "monthly at $25.00, is no plan of ours: make one in Plans (month, 2500 USD) or add a plan column"
    ) in imported


def test_a_plan_column_still_wins_over_the_tier(imported):
    assert plan_of("otto@readers.example") == "digital-yearly"  # though the interval column says month


def test_a_free_member_is_a_reader_only(imported):
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(email="fran@readers.example").exists()
    assert plan_of("fran@readers.example") is None


def test_import_ghost_with_members_chooses_plans_from_the_same_export(sections, tmp_path):
    csv = members_csv(tmp_path)
    with time_machine.travel(BEFORE_RENEWAL, tick=False):
        run_import("import_ghost", GHOST_6, "--members", csv, "--gateway", "sandbox")

    assert plan_of("paul@readers.example") == "digital-monthly"
    assert plan_of("cora@readers.example") == "digital-yearly"


def test_the_stripe_subscription_in_a_full_export_says_the_interval_and_the_price_paid(sections, tmp_path):
    """A full export (Ghost's backup tables) holds members_stripe_customers_subscriptions: Ada pays yearly; Lou
    pays an old monthly price of 7.00 that no plan of ours has, though Supporter costs 9.00 today."""
    export = json.loads(GHOST_6.read_text())
    data = export["db"][0]["data"] if "db" in export else export["data"]
    data["members_stripe_customers_subscriptions"] = [
        stripe_subscription("cus_Ada", "year", 9000, status="active"),
        stripe_subscription("cus_Ada", "month", 900, status="canceled"),
        stripe_subscription("cus_Lou", "month", 700, status="active"),
    ]
    full = tmp_path / "ghost-full.json"
    full.write_text(json.dumps(export))
    members = copy.copy(MEMBERS) | {"lou@readers.example": ("false", "cus_Lou", "Supporter", "", "")}
    csv = members_csv(tmp_path, members)

    with time_machine.travel(BEFORE_RENEWAL, tick=False):
        output = run_import("import_subscribers", csv, "--ghost-export", full, "--gateway", "sandbox")

    assert plan_of("ada@readers.example") == "digital-yearly"
    assert plan_of("lou@readers.example") is None
    assert (
        f"row lou@readers.example (line {len(members) + 1}): no subscription: its Stripe subscription, monthly at "
        "$7.00, is no plan of ours: make one in Plans (month, 700 USD) or add a plan column"
    ) in output


def stripe_subscription(customer: str, interval: str, amount: int, *, status: str) -> dict:
    """A row of Ghost's members_stripe_customers_subscriptions, with the columns the importer reads."""
    return {
        "id": f"sub-{customer}-{interval}",
        "customer_id": customer,
        "subscription_id": f"sub_{customer}_{interval}",
        "status": status,
        "current_period_end": "2030-06-15 10:00:00",
        "plan_interval": interval,
        "plan_amount": amount,
        "plan_currency": "usd",
    }
