"""Free sign-up with only an email address, double opt-in, email choices and one-click unsubscribe."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from masthead.newsletters import tokens
from masthead.newsletters.models import Recipient
from masthead.newsletters.tasks import send_weekly_digest

pytestmark = pytest.mark.django_db

VERA = "vera@example.org"


def sign_up(client, email, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/newsletters/signup/", {"email": email, **extra})


def confirmation_link(smtp_server, email) -> str:
    [received] = smtp_server.to(email)
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://testserver(/newsletters/confirm/\S+/)", text).group(1)


def test_a_visitor_signs_up_with_only_an_email_and_confirms_by_the_link(
    anonymous, smtp_server, django_capture_on_commit_callbacks
):
    response = sign_up(anonymous, VERA, django_capture_on_commit_callbacks)

    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    link = confirmation_link(smtp_server, VERA)
    recipient = Recipient.objects.get(email=VERA)
    assert not recipient.is_confirmed and recipient.user is None

    # A mail scanner following the link confirms nothing: only the button does.
    page = anonymous.get(link)
    assert "Confirm my sign-up" in page.content.decode()
    assert not Recipient.objects.get(email=VERA).is_confirmed
    confirmed = anonymous.post(link)

    assert "You are signed up" in confirmed.content.decode()
    assert Recipient.objects.get(email=VERA).is_confirmed
    assert "/account/email/?t=" in confirmed.content.decode(), "choices are a click away, with no password"


def test_nothing_but_the_confirmation_goes_to_an_unconfirmed_address(
    anonymous, smtp_server, django_capture_on_commit_callbacks, time_machine
):
    sign_up(anonymous, VERA, django_capture_on_commit_callbacks)
    time_machine.move_to("2026-12-04 09:00:00Z")  # a Friday, after the digest's hour

    with django_capture_on_commit_callbacks(execute=True):
        send_weekly_digest.call()

    assert len(smtp_server.to(VERA)) == 1


def test_signing_up_again_at_once_sends_no_second_confirmation(
    anonymous, smtp_server, django_capture_on_commit_callbacks
):
    sign_up(anonymous, VERA, django_capture_on_commit_callbacks)
    again = sign_up(anonymous, VERA.upper(), django_capture_on_commit_callbacks)

    assert "Check your inbox" in again.content.decode()
    assert len(smtp_server.to(VERA)) == 1
    assert Recipient.objects.count() == 1


def test_a_forged_or_altered_confirmation_link_confirms_nothing(
    anonymous, smtp_server, django_capture_on_commit_callbacks
):
    sign_up(anonymous, VERA, django_capture_on_commit_callbacks)
    link = confirmation_link(smtp_server, VERA)

    assert anonymous.post(link[:-3] + "xx/").status_code == 400
    forged = tokens.unsubscribe_token(1, "digest")  # a real signature, for another kind of link
    assert anonymous.post(f"/newsletters/confirm/{forged}/").status_code == 400
    assert not Recipient.objects.get(email=VERA).is_confirmed


def test_a_bot_filling_the_hidden_field_is_thanked_and_ignored(
    anonymous, smtp_server, django_capture_on_commit_callbacks
):
    response = sign_up(anonymous, VERA, django_capture_on_commit_callbacks, website="http://spam.example")
    assert response.status_code == 200
    assert smtp_server.messages == [] and not Recipient.objects.exists()


def test_a_bad_address_gets_a_clear_error(anonymous):
    response = anonymous.post("/newsletters/signup/", {"email": "not an address"})
    assert response.status_code == 400 and "valid email address" in response.content.decode()


def test_the_signup_form_is_rate_limited_per_address(anonymous, settings, smtp_server):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "newsletter_signup": {**settings.RATE_LIMITS["newsletter_signup"], "per_address": "3/h"},
    }
    statuses = [anonymous.post("/newsletters/signup/", {"email": f"v{n}@example.org"}).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_the_signup_form_is_on_the_newsletters_page_the_footer_and_the_paywall_box(anonymous, sections):
    from tests.factories import ArticleFactory

    gated = ArticleFactory(access_level="subscribers", pages=[["<p>One.</p>", "<p>Two.</p>", "<p>Three.</p>"]])
    article_page = anonymous.get(gated.url).content.decode()
    assert article_page.count('action="/newsletters/signup/"') == 2, "in the paywall box and in the footer"
    assert 'action="/newsletters/signup/"' in anonymous.get("/newsletters/").content.decode()


def test_a_reader_chooses_what_they_receive_on_the_account_email_page(reader_client, reader, sections):
    page = reader_client.get("/account/email/")
    assert page.status_code == 200 and reader.email in page.content.decode()
    assert page["Cache-Control"].startswith("private") or "private" in page["Cache-Control"]

    reader_client.post(
        "/account/email/", {"issue_email": "on", "newsletters": "on", "alert_sections": [sections["politics"].pk]}
    )

    recipient = Recipient.objects.get(user=reader)
    assert (recipient.wants_issue_email, recipient.wants_digest, recipient.wants_newsletters) == (True, False, True)
    assert list(recipient.alert_sections.all()) == [sections["politics"]]


def test_the_link_in_an_email_manages_choices_without_logging_in(anonymous, sections):
    vera = Recipient.objects.create(email=VERA, confirmed_at="2026-01-01T00:00:00Z")
    token = tokens.manage_token(vera.pk)

    assert anonymous.get(f"/account/email/?t={token}").status_code == 200
    anonymous.post("/account/email/", {"t": token, "unsubscribe_all": "1"})

    vera.refresh_from_db()
    assert not (vera.wants_issue_email or vera.wants_digest or vera.wants_newsletters)
    assert anonymous.get("/account/email/?t=1:forged").status_code == 404
    assert anonymous.get("/account/email/").status_code == 302, "no link and no login: log in first"


def test_the_email_address_pages_of_accounts_still_work(reader_client):
    assert reverse("account_email") == "/account/email/addresses/"
    assert reader_client.get("/account/email/addresses/").status_code == 200
