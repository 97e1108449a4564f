"""A bot hammering a door gets "slow down" (429, with Retry-After) after a few requests; people are unaffected.

Each test lowers one door's limit (settings.RATE_LIMITS, or allauth's ACCOUNT_RATE_LIMITS) so it
stays fast. The bot is at 203.0.113.66; Rita and Sam are readers, at 198.51.100.7 unless the test
puts them behind the bot's address.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.billing.pages import DECLINED_CARD, card_fields, hidden_value, visible_text
from tests.personas import PASSWORD

BOT = "203.0.113.66"
ELSEWHERE = "198.51.100.7"


@pytest.fixture
def limit(settings):
    """Set one of our doors' rates for this test: limit("search", per_address="3/m")."""

    def set_rates(door: str, **rates: str) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, door: {**settings.RATE_LIMITS[door], **rates}}

    return set_rates


@pytest.fixture
def limit_allauth(settings):
    """Set one of allauth's rates for this test: limit_allauth("signup", "2/m/ip")."""

    def set_rate(action: str, rate: str) -> None:
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, action: rate}

    return set_rate


def assert_told_to_slow_down(response, *, within_seconds: int) -> None:
    assert response.status_code == 429
    assert "Slow down a little" in visible_text(response)
    assert "Please wait" in visible_text(response)
    assert 0 < int(response["Retry-After"]) <= within_seconds


# -- search (per address) ------------------------------------------------------------------------


def test_the_fourth_new_search_in_a_minute_is_told_to_slow_down(limit, anonymous, seed_article):
    limit("search", per_address="3/m")
    for word in ("Virtanen", "Helsinki", "budget"):
        assert anonymous.get("/search/", {"q": word}, REMOTE_ADDR=BOT).status_code == 200

    response = anonymous.get("/search/", {"q": "election"}, REMOTE_ADDR=BOT)

    assert_told_to_slow_down(response, within_seconds=60)


def test_a_reader_elsewhere_searches_while_the_bot_is_held_back(limit, anonymous, seed_article):
    limit("search", per_address="3/h")  # an hour's window: a minute's could turn over between the bot's searches
    for word in ("Virtanen", "Helsinki", "budget", "election"):
        held_back = anonymous.get("/search/", {"q": word}, REMOTE_ADDR=BOT)
    assert held_back.status_code == 429  # so its "election" was never searched, nor kept

    response = Client().get("/search/", {"q": "election"}, REMOTE_ADDR=ELSEWHERE)

    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"  # searched afresh, not the cache's answer
    assert "for “election”" in visible_text(response)


def test_a_search_already_in_the_page_cache_is_served_without_counting(limit, anonymous, seed_article):
    limit("search", per_address="2/m")

    answers = [anonymous.get("/search/", {"q": "Virtanen"}, REMOTE_ADDR=BOT) for _ in range(5)]

    assert [answer.status_code for answer in answers] == [200] * 5
    assert answers[-1]["X-Page-Cache"] == "hit"


# -- the JSON API (per address) ------------------------------------------------------------------


def test_the_api_answers_until_the_limit_and_then_says_when_to_come_back(limit, anonymous, seed_article):
    limit("api", per_address="3/m")
    assert anonymous.get("/api/articles/", REMOTE_ADDR=BOT).status_code == 200
    assert anonymous.get(f"/api/articles/{seed_article.pk}/", REMOTE_ADDR=BOT).status_code == 200
    assert anonymous.get("/api/articles/", {"page": 2}, REMOTE_ADDR=BOT).status_code == 200

    response = anonymous.get(f"/api/articles/{seed_article.pk}/", {"fresh": 1}, REMOTE_ADDR=BOT)

    assert_told_to_slow_down(response, within_seconds=60)
    assert Client().get("/api/articles/", REMOTE_ADDR=ELSEWHERE).status_code == 200


# -- checkout: card testing (per reader and per address) -----------------------------------------


def press_pay(client, card: str = DECLINED_CARD, address: str = ELSEWHERE):
    form = client.get("/subscribe/digital-monthly/", REMOTE_ADDR=address)
    assert form.status_code == 200
    data = card_fields(card, hidden_value(form, "checkout_token"))
    return client.post("/subscribe/digital-monthly/", data, REMOTE_ADDR=address)


def test_a_reader_trying_card_after_card_is_stopped_after_the_limit(limit, reader_client):
    limit("checkout", per_reader="3/h")
    for _ in range(3):
        response = press_pay(reader_client)
        assert response.status_code == 200
        assert "declined" in visible_text(response).lower()

    response = press_pay(reader_client)

    assert_told_to_slow_down(response, within_seconds=3600)


def test_one_reader_held_back_at_checkout_does_not_hold_back_another(limit, reader_client, make_user):
    limit("checkout", per_reader="2/h")
    for _ in range(3):
        press_pay(reader_client)
    sam = Client()
    sam.force_login(make_user("sam"))

    response = press_pay(sam)

    assert response.status_code == 200
    assert "declined" in visible_text(response).lower()


def test_many_accounts_trying_cards_from_one_address_are_stopped_too(limit, make_user):
    limit("checkout", per_reader="10/h", per_address="4/h")
    bots = []
    for number in range(3):
        bot = Client()
        bot.force_login(make_user(f"bot{number}"))
        bots.append(bot)
    for bot in bots[:2]:
        for _ in range(2):
            assert press_pay(bot, address=BOT).status_code == 200

    response = press_pay(bots[2], address=BOT)

    assert_told_to_slow_down(response, within_seconds=3600)


def test_opening_the_checkout_page_is_not_counted(limit, reader_client):
    limit("checkout", per_reader="1/h")

    pages = [reader_client.get("/subscribe/digital-monthly/") for _ in range(4)]

    assert [page.status_code for page in pages] == [200] * 4


# -- reader accounts: allauth's own limits, answered with our page --------------------------------


def test_the_fourth_login_attempt_in_a_minute_from_one_address_is_told_to_slow_down(limit_allauth, anonymous, db):
    limit_allauth("login", "3/m/ip")
    for number in range(3):
        anonymous.post("/account/login/", {"login": f"someone{number}@example.com", "password": "x"}, REMOTE_ADDR=BOT)

    response = anonymous.post("/account/login/", {"login": "rita@example.com", "password": "x"}, REMOTE_ADDR=BOT)

    assert_told_to_slow_down(response, within_seconds=60)


def test_a_reader_elsewhere_logs_in_while_the_bot_is_held_back(limit_allauth, anonymous, reader):
    limit_allauth("login", "3/m/ip")
    for number in range(4):
        anonymous.post("/account/login/", {"login": f"someone{number}@example.com", "password": "x"}, REMOTE_ADDR=BOT)

    response = Client().post(
        "/account/login/", {"login": "rita@example.com", "password": PASSWORD}, REMOTE_ADDR=ELSEWHERE, follow=True
    )

    assert "Signed in as rita@example.com" in visible_text(response)


def test_the_third_signup_in_a_minute_from_one_address_is_told_to_slow_down(limit_allauth, anonymous, db):
    limit_allauth("signup", "2/m/ip")
    for number in range(2):
        data = {"email": f"new{number}@example.com", "password1": PASSWORD, "password2": PASSWORD}
        assert anonymous.post("/account/signup/", data, REMOTE_ADDR=BOT).status_code == 302
        anonymous.post("/account/logout/")

    data = {"email": "new9@example.com", "password1": PASSWORD, "password2": PASSWORD}
    response = anonymous.post("/account/signup/", data, REMOTE_ADDR=BOT)

    assert_told_to_slow_down(response, within_seconds=60)


def test_password_reset_emails_for_one_address_stop_after_the_limit(limit_allauth, anonymous, reader, mailoutbox):
    limit_allauth("reset_password", "20/m/ip,2/m/key")
    for _ in range(2):
        anonymous.post("/account/password/reset/", {"email": "rita@example.com"}, REMOTE_ADDR=BOT)

    response = anonymous.post("/account/password/reset/", {"email": "rita@example.com"}, REMOTE_ADDR=ELSEWHERE)

    assert_told_to_slow_down(response, within_seconds=60)
    assert len(mailoutbox) == 2
