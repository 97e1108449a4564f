"""Staff make offer codes in the admin, and see who redeemed each and what it has brought in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from masthead.subscriptions.models import Offer, Plan
from masthead.subscriptions.services import do_refund_under_guarantee
from tests.billing.pages import visible_text

pytestmark = pytest.mark.django_db


def offer_form(**changes) -> dict:
    return {
        "code": "autumn-10",
        "name": "Autumn postcard",
        "kind": "amount",
        "percent_off": "",
        "amount_off_cents": "300",
        "currency": "usd",
        "periods": "2",
        "trial_days": "",
        "max_redemptions": "100",
        "starts_at": "",
        "ends_at": "",
        "is_active": "on",
        **changes,
    }


def test_staff_create_a_code_for_chosen_plans(circulation_client):
    yearly = Plan.objects.get(slug="digital-yearly")

    response = circulation_client.post(
        reverse(Offer.snippet_viewset.get_url_name("add")), offer_form(plans=[yearly.pk])
    )

    assert response.status_code == 302, visible_text(response)
    offer = Offer.objects.get()
    assert (offer.code, offer.amount_off_cents, offer.currency, offer.periods) == ("AUTUMN-10", 300, "USD", 2)
    assert list(offer.plans.all()) == [yearly]


def test_a_code_missing_its_terms_is_sent_back_with_the_reason(circulation_client):
    response = circulation_client.post(
        reverse(Offer.snippet_viewset.get_url_name("add")), offer_form(kind="trial", amount_off_cents="")
    )

    assert response.status_code == 200
    assert "Give the trial&#x27;s length, from 1 to 365 days." in response.content.decode()
    assert not Offer.objects.exists()


def test_the_list_and_the_offer_page_show_redemptions_and_revenue(circulation_client, make_user, subscribe):
    offer = Offer.objects.create(code="HALF", name="Half off", kind=Offer.PERCENT, percent_off=50, max_redemptions=10)
    sam, sue = make_user("sam", first_name="Sam"), make_user("sue", first_name="Sue")
    subscribe(sam, offer=offer)
    do_refund_under_guarantee(subscribe(sue, "digital-yearly", offer=offer), actor="reader")
    subscribe(make_user("tom"))  # paid full price, without the code

    listing = visible_text(circulation_client.get(reverse(Offer.snippet_viewset.get_url_name("list"))))
    page = visible_text(circulation_client.get(reverse("subscribers:offer_redemptions", args=[offer.pk])))

    assert "HALF" in listing and "Half off 50% off the first period 2 of 10 $4.50 Open" in listing
    assert "Redemptions 2 of 10 Revenue so far $4.50" in page
    assert "Sue" in page and "Digital, yearly Refunded $45.00 $45.00" in page
    assert "Sam" in page and "Digital, monthly Active $4.50" in page
    assert "tom" not in page


def test_only_circulation_staff_see_who_redeemed_a_code(editor_client):
    offer = Offer.objects.create(code="HALF", name="Half off", kind=Offer.PERCENT, percent_off=50)

    response = editor_client.get(reverse("subscribers:offer_redemptions", args=[offer.pk]))

    assert response.status_code == 403
    assert "HALF" not in response.content.decode()
