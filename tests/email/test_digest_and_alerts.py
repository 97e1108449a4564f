"""The weekly digest of free articles and section alerts, as background tasks through a real SMTP server."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from masthead.newsletters.models import Recipient, Send
from masthead.newsletters.tasks import send_weekly_digest
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

FRIDAY_MORNING = "2026-12-04 09:00:00Z"  # the digest's default day and hour (NEWSLETTER_DIGEST_*)


@pytest.fixture
def vera(db):
    """Vera signed up for free and confirmed."""
    return Recipient.objects.create(email="vera@example.org", confirmed_at=timezone.now())


def test_the_weekly_digest_lists_the_weeks_free_articles_once(
    vera, reader, subscriber, sections, smtp_server, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(FRIDAY_MORNING)
    today = datetime.date(2026, 12, 4)
    ArticleFactory(title="Free this week", date=today - datetime.timedelta(days=2))
    ArticleFactory(title="For subscribers this week", date=today, access_level="subscribers")
    ArticleFactory(title="Free last month", date=today - datetime.timedelta(days=30))

    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digest.call() == "sent"
        assert send_weekly_digest.call() == "already sent"

    for email in (vera.email, reader.email):
        [received] = smtp_server.to(email)
        text = received.message.get_body(preferencelist=("plain",)).get_content()
        assert "Free this week" in text
        assert "For subscribers this week" not in text and "Free last month" not in text
        assert "/subscribe/?from=newsletter" in text
        assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert smtp_server.to(subscriber.email) == [], "the digest is for free readers"


def test_no_digest_before_its_day(vera, smtp_server, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to("2026-12-02 09:00:00Z")  # a Wednesday
    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digest.call() == "not today"
    assert smtp_server.messages == []


def test_followers_of_a_section_hear_of_its_new_article_once(
    vera, sections, smtp_server, django_capture_on_commit_callbacks
):
    vera.alert_sections.add(sections["culture"])

    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(title="A New Opera", section=sections["culture"], date=timezone.localdate())
        ArticleFactory(title="Budget Talks", section=sections["politics"], date=timezone.localdate())
        ArticleFactory(title="From the Archive", section=sections["culture"], date=datetime.date(2020, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()  # an edit to a live article is not news

    [received] = smtp_server.to(vera.email)
    assert received.message["Subject"] == "New in Culture: A New Opera"
    html = received.message.get_body(preferencelist=("html",)).get_content()
    assert f"http://testserver{article.url}" in html
    assert Send.objects.filter(kind=Send.ALERT).count() == 1, "no mailing for a section nobody follows"
