"""Reader accounts at /account/: sign up, confirm the email, log in and out, reset a password."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core import mail

from tests.billing.pages import link_in, visible_text
from tests.personas import PASSWORD

NEW_PASSWORD = "a different horse, same battery"


def log_in(client, email: str, password: str = PASSWORD):
    return client.post("/account/login/", {"login": email, "password": password}, follow=True)


def test_a_visitor_signs_up_with_email_and_the_emailed_link_confirms_the_address(anonymous):
    response = anonymous.post(
        "/account/signup/", {"email": "nina@example.com", "password1": PASSWORD, "password2": PASSWORD}, follow=True
    )

    assert "We have sent an email to you for verification" in visible_text(response)
    [email] = mail.outbox
    assert email.to == ["nina@example.com"]
    assert email.subject == "The Masthead Review: Please Confirm Your Email Address"
    confirm_url = link_in(email.body, "/account/confirm-email/")
    assert not EmailAddress.objects.get(email="nina@example.com").verified

    page = anonymous.get(confirm_url)
    assert "nina@example.com" in visible_text(page)
    anonymous.post(confirm_url)

    assert EmailAddress.objects.get(email="nina@example.com").verified
    account = log_in(anonymous, "nina@example.com")
    assert "Signed in as nina@example.com" in visible_text(account)


def test_a_reader_cannot_log_in_before_confirming_the_email(anonymous):
    anonymous.post("/account/signup/", {"email": "nina@example.com", "password1": PASSWORD, "password2": PASSWORD})
    anonymous.post("/account/logout/")

    response = log_in(anonymous, "nina@example.com")

    assert "verif" in visible_text(response).lower()
    assert anonymous.get("/account/").status_code == 302


def test_a_reader_logs_in_with_email_and_password_and_lands_on_the_account_page(anonymous, reader):
    response = log_in(anonymous, "rita@example.com")

    assert response.redirect_chain[-1][0] == "/account/"
    assert "Signed in as rita@example.com" in visible_text(response)
    assert "You do not have a subscription yet." in visible_text(response)


def test_a_wrong_password_is_refused_with_a_message(anonymous, reader):
    response = log_in(anonymous, "rita@example.com", "not my password")

    assert "The email address and/or password you specified are not correct." in visible_text(response)
    assert anonymous.get("/account/").status_code == 302


def test_logging_out_ends_the_session(reader_client):
    assert reader_client.get("/account/").status_code == 200

    response = reader_client.post("/account/logout/", follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert "Log in" in visible_text(response)
    assert reader_client.get("/account/")["Location"] == "/account/login/?next=/account/"


def test_a_forgotten_password_is_reset_through_the_emailed_link(anonymous, reader):
    anonymous.post("/account/password/reset/", {"email": "rita@example.com"})

    [email] = mail.outbox
    assert email.to == ["rita@example.com"]
    assert "Password Reset" in email.subject
    reset_url = link_in(email.body, "/account/password/reset/key/")
    form = anonymous.get(reset_url, follow=True)
    set_password_url = form.redirect_chain[-1][0]
    done = anonymous.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)
    assert "Your password is now changed." in visible_text(done)

    assert "not correct" in visible_text(log_in(anonymous, "rita@example.com", PASSWORD))
    assert "Signed in as rita@example.com" in visible_text(log_in(anonymous, "rita@example.com", NEW_PASSWORD))
