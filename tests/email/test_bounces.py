"""Bounces and complaints a provider reports later, through django-anymail's webhooks, stop further mail."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from masthead.newsletters.models import Delivery, Newsletter, Recipient, Send
from masthead.newsletters.services import send_newsletter

pytestmark = pytest.mark.django_db

SECRET = "masthead:webhook-secret"


@pytest.fixture
def webhook(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    provider = Client(enforce_csrf_checks=True)  # a provider's post carries no CSRF token

    def post(payload: dict, secret: str = SECRET):
        auth = base64.b64encode(secret.encode()).decode()
        return provider.post(
            "/webhooks/email/postmark/tracking/",
            data=json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Basic {auth}",
        )

    return post


@pytest.fixture
def sent_newsletter(reader, smtp_server, django_capture_on_commit_callbacks):
    newsletter = Newsletter.objects.create(subject="Spring plans", segment=Newsletter.FREE_READERS)
    with django_capture_on_commit_callbacks(execute=True):
        send = send_newsletter(newsletter)
    return send


def bounce(email: str, kind: str = "HardBounce") -> dict:
    return {
        "RecordType": "Bounce",
        "Type": kind,
        "TypeCode": 1,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Email": email,
        "BouncedAt": "2026-12-03T16:33:54Z",
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
    }


def test_a_hard_bounce_reported_by_the_provider_suppresses_the_address(webhook, reader, sent_newsletter):
    response = webhook(bounce(reader.email))

    assert response.status_code == 200
    recipient = Recipient.objects.get(email=reader.email)
    assert recipient.suppression_reason == Recipient.BOUNCED and recipient.suppressed_at
    delivery = Delivery.objects.get(send=sent_newsletter, recipient=recipient)
    assert delivery.status == Delivery.BOUNCED
    assert Send.objects.get(pk=sent_newsletter.pk).counts()["bounced"] == 1


def test_a_spam_complaint_suppresses_the_address_and_is_counted(webhook, reader, sent_newsletter, reader_client):
    complaint = {
        "RecordType": "SpamComplaint",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Email": reader.email,
        "BouncedAt": "2026-12-03T16:33:54Z",
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Description": "",
        "Details": "",
    }
    webhook(complaint)

    recipient = Recipient.objects.get(email=reader.email)
    assert recipient.suppression_reason == Recipient.COMPLAINED
    assert Send.objects.get(pk=sent_newsletter.pk).counts()["complained"] == 1
    assert "marked as spam" in reader_client.get("/account/email/").content.decode()


def test_a_temporary_failure_suppresses_nothing(webhook, reader, sent_newsletter):
    webhook(bounce(reader.email, kind="Transient") | {"TypeCode": 2})
    assert Recipient.objects.get(email=reader.email).suppressed_at is None


def test_a_webhook_without_the_secret_changes_nothing(webhook, reader, sent_newsletter):
    response = webhook(bounce(reader.email), secret="masthead:guess")
    assert response.status_code in (400, 401, 403)
    assert Recipient.objects.get(email=reader.email).suppressed_at is None


def test_a_suppressed_address_is_not_mailed_again_and_cannot_sign_up_again(
    webhook, reader, sent_newsletter, smtp_server, anonymous, django_capture_on_commit_callbacks
):
    webhook(bounce(reader.email))
    second = Newsletter.objects.create(subject="Summer plans", segment=Newsletter.FREE_READERS)
    with django_capture_on_commit_callbacks(execute=True):
        send_newsletter(second)
        response = anonymous.post("/newsletters/signup/", {"email": reader.email})

    assert "Check your inbox" in response.content.decode(), "the same answer as for any address"
    assert [m.message["Subject"] for m in smtp_server.to(reader.email)] == ["Spring plans"]


@pytest.fixture
def webhook_without_secret(settings, anonymous, caplog):
    """The site as deployed before ANYMAIL_WEBHOOK_SECRET was set; the log's "once" starts afresh."""
    from masthead.newsletters import webhooks

    settings.ANYMAIL = {}
    webhooks.already_logged.clear()
    anonymous.raise_request_exception = False

    def post(provider: str, payload: dict):
        return anonymous.post(
            f"/webhooks/email/{provider}/tracking/", data=json.dumps(payload), content_type="application/json"
        )

    return post


def test_without_a_webhook_secret_a_forged_bounce_finds_a_closed_door(webhook_without_secret, reader, sent_newsletter):
    response = webhook_without_secret("postmark", bounce(reader.email))

    assert response.status_code == 404
    assert Recipient.objects.get(email=reader.email).suppressed_at is None
    assert Delivery.objects.get(send=sent_newsletter).status == Delivery.SENT


def test_without_a_webhook_secret_every_provider_answers_404_and_the_reason_is_logged_once(
    webhook_without_secret, caplog
):
    answers = {provider: webhook_without_secret(provider, {}).status_code for provider in ("sendgrid", "mailgun")}
    webhook_without_secret("postmark", {})

    assert answers == {"sendgrid": 404, "mailgun": 404}, "no 500 for a provider that needs its own key either"
    warnings = [record.getMessage() for record in caplog.records if "ANYMAIL_WEBHOOK_SECRET" in record.getMessage()]
    assert warnings == ["Email webhooks answer 404: ANYMAIL_WEBHOOK_SECRET is not set. "
                        "No provider's bounces or complaints are recorded."]  # fmt: skip


def test_with_the_secret_a_provider_that_lacks_its_own_signing_key_answers_404_not_500(settings, anonymous, caplog):
    from masthead.newsletters import webhooks

    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    webhooks.already_logged.clear()
    anonymous.raise_request_exception = False
    auth = base64.b64encode(SECRET.encode()).decode()

    response = anonymous.post("/webhooks/email/mailgun/tracking/", data="{}", content_type="application/json",
                              HTTP_AUTHORIZATION=f"Basic {auth}")  # fmt: skip

    assert response.status_code == 404
    assert any("MAILGUN_WEBHOOK_SIGNING_KEY" in record.getMessage() for record in caplog.records)
