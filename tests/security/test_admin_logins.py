"""Guessing an editor's password on the admin logins stops after a few tries, for that account from that address.

Ada (the superuser persona) is the target; Mallory guesses from 203.0.113.66; Ada herself works from
198.51.100.7. Rita, a reader, logs in from Mallory's address (a shared office or mobile network).
"""

from __future__ import annotations

import pytest

from tests.billing.pages import visible_text
from tests.personas import PASSWORD

ADMIN_LOGINS = ["/admin/login/", "/django-admin/login/"]
MALLORY = "203.0.113.66"
ADAS_OFFICE = "198.51.100.7"
GUESSES = 25


def log_in(client, url: str, username: str, password: str, address: str = MALLORY, **headers):
    """Fill in an admin's login form, as its page does (with the admin's front page to go to next)."""
    data = {"username": username, "password": password, "next": url.removesuffix("login/")}
    return client.post(url, data, REMOTE_ADDR=address, **headers)


def is_logged_in_to_admin(response, url: str) -> bool:
    """A successful admin login redirects into that admin."""
    return response.status_code == 302 and response["Location"] == url.removesuffix("login/")


@pytest.mark.parametrize("url", ADMIN_LOGINS)
def test_after_25_wrong_passwords_the_right_one_is_refused_with_a_clear_message(anonymous, admin, url):
    for attempt in range(GUESSES):
        response = log_in(anonymous, url, "ada", f"guess number {attempt}")
        assert not is_logged_in_to_admin(response, url)

    response = log_in(anonymous, url, "ada", PASSWORD)

    assert response.status_code == 429
    assert "Too many failed logins" in visible_text(response)
    assert "try again in 15 minutes" in visible_text(response)
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in anonymous.session


@pytest.mark.parametrize("url", ADMIN_LOGINS)
def test_a_locked_out_account_still_logs_in_from_its_owners_own_address(anonymous, admin, url):
    for attempt in range(GUESSES):
        log_in(anonymous, url, "ada", f"guess number {attempt}")

    response = log_in(anonymous, url, "ada", PASSWORD, address=ADAS_OFFICE)

    assert is_logged_in_to_admin(response, url)


def test_a_reader_on_the_attackers_network_logs_in_as_usual(anonymous, admin, reader, client):
    for attempt in range(GUESSES):
        log_in(anonymous, "/admin/login/", "ada", f"guess number {attempt}")

    response = client.post(
        "/account/login/", {"login": "rita@example.com", "password": PASSWORD}, REMOTE_ADDR=MALLORY, follow=True
    )

    assert "Signed in as rita@example.com" in visible_text(response)


def test_a_few_typos_are_forgotten_after_a_successful_login(anonymous, admin):
    for _ in range(2):
        for attempt in range(4):
            log_in(anonymous, "/admin/login/", "ada", f"typo {attempt}")
        response = log_in(anonymous, "/admin/login/", "ada", PASSWORD)
        assert is_logged_in_to_admin(response, "/admin/login/")
        anonymous.logout()


def test_a_guesser_cannot_escape_the_lockout_by_claiming_other_addresses(anonymous, admin):
    for attempt in range(GUESSES):
        log_in(anonymous, "/admin/login/", "ada", f"guess {attempt}", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")

    response = log_in(anonymous, "/admin/login/", "ada", PASSWORD, HTTP_X_FORWARDED_FOR=ADAS_OFFICE)

    assert response.status_code == 429


def test_behind_our_proxy_each_visitor_is_counted_at_the_address_the_proxy_saw(settings, anonymous, admin):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for attempt in range(GUESSES):
        log_in(anonymous, "/admin/login/", "ada", f"guess {attempt}", address=proxy, HTTP_X_FORWARDED_FOR=MALLORY)

    refused = log_in(anonymous, "/admin/login/", "ada", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=MALLORY)
    welcomed = log_in(anonymous, "/admin/login/", "ada", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=ADAS_OFFICE)

    assert refused.status_code == 429
    assert is_logged_in_to_admin(welcomed, "/admin/login/")


def test_guesses_at_a_readers_password_from_many_addresses_do_not_lock_her_out_of_her_own(anonymous, reader, client):
    for attempt in range(GUESSES):
        anonymous.post(
            "/account/login/",
            {"login": reader.email, "password": f"wrong {attempt}"},
            REMOTE_ADDR=f"203.0.113.{attempt}",
        )

    response = client.post(
        "/account/login/", {"login": reader.email, "password": PASSWORD}, REMOTE_ADDR=ADAS_OFFICE, follow=True
    )

    assert "Signed in as rita@example.com" in visible_text(response)
