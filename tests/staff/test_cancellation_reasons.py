"""Staff see why readers cancelled: counts per reason over a window, and the latest reasons in their words."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from masthead.subscriptions.services import do_cancel, do_resume

pytestmark = pytest.mark.django_db


def reason_counts(html: str) -> dict[str, int]:
    return {
        label: int(count) for label, count in re.findall(r"<td>([^<]+)</td>\s*<td>(\d+)</td>\s*<td>\d+%</td>", html)
    }


@pytest.fixture
def cancellations(make_user, subscribe):
    """Five subscribers who cancelled in the last weeks, one long ago, and one who came back."""
    now = timezone.now()
    cancelled = [
        ("ann", "too_expensive", "", 3),
        ("bob", "too_expensive", "Cheaper elsewhere.", 5),
        ("cat", "not_reading", "No time this year.", 10),
        ("dan", "", "", 12),
        ("eve", "too_expensive", "", 200),
        ("fay", "content", "", 4),
    ]
    subscriptions = {}
    for username, reason, text, days_ago in cancelled:
        subscriptions[username] = subscribe(make_user(username))
        when = now - datetime.timedelta(days=days_ago)
        do_cancel(subscriptions[username], actor="reader", reason=reason, reason_text=text, now=when)
    do_resume(subscriptions["fay"], actor="reader")


def test_the_report_counts_cancellations_per_reason_in_the_window(circulation_client, cancellations):
    page = circulation_client.get(reverse("subscribers:cancellation_reasons"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "4 cancellations" in html
    counts = reason_counts(html)
    assert counts["It costs too much"] == 2  # the third was 200 days ago
    assert counts["I don&#x27;t read it enough"] == 1
    assert counts["Not given"] == 1
    assert counts["I don&#x27;t like the coverage"] == 0  # resumed, so not a cancellation
    assert "Cheaper elsewhere." in html
    assert "No time this year." in html


def test_a_wider_window_counts_older_cancellations(circulation_client, cancellations):
    today = timezone.localdate()
    since = today - datetime.timedelta(days=365)

    html = circulation_client.get(
        reverse("subscribers:cancellation_reasons"), {"since": since.isoformat(), "until": today.isoformat()}
    ).content.decode()

    assert reason_counts(html)["It costs too much"] == 3
    assert "5 cancellations" in html


def test_the_report_is_in_the_reports_menu(circulation_client):
    html = circulation_client.get(reverse("wagtailadmin_home")).content.decode()

    assert "Cancellation reasons" in html
    assert reverse("subscribers:cancellation_reasons") in html
