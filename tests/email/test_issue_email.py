"""The new-issue email: published once to every entitled reader who wants it, through a real SMTP server."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from masthead.newsletters.models import Delivery, Recipient, Send
from masthead.newsletters.services import issue_email
from tests.factories import ArticleFactory, IssueFactory
from tests.personas import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(sections):
    """Issue 1 of 2025, not yet published, with two articles in its table of contents."""
    first = ArticleFactory(title="The Baltic Question", standfirst="Why the ports matter again.")
    second = ArticleFactory(
        title="Money After Cash", standfirst="Central banks try their own coins.", section=sections["finance"]
    )
    return IssueFactory(live=False, title="Harbours", articles=[first, second])


def publish(issue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issue.save_revision().publish()


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def unsubscribe_link(message) -> str:
    return str(message["List-Unsubscribe"]).strip().strip("<>")


def parts(received):
    message = received.message
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return message, text, html


def test_publishing_an_issue_emails_each_subscriber_its_contents_and_downloads(
    issue, subscriber, reader, smtp_server, django_capture_on_commit_callbacks
):
    publish(issue, django_capture_on_commit_callbacks)

    [received] = smtp_server.to(subscriber.email)
    message, text, html = parts(received)
    assert "Harbours" in message["Subject"]
    assert "The Baltic Question" in text and "Why the ports matter again." in text
    assert "Money After Cash" in html and "Central banks try their own coins." in html
    hrefs = links(html)
    for article in issue.entries.all():
        assert f"http://testserver{article.article.url}" in hrefs
    assert f"http://testserver/issues/{issue.year}/{issue.number}/" in " ".join(hrefs)
    assert any(href.endswith(".epub") or "epub" in href for href in hrefs)
    assert any("pdf" in href for href in hrefs)
    # Styles are inlined for mail programs; every picture says what it shows; a 600-pixel column.
    assert "<style" not in html and 'style="' in html
    assert all(' alt="' in tag for tag in re.findall(r"<img[^>]*>", html))
    assert 'width="600"' in html
    # RFC 8058 one-click unsubscribe, in the headers and in the footer of both parts.
    unsubscribe = unsubscribe_link(message)
    assert unsubscribe.startswith("http://testserver/newsletters/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in text and unsubscribe in hrefs

    assert smtp_server.to(reader.email) == [], "a reader without a subscription does not get the issue email"


def test_publishing_the_issue_again_sends_nothing_more(
    issue, subscriber, smtp_server, django_capture_on_commit_callbacks
):
    publish(issue, django_capture_on_commit_callbacks)
    publish(issue, django_capture_on_commit_callbacks)

    assert len(smtp_server.to(subscriber.email)) == 1
    send = Send.objects.get(key=f"issue:{issue.pk}")
    assert send.counts()["sent"] == 1 and send.state_for_staff == "Sent"


def test_a_550_from_the_server_is_a_bounce_that_stops_further_mail(
    issue, subscriber, make_user, smtp_server, django_capture_on_commit_callbacks
):
    gone = make_user("gone")
    subscribe(gone)
    smtp_server.refuse(gone.email)

    publish(issue, django_capture_on_commit_callbacks)

    assert len(smtp_server.to(subscriber.email)) == 1, "one refused address does not stop the others"
    assert smtp_server.to(gone.email) == []
    counts = Send.objects.get(key=f"issue:{issue.pk}").counts()
    assert (counts["sent"], counts["bounced"]) == (1, 1)
    recipient = Recipient.objects.get(email=gone.email)
    assert recipient.suppression_reason == Recipient.BOUNCED
    bounced = Delivery.objects.get(recipient=recipient)
    assert bounced.error.startswith("550")

    next_issue = IssueFactory(live=False, articles=[ArticleFactory()])
    publish(next_issue, django_capture_on_commit_callbacks)
    assert smtp_server.to(gone.email) == []
    assert not Delivery.objects.filter(send__issue=next_issue, recipient=recipient).exists()


def test_one_click_unsubscribe_from_the_header_stops_the_issue_email(
    issue, subscriber, anonymous, smtp_server, django_capture_on_commit_callbacks
):
    publish(issue, django_capture_on_commit_callbacks)
    [received] = smtp_server.to(subscriber.email)
    unsubscribe = unsubscribe_link(received.message).removeprefix("http://testserver")

    # What a mail program does (RFC 8058): a POST with no cookie and no CSRF token.
    response = anonymous.post(unsubscribe, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    recipient = Recipient.objects.get(user=subscriber)
    assert recipient.wants_issue_email is False
    assert Send.objects.get(key=f"issue:{issue.pk}").counts()["unsubscribed"] == 1
    next_issue = IssueFactory(live=False, articles=[ArticleFactory()])
    publish(next_issue, django_capture_on_commit_callbacks)
    assert len(smtp_server.to(subscriber.email)) == 1


def test_a_tampered_unsubscribe_link_changes_nothing(
    issue, subscriber, anonymous, smtp_server, django_capture_on_commit_callbacks
):
    publish(issue, django_capture_on_commit_callbacks)
    [received] = smtp_server.to(subscriber.email)
    unsubscribe = unsubscribe_link(received.message).removeprefix("http://testserver")

    response = anonymous.post(unsubscribe.replace("/unsubscribe/", "/unsubscribe/x"), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 400
    assert Recipient.objects.get(user=subscriber).wants_issue_email is True


def test_a_lapsed_subscriber_is_not_sent_the_issue(
    issue, lapsed_subscriber, smtp_server, django_capture_on_commit_callbacks
):
    publish(issue, django_capture_on_commit_callbacks)
    assert smtp_server.to(lapsed_subscriber.email) == []
    assert get_user_model().objects.filter(pk=lapsed_subscriber.pk).exists()


def test_the_editors_subject_and_preheader_are_the_ones_sent(
    issue, subscriber, smtp_server, django_capture_on_commit_callbacks
):
    draft = issue_email(issue)
    Send.objects.filter(pk=draft.pk).update(subject="Harbours: our spring issue", preheader="Ports, coins and more")

    publish(issue, django_capture_on_commit_callbacks)

    [received] = smtp_server.to(subscriber.email)
    _, text, html = parts(received)
    assert received.message["Subject"] == "Harbours: our spring issue"
    assert "Ports, coins and more" in html


def test_a_sending_task_past_its_time_hands_the_rest_to_a_new_task(
    issue, subscriber, make_user, settings, smtp_server, django_capture_on_commit_callbacks
):
    readers = [subscriber]
    for name in ("tess", "theo"):
        readers.append(make_user(name))
        subscribe(readers[-1])
    settings.NEWSLETTER_TASK_SECONDS = 0  # each task sends one copy, then queues the next task

    publish(issue, django_capture_on_commit_callbacks)

    assert [len(smtp_server.to(reader.email)) for reader in readers] == [1, 1, 1]
    send = Send.objects.get(key=f"issue:{issue.pk}")
    assert send.state_for_staff == "Sent" and send.counts()["sent"] == 3
