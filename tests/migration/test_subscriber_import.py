"""Subscribers move in: paying ones keep their period and renew on the card already at the gateway."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from masthead.moving.models import ImportRun
from masthead.subscriptions.models import (
    GatewayCustomer,
    Payment,
    PostalAddress,
    SandboxCharge,
    SandboxPaymentMethod,
    Subscription,
)
from tests.migration.conftest import EXPORTS, run_import

CSV = EXPORTS / "subscribers.csv"
BEFORE_RENEWAL = datetime.datetime(2030, 6, 10, 12, tzinfo=datetime.UTC)
User = get_user_model()


@pytest.fixture
def cards_at_the_gateway(db):
    """The cards the old platform left at the gateway (the sandbox standing in for Stripe), by customer."""
    for customer, card, brand, last4 in [
        ("cus_MigratedAnna", "pm_MigratedAnnaVisa", "Visa", "4242"),
        ("cus_MigratedPeter", "pm_MigratedPeterMc", "Mastercard", "4444"),
        ("cus_MigratedCarla", "pm_MigratedCarlaVisa", "Visa", "1881"),
    ]:
        SandboxPaymentMethod.objects.create(ref=card, customer_ref=customer, brand=brand, last4=last4)


@pytest.fixture
def imported(cards_at_the_gateway):
    with time_machine.travel(BEFORE_RENEWAL, tick=False):
        return run_import("import_subscribers", CSV, "--gateway", "sandbox")


def renew_at(moment: datetime.datetime) -> str:
    from io import StringIO

    out = StringIO()
    with time_machine.travel(moment, tick=False):
        call_command("renew_subscriptions", stdout=out)
    return out.getvalue()


def subscription_of(email: str) -> Subscription:
    return Subscription.objects.get(reader__email=email)


def test_a_paying_subscriber_renews_on_the_card_already_on_file(imported):
    anna = subscription_of("anna@readers.example")
    assert anna.status == Subscription.ACTIVE
    assert anna.current_period_end == datetime.datetime(2030, 6, 20, tzinfo=datetime.UTC)
    assert anna.started_at.date() == datetime.date(2021, 1, 20)
    assert not anna.payments.exists()  # the current period was paid on the old platform

    output = renew_at(datetime.datetime(2030, 6, 20, 1, tzinfo=datetime.UTC))

    assert "1 renewed" in output
    [payment] = anna.payments.all()
    assert (payment.status, payment.amount_cents, payment.payment_method_ref) == (
        Payment.SUCCEEDED, 900, "pm_MigratedAnnaVisa",
    )  # fmt: skip
    [charge] = SandboxCharge.objects.filter(customer_ref="cus_MigratedAnna")
    assert (charge.payment_method_ref, charge.succeeded) == ("pm_MigratedAnnaVisa", True)
    anna.refresh_from_db()
    assert anna.current_period_end == datetime.datetime(2030, 7, 20, tzinfo=datetime.UTC)


def test_the_account_page_shows_the_card_on_file_without_asking_for_it(imported):
    from django.test import Client

    client = Client()
    with time_machine.travel(BEFORE_RENEWAL, tick=False):
        client.force_login(User.objects.get(email="anna@readers.example"))
        page = client.get("/account/").content.decode()

    assert "4242" in page


def test_a_print_subscriber_keeps_the_address_the_mailing_list_uses(imported):
    peter = subscription_of("peter@readers.example")
    [address] = PostalAddress.objects.filter(reader=peter.reader)

    assert peter.plan.includes_print
    assert (address.line1, address.line2, address.city, address.postal_code, address.country) == (
        "12 Harbour Road", "Flat 2", "Bristol", "BS1 4DJ", "GB",
    )  # fmt: skip
    customer = GatewayCustomer.objects.get(reader=peter.reader)
    assert (customer.customer_ref, customer.payment_method_ref, customer.card_last4) == (
        "cus_MigratedPeter", "pm_MigratedPeterMc", "4444",
    )  # fmt: skip


def test_cancelled_and_complimentary_readers_keep_access_until_their_end_and_are_never_charged(imported):
    from masthead.access.entitlements import entitlements_for

    carla = subscription_of("carla@readers.example").reader
    colin = subscription_of("colin@readers.example").reader
    assert entitlements_for(carla, datetime.datetime(2030, 6, 24, tzinfo=datetime.UTC)).digital
    assert entitlements_for(colin, datetime.datetime(2030, 8, 31, tzinfo=datetime.UTC)).digital

    renew_at(datetime.datetime(2030, 9, 2, tzinfo=datetime.UTC))

    assert subscription_of("carla@readers.example").status == Subscription.ENDED
    assert subscription_of("colin@readers.example").status == Subscription.ENDED
    assert not SandboxCharge.objects.filter(customer_ref="cus_MigratedCarla").exists()
    assert not entitlements_for(carla, datetime.datetime(2030, 9, 2, tzinfo=datetime.UTC)).digital


def test_free_readers_get_accounts_and_bad_rows_are_named_by_line_without_losing_the_others(imported):
    assert User.objects.filter(email="fred@readers.example").exists()
    assert not Subscription.objects.filter(reader__email="fred@readers.example").exists()
    assert "row not-an-email (line 7): the email 'not-an-email' is not an address (skipped)" in imported
    assert "row bea@readers.example (line 8): names the plan 'platinum'" in imported
    assert "subscriptions: 4 created" in imported
    assert "readers: 5 created, 2 skipped" in imported


def test_a_second_run_changes_nothing_and_says_so(imported):
    with time_machine.travel(BEFORE_RENEWAL, tick=False):
        again = run_import("import_subscribers", CSV, "--gateway", "sandbox")

    assert "subscriptions: 4 unchanged" in again
    assert "Nothing changed: everything was imported already." in again
    assert Subscription.objects.count() == 4
    assert GatewayCustomer.objects.count() == 3


def test_a_dry_run_counts_and_saves_nothing(cards_at_the_gateway):
    with time_machine.travel(BEFORE_RENEWAL, tick=False):
        output = run_import("import_subscribers", CSV, "--gateway", "sandbox", "--dry-run")

    assert "subscriptions: 4 created" in output
    assert not User.objects.filter(email="anna@readers.example").exists()
    assert not Subscription.objects.exists()
    assert ImportRun.objects.get().dry_run


def test_ghost_members_become_readers_and_paid_members_subscriptions(sections, ghost_images):
    SandboxPaymentMethod.objects.create(
        ref="pm_GhostPaulVisa", customer_ref="cus_GhostPaul01", brand="Visa", last4="1111"
    )
    with time_machine.travel(BEFORE_RENEWAL, tick=False):
        output = run_import(
            "import_ghost", EXPORTS / "ghost-5.json", "--images", ghost_images,
            "--members", EXPORTS / "ghost-members.csv", "--gateway", "sandbox",
        )  # fmt: skip

    paul = subscription_of("paul@readers.example")
    assert (paul.plan.slug, paul.gateway, paul.current_period_end.date()) == (
        "digital-monthly", "sandbox", datetime.date(2030, 6, 15),
    )  # fmt: skip
    assert User.objects.filter(email="fran@readers.example").exists()
    assert User.objects.filter(email="cora@readers.example").exists()
    assert not User.objects.filter(email="gone@readers.example").exists()
    assert "row cora@readers.example (line 4): no subscription: the row has no current_period_end, plan" in output
    assert "renewed" in renew_at(datetime.datetime(2030, 6, 15, 11, tzinfo=datetime.UTC))


def test_a_file_without_an_email_column_is_refused_whole(db, tmp_path):
    from django.core.management import CommandError

    bad = tmp_path / "people.csv"
    bad.write_text("name,plan\nAnna,digital-monthly\n")

    with pytest.raises(CommandError, match="people.csv:1: the header has no email column"):
        run_import("import_subscribers", bad)
    assert not User.objects.filter(first_name="Anna").exists()
