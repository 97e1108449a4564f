"""Staff edit plans as a snippet; a new price waits for each subscriber's next renewal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from masthead.subscriptions.models import Plan

pytestmark = pytest.mark.django_db


def plan_form(plan: Plan, **changes) -> dict:
    data = {
        "name": plan.name,
        "slug": plan.slug,
        "interval": plan.interval,
        "price": f"{plan.price_cents / 100:.2f}",
        "currency": plan.currency,
        "description": plan.description,
        "sort_order": plan.sort_order,
    }
    if plan.includes_print:
        data["includes_print"] = "on"
    if plan.is_active:
        data["is_active"] = "on"
    return {**data, **changes}


def edit_url(plan: Plan) -> str:
    return reverse(Plan.snippet_viewset.get_url_name("edit"), args=[plan.pk])


def test_plans_are_listed_in_the_admin(circulation_client):
    html = circulation_client.get(reverse(Plan.snippet_viewset.get_url_name("list"))).content.decode()

    assert "Digital + Print, yearly" in html
    assert "$150.00" in html


def test_the_edit_form_says_when_a_new_price_applies(circulation_client):
    html = circulation_client.get(edit_url(Plan.objects.get(slug="digital-monthly"))).content.decode()

    assert "applies to existing subscribers from their next renewal" in html
    assert 'value="9.00"' in html


def test_staff_change_a_price_in_currency_units(circulation_client, subscriber):
    plan = Plan.objects.get(slug="digital-monthly")

    circulation_client.post(edit_url(plan), plan_form(plan, price="12.50"))

    plan.refresh_from_db()
    assert plan.price_cents == 1250
    # The paid period is untouched; the renewal will charge the new price.
    assert subscriber.subscriptions.get().payments.get().amount_cents == 900


def test_the_interval_of_a_plan_with_live_subscribers_cannot_change(circulation_client, subscriber):
    plan = Plan.objects.get(slug="digital-monthly")

    page = circulation_client.post(edit_url(plan), plan_form(plan, interval="year"))

    assert "Make a new plan instead" in page.content.decode()
    plan.refresh_from_db()
    assert plan.interval == Plan.MONTHLY


def test_a_plan_readers_have_held_cannot_be_deleted(circulation_client, subscriber):
    plan = Plan.objects.get(slug="digital-monthly")
    url = reverse(Plan.snippet_viewset.get_url_name("delete"), args=[plan.pk])

    page = circulation_client.post(url, follow=True)

    assert "cannot be deleted" in page.content.decode()
    assert Plan.objects.filter(pk=plan.pk).exists()


def test_a_plan_nobody_bought_can_be_deleted(circulation_client):
    plan = Plan.objects.create(name="Trial", slug="trial", interval=Plan.MONTHLY, price_cents=100)

    circulation_client.post(reverse(Plan.snippet_viewset.get_url_name("delete"), args=[plan.pk]))

    assert not Plan.objects.filter(pk=plan.pk).exists()


def test_staff_create_a_plan_with_a_price_in_currency_units(circulation_client):
    circulation_client.post(
        reverse(Plan.snippet_viewset.get_url_name("add")),
        {
            "name": "Student, yearly",
            "slug": "student-yearly",
            "interval": "year",
            "price": "45.00",
            "currency": "USD",
            "description": "For students.",
            "sort_order": "50",
            "is_active": "on",
        },
    )

    plan = Plan.objects.get(slug="student-yearly")
    assert plan.price_cents == 4500
    assert plan.is_active
