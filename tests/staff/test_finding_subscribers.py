"""Circulation staff find a subscriber by email or name and see everything the ledger knows about them."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from masthead.subscriptions.models import Payment, Receipt
from masthead.subscriptions.services import AddressInput, do_change_address, do_staff_refund, renew_subscription

pytestmark = pytest.mark.django_db


def test_search_finds_a_subscriber_by_email(circulation_client, subscriber, make_user, subscribe):
    subscribe(make_user("olga", first_name="Olga", last_name="Other"))

    page = circulation_client.get(reverse("subscribers:index"), {"q": "sam@example"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "sam@example.com" in html
    assert "Sam Subscriber" in html
    assert "olga@example.com" not in html


def test_search_finds_a_subscriber_by_full_name(circulation_client, subscriber, make_user, subscribe):
    subscribe(make_user("olga", first_name="Olga", last_name="Other"))

    html = circulation_client.get(reverse("subscribers:index"), {"q": "sam subscriber"}).content.decode()
    # The search box refreshes the results as staff type.
    results = circulation_client.get(reverse("subscribers:index_results"), {"q": "Subscriber"}).content.decode()

    assert "sam@example.com" in html
    assert "olga@example.com" not in html
    assert "sam@example.com" in results
    assert "olga@example.com" not in results


def test_the_list_shows_plan_status_and_period_end(circulation_client, subscriber):
    subscription = subscriber.subscriptions.get()

    html = circulation_client.get(reverse("subscribers:index")).content.decode()

    assert "Digital, monthly" in html
    assert "Active" in html
    assert reverse("subscribers:detail", args=[subscriber.pk]) in html
    assert date_format(timezone.localtime(subscription.current_period_end), "j M Y") in html


def test_a_search_finds_a_reader_who_never_subscribed(circulation_client, reader, subscriber):
    unsearched = circulation_client.get(reverse("subscribers:index")).content.decode()
    searched = circulation_client.get(reverse("subscribers:index"), {"q": "rita"}).content.decode()

    assert "rita@example.com" not in unsearched
    assert "rita@example.com" in searched
    assert "Never subscribed" in searched


def test_the_list_is_paginated(circulation_client, make_user, subscribe):
    for number in range(27):
        subscribe(make_user(f"reader{number:02d}"))

    first = circulation_client.get(reverse("subscribers:index")).content.decode()
    second = circulation_client.get(reverse("subscribers:index"), {"p": 2}).content.decode()

    assert len(re.findall(r'href="/admin/subscribers/\d+/"', first)) == 25
    assert len(re.findall(r'href="/admin/subscribers/\d+/"', second)) == 2
    assert "Page 1 of 2" in first


def test_the_list_costs_the_same_queries_for_many_subscribers(circulation_client, make_user, subscribe):
    subscribe(make_user("first"))
    with CaptureQueriesContext(connection) as one:
        circulation_client.get(reverse("subscribers:index"))
    for number in range(8):
        subscribe(make_user(f"reader{number}"))
    with CaptureQueriesContext(connection) as nine:
        circulation_client.get(reverse("subscribers:index"))

    assert len(nine) == len(one)


def test_the_detail_page_shows_subscription_payments_addresses_and_event_log(circulation_client, subscriber):
    subscription = subscriber.subscriptions.get()
    do_change_address(
        subscriber,
        AddressInput(name="Sam Subscriber", line1="1 Main St", city="Springfield", postal_code="62701", country="US"),
        actor="reader",
    )
    receipt = Receipt.objects.get(payment__subscription=subscription)

    page = circulation_client.get(reverse("subscribers:detail", args=[subscriber.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Digital, monthly" in html
    assert "$9.00" in html
    assert receipt.number in html
    assert "1 Main St" in html
    # The event log: what happened, and who or what did it.
    for kind, actor in [
        ("subscribed", "reader"),
        ("payment_succeeded", "gateway:sandbox"),
        ("address_changed", "reader"),
    ]:
        assert f"<td>{kind}</td>\n                        <td>{actor}</td>" in html


def test_the_detail_page_looks_like_the_rest_of_the_admin(circulation_client, subscriber):
    html = circulation_client.get(reverse("subscribers:detail", args=[subscriber.pk])).content.decode()

    assert 'id="wagtail-sidebar"' in html
    assert "w-breadcrumbs" in html
    assert "<title>Sam Subscriber" in html
    assert 'class="w-panel' in html


def test_the_detail_page_costs_the_same_queries_however_long_the_history(circulation_client, circulation, subscriber):
    subscription = subscriber.subscriptions.get()
    url = reverse("subscribers:detail", args=[subscriber.pk])
    with CaptureQueriesContext(connection) as short:
        circulation_client.get(url)
    for _renewal in range(3):
        subscription.refresh_from_db()
        renew_subscription(subscription.pk, now=subscription.current_period_end)
    for number, payment in enumerate(Payment.objects.filter(subscription=subscription)):
        do_staff_refund(payment, 100, staff=circulation, request_token=f"history-{number}")
    with CaptureQueriesContext(connection) as long:
        page = circulation_client.get(url)

    assert page.content.decode().count("Refund</button>") == 4
    assert len(long) == len(short)
