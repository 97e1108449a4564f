"""Editors prepare, preview, test and send mailings in the admin, and see their progress."""

from __future__ import annotations

import pytest

from masthead.newsletters.models import Newsletter, Send
from tests.factories import ArticleFactory, IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_issue(sections):
    return IssueFactory(live=False, title="Harbours", articles=[ArticleFactory(title="The Baltic Question")])


def test_an_editor_changes_the_subject_previews_and_sends_a_test_to_themselves(
    editor_client, editor, draft_issue, subscriber, smtp_server
):
    response = editor_client.get(f"/admin/emails/issue/{draft_issue.pk}/", follow=True)
    assert response.status_code == 200
    send = Send.objects.get(issue=draft_issue)
    assert send.is_draft

    editor_client.post(f"/admin/emails/{send.pk}/", {"subject": "Spring: harbours", "preheader": "Ports and coins"})
    preview = editor_client.get(f"/admin/emails/{send.pk}/preview/")
    assert "The Baltic Question" in preview.content.decode() and "Ports and coins" in preview.content.decode()

    editor_client.post(f"/admin/emails/{send.pk}/test/")
    [test_copy] = smtp_server.to(editor.email)
    assert test_copy.message["Subject"] == "[Test] Spring: harbours"
    assert smtp_server.to(subscriber.email) == [], "a test goes to the editor only"
    page = editor_client.get(f"/admin/emails/{send.pk}/").content.decode()
    assert "This email goes out when the issue is published." in page


def test_a_reader_cannot_see_or_send_mailings(reader_client, draft_issue):
    assert reader_client.get("/admin/emails/").status_code in (302, 403)
    assert reader_client.post(f"/admin/emails/issue/{draft_issue.pk}/").status_code in (302, 403)
    assert not Send.objects.exists()


def test_an_editor_who_may_not_publish_cannot_send_to_readers(make_user, draft_issue, sections):
    from tests.personas import logged_in_client

    writer = logged_in_client(make_user("wendy", groups=("Editors",)))
    newsletter = Newsletter.objects.create(subject="Hello", segment=Newsletter.FREE_READERS)
    assert writer.get("/admin/emails/").status_code == 200
    assert writer.get(f"/admin/emails/newsletter/{newsletter.pk}/").status_code == 403


def test_a_newsletter_goes_to_its_segment_once_and_shows_its_counts(
    editor_client, subscriber, reader, smtp_server, django_capture_on_commit_callbacks
):
    newsletter = Newsletter.objects.create(
        subject="A letter from the editor",
        preheader="What we are working on",
        segment=Newsletter.FREE_READERS,
        body=[("heading", "Spring plans"), ("paragraph", "<p>We are <b>hiring</b> reporters.</p>")],
    )
    send_page = editor_client.get(f"/admin/emails/newsletter/{newsletter.pk}/", follow=True)
    send = Send.objects.get(newsletter=newsletter)

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(f"/admin/emails/{send.pk}/send/")
        editor_client.post(f"/admin/emails/{send.pk}/send/")

    [received] = smtp_server.to(reader.email)
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    html = received.message.get_body(preferencelist=("html",)).get_content()
    assert "Spring plans" in html and "hiring" in text and "<b>" not in text
    assert smtp_server.to(subscriber.email) == [], "free readers only"
    page = editor_client.get(f"/admin/emails/{send.pk}/").content.decode()
    assert send_page.status_code == 200 and "Sent" in page
    # Rita, and Eddie: an editor's account without a subscription is a free reader's too.
    assert Send.objects.get(pk=send.pk).counts()["sent"] == 2


def test_the_issue_list_leads_to_each_issues_email_and_the_emails_menu_lists_mailings(editor_client, draft_issue):
    issues = editor_client.get("/admin/snippets/editions/issue/").content.decode()
    assert f"/admin/emails/issue/{draft_issue.pk}/" in issues
    emails = editor_client.get("/admin/emails/").content.decode()
    assert "Issues whose email is not prepared yet" in emails and str(draft_issue) in emails
    assert editor_client.get("/admin/snippets/newsletters/newsletter/add/").status_code == 200
