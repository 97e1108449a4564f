"""A gift whose giver's bank asked them to confirm, and the giver never came back: settled, then given up on."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from masthead.gifts import tasks
from masthead.gifts.models import Gift
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import Plan, SandboxCharge
from tests.billing.pages import START, committed, visible_text
from tests.gifts.conftest import emails_to, give

pytestmark = pytest.mark.django_db
ASKS_ITS_BANK = "4000 0025 0000 3155"


def delivery_run() -> dict:
    with committed():
        return tasks.deliver_due_gifts.enqueue().return_value


@pytest.fixture
def left_at_the_bank(reader_client) -> str:
    """Rita pays for a gift, her bank asks her to confirm, and she closes the tab; returns the bank page's path."""
    to_the_bank = give(reader_client, ASKS_ITS_BANK, follow=False)
    assert "/subscribe/authenticate/" in to_the_bank["Location"]
    return to_the_bank["Location"]


def test_a_gift_left_at_the_bank_is_given_up_after_a_day_withdrawn_at_the_gateway_and_shown_so(
    left_at_the_bank, reader_client, circulation_client, clock
):
    gift = Gift.objects.get()
    clock.move_to(START + datetime.timedelta(hours=2))
    assert delivery_run()["payments_abandoned"] == 0
    assert Gift.objects.get().state == "awaiting the bank"
    assert "Awaiting the bank" in visible_text(reader_client.get("/account/"))

    clock.move_to(START + datetime.timedelta(hours=24, minutes=10))
    result = delivery_run()

    assert result["payments_abandoned"] == 1
    gift.refresh_from_db()
    assert gift.payment_status == Gift.ABANDONED and gift.paid_at is None
    charge = SandboxCharge.objects.get()
    assert not charge.succeeded and not charge.awaiting_authentication  # withdrawn: it can never take money now
    assert "Abandoned at the bank: not bought, nothing was charged" in visible_text(reader_client.get("/account/"))
    assert "abandoned at the bank" in visible_text(circulation_client.get("/admin/gifts/"))
    detail = visible_text(circulation_client.get(f"/admin/gifts/{gift.pk}/"))
    assert "abandoned at the bank" in detail and "payment_abandoned" in detail
    assert emails_to("gwen@example.com") == [] and emails_to(gift.giver.email) == []

    clock.move_to(START + datetime.timedelta(days=3))
    assert delivery_run()["payments_abandoned"] == 0  # settled: the gateway is no longer asked about it
    assert Gift.objects.get().payment_status == Gift.ABANDONED


def test_the_giver_coming_back_after_it_was_given_up_is_told_nothing_was_bought(left_at_the_bank, reader_client, clock):
    gift = Gift.objects.get()
    clock.move_to(START + datetime.timedelta(hours=25))
    delivery_run()

    page = reader_client.get("/gifts/confirm/", {"gift_token": gift.idempotency_key.removeprefix("gift:")})

    assert "was not finished within a day, so the gift has not been bought. Nothing was charged." in visible_text(page)
    assert not SandboxCharge.objects.filter(succeeded=True).exists()


def test_a_payment_the_bank_confirmed_without_the_giver_coming_back_is_recorded_not_given_up(
    left_at_the_bank, reader, clock
):
    # The bank's app confirmed it late in the day; the giver never returned to the page.
    SandboxGateway().authenticate(left_at_the_bank.split("/")[3], confirmed=True)
    clock.move_to(START + datetime.timedelta(hours=25))

    result = delivery_run()

    assert result["payments_abandoned"] == 0 and result["payments_settled"] == 1
    gift = Gift.objects.get()
    assert gift.payment_status == Gift.PAID and gift.charge_ref == f"sandbox_ch_{SandboxCharge.objects.get().pk}"
    assert len(emails_to("gwen@example.com")) == 1  # due today: sent as soon as it is paid
    assert any("receipt G-" in message.subject for message in emails_to(reader.email))


def test_gifts_already_waiting_when_the_migration_runs_count_their_day_from_when_they_were_made(
    transactional_db, django_db_serialized_rollback, make_user
):
    before, after = ("gifts", "0001_initial"), ("gifts", "0002_payment_abandoned_at_the_bank")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        GiftBefore = executor.loader.project_state([before]).apps.get_model("gifts", "Gift")
        rita, plan = make_user("rita"), Plan.objects.first()
        made = START - datetime.timedelta(days=2)
        common = {"giver_id": rita.pk, "plan_id": plan.pk, "months": 6, "amount_cents": 5400, "currency": "USD"}
        common.update(recipient_name="Gwen", recipient_email="gwen@example.com", deliver_on=START.date())
        GiftBefore.objects.create(
            idempotency_key="gift:waiting", payment_status="authenticating", created_at=made, **common
        )
        GiftBefore.objects.create(idempotency_key="gift:paid", payment_status="paid", created_at=made, **common)

        executor = MigrationExecutor(connection)
        executor.migrate([after])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert Gift.objects.get(idempotency_key="gift:waiting").authenticating_since == made
    assert Gift.objects.get(idempotency_key="gift:paid").authenticating_since is None
