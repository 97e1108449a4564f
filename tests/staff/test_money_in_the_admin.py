"""Staff type amounts as the currency writes them: 1200 is ¥1,200 on a yen plan or payment, 9.00 is $9.00."""

from __future__ import annotations

import pytest
from django.urls import reverse

from masthead.subscriptions.models import Payment, Plan, Refund, SandboxCharge
from tests.staff.conftest import form_fields
from tests.staff.test_plans_admin import edit_url, plan_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def yen_plan(db) -> Plan:
    return Plan.objects.create(
        name="Digital, monthly (Japan)",
        slug="digital-monthly-jp",
        interval=Plan.MONTHLY,
        price_cents=1200,
        currency="JPY",
    )


@pytest.fixture
def yen_subscriber(make_user, subscribe, yen_plan):
    """Yuki pays ¥1,200 a month."""
    yuki = make_user("yuki", first_name="Yuki", last_name="Yamada")
    subscribe(yuki, "digital-monthly-jp")
    return yuki


def test_a_staff_refund_of_1200_on_a_yen_payment_refunds_1200_yen(circulation_client, yen_subscriber):
    payment = Payment.objects.get(subscription__reader=yen_subscriber)
    action = reverse("subscribers:refund", args=[yen_subscriber.pk, payment.pk])
    fields = form_fields(
        circulation_client.get(reverse("subscribers:detail", args=[yen_subscriber.pk])).content.decode(), action
    )
    assert fields[f"refund-{payment.pk}-amount"] == "1200"

    page = circulation_client.post(action, {**fields, f"refund-{payment.pk}-amount": "1200"}, follow=True)

    assert "Refunded ¥1,200 of the ¥1,200 payment." in page.content.decode()
    assert Refund.objects.get(payment=payment).amount_cents == 1200
    assert SandboxCharge.objects.get().refunded_cents == 1200


def test_a_yen_refund_with_decimals_is_refused(circulation_client, yen_subscriber):
    payment = Payment.objects.get(subscription__reader=yen_subscriber)
    action = reverse("subscribers:refund", args=[yen_subscriber.pk, payment.pk])
    fields = form_fields(
        circulation_client.get(reverse("subscribers:detail", args=[yen_subscriber.pk])).content.decode(), action
    )

    page = circulation_client.post(action, {**fields, f"refund-{payment.pk}-amount": "12.00"})

    assert "JPY has no smaller unit" in page.content.decode()
    assert not Refund.objects.exists()


def test_staff_price_a_yen_plan_in_whole_yen(circulation_client, yen_plan):
    html = circulation_client.get(edit_url(yen_plan)).content.decode()
    assert 'value="1200"' in html

    circulation_client.post(edit_url(yen_plan), plan_form(yen_plan, price="1500"))

    yen_plan.refresh_from_db()
    assert yen_plan.price_cents == 1500
    assert yen_plan.price == "¥1,500"


def test_a_price_the_currency_cannot_have_is_refused(circulation_client, yen_plan):
    page = circulation_client.post(edit_url(yen_plan), plan_form(yen_plan, price="1500.50"))

    assert "JPY has no smaller unit" in page.content.decode()
    yen_plan.refresh_from_db()
    assert yen_plan.price_cents == 1200


def test_a_plan_in_a_currency_that_does_not_exist_is_refused(circulation_client):
    plan = Plan.objects.create(name="Trial", slug="trial", interval=Plan.MONTHLY, price_cents=500)

    page = circulation_client.post(edit_url(plan), plan_form(plan, currency="ABC"))

    assert "not an ISO 4217 currency code" in page.content.decode()
    plan.refresh_from_db()
    assert plan.currency == "USD"


def test_a_currency_typed_in_small_letters_is_kept_in_capitals(circulation_client):
    plan = Plan.objects.create(name="Trial", slug="trial", interval=Plan.MONTHLY, price_cents=500)

    circulation_client.post(edit_url(plan), plan_form(plan, currency="eur", price="5.00"))

    plan.refresh_from_db()
    assert (plan.currency, plan.price) == ("EUR", "€5.00")
