"""Only staff with the circulation permission (or superusers) see subscribers or act for them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from masthead.subscriptions.models import Payment, Refund, SandboxCharge

pytestmark = pytest.mark.django_db


def staff_urls(subscriber) -> list[tuple[str, str]]:
    subscription = subscriber.subscriptions.get()
    payment = Payment.objects.get(subscription=subscription)
    return [
        ("get", reverse("subscribers:index")),
        ("get", reverse("subscribers:index_results")),
        ("get", reverse("subscribers:detail", args=[subscriber.pk])),
        ("get", reverse("subscribers:cancellation_reasons")),
        ("get", reverse("subscribers:cancel", args=[subscriber.pk, subscription.pk])),
        ("post", reverse("subscribers:cancel", args=[subscriber.pk, subscription.pk])),
        ("post", reverse("subscribers:extend", args=[subscriber.pk, subscription.pk])),
        ("post", reverse("subscribers:complimentary", args=[subscriber.pk])),
        ("post", reverse("subscribers:refund", args=[subscriber.pk, payment.pk])),
    ]


def test_an_editor_without_the_permission_is_refused_everywhere(editor_client, subscriber):
    for method, url in staff_urls(subscriber):
        data = {"days": "10", f"refund-{Payment.objects.get().pk}-amount": "9.00"}
        response = getattr(editor_client, method)(url, data)
        assert response.status_code == 403, url
        assert "are for circulation staff" in response.content.decode(), url

    subscription = subscriber.subscriptions.get()
    assert not subscription.cancel_at_period_end
    assert not Refund.objects.exists()
    assert SandboxCharge.objects.get().refunded_cents == 0


def test_an_editor_does_not_see_the_menu_items(editor_client):
    html = editor_client.get(reverse("wagtailadmin_home")).content.decode()

    assert reverse("subscribers:index") not in html
    assert reverse("subscribers:cancellation_reasons") not in html


def test_circulation_staff_see_the_menu_items(circulation_client):
    html = circulation_client.get(reverse("wagtailadmin_home")).content.decode()

    assert reverse("subscribers:index") in html


def test_a_superuser_may_see_subscribers(admin_persona_client, subscriber):
    page = admin_persona_client.get(reverse("subscribers:detail", args=[subscriber.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert subscriber.email in html
    assert subscriber.subscriptions.get().plan.name in html


def test_a_reader_is_sent_to_log_in(reader_client, subscriber):
    page = reader_client.get(reverse("subscribers:index"))

    assert page.status_code == 302
    assert "/login/" in page["Location"]


def test_the_circulation_permission_is_offered_on_the_group_page(admin_persona_client, circulation_group):
    page = admin_persona_client.get(reverse("wagtailusers_groups:edit", args=[circulation_group.pk]))

    assert page.status_code == 200
    assert "Can change subscription" in page.content.decode()
