"""Listening that picks up where it stopped: a logged-in reader's place is saved on the server (POST,
CSRF, rate-limited) and offered on any device, and the home page says "continue listening"."""

from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from masthead.audio.models import ListeningPosition
from tests.factories import ArticleFactory, AuthorFactory
from tests.personas import logged_in_client, subscribe


@pytest.fixture
def long_article(sections):
    """A subscribers-only article long enough (about a minute with the stand-in voice) to stop halfway."""
    sentence = "The committee heard evidence from farmers, bankers and engineers about the river. "
    return ArticleFactory(
        access_level="subscribers",
        section=sections["politics"],
        title="The River Inquiry",
        slug="the-river-inquiry",
        authors=[AuthorFactory(name="Ada Stone")],
        date=datetime.date(2024, 4, 2),
        body=[{"type": "paragraph", "value": f"<p>{sentence * 3}</p>"} for _ in range(40)],
    )


@pytest.fixture
def long_audio(long_article, narrate):
    narration = narrate(long_article)
    assert narration.duration_ms > 40_000
    return narration


def player_of(client, article):
    response = client.get(article.url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one("section[data-audio-player]")


def save(client, article, position, version="v1", **headers):
    return client.post(f"/audio/articles/{article.pk}/position/", {"position": position, "version": version}, **headers)


def saved_place(client, article):
    response = client.get(f"/audio/articles/{article.pk}/position/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return response.json()


def test_a_place_saved_on_the_phone_is_where_the_laptop_resumes(subscriber, long_article, long_audio):
    phone, laptop = logged_in_client(subscriber), logged_in_client(subscriber)

    assert save(phone, long_article, "21.5", long_audio.version).status_code == 204

    player = player_of(laptop, long_article)
    assert player["data-position-url"] == f"/audio/articles/{long_article.pk}/position/"
    place = saved_place(laptop, long_article)
    assert (place["position"], place["version"]) == (21.5, long_audio.version)


def test_the_shared_page_carries_no_place_and_no_token_and_each_reader_gets_their_own(
    subscriber, make_user, long_article, long_audio
):
    other = make_user("sol")
    subscribe(other, checkout="sol")
    sam, sol = logged_in_client(subscriber), logged_in_client(other)
    save(sam, long_article, "40", long_audio.version)

    sams_page, sols_page = sam.get(long_article.url), sol.get(long_article.url)

    assert sols_page["X-Page-Cache"] == "hit"  # one copy for every subscriber...
    assert "40" not in str(player_of(sol, long_article)) and "data-csrf" not in sols_page.content.decode()
    assert saved_place(sam, long_article)["position"] == 40.0  # ...and each reader's own place beside it
    assert saved_place(sol, long_article)["position"] is None
    assert saved_place(sam, long_article)["csrf"] != saved_place(sol, long_article)["csrf"]
    assert sams_page.content == sols_page.content


def test_the_player_saves_with_its_csrf_token_and_a_post_without_one_is_refused(subscriber, long_article, long_audio):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(subscriber)
    token = saved_place(browser, long_article)["csrf"]

    assert save(browser, long_article, "30").status_code == 403
    assert not ListeningPosition.objects.exists()
    assert save(browser, long_article, "30", headers={"X-CSRFToken": token}).status_code == 204
    assert ListeningPosition.objects.get(reader=subscriber).position_ms == 30_000


def test_only_a_logged_in_reader_who_may_listen_can_save_a_place(anonymous, reader_client, long_article, long_audio):
    assert save(anonymous, long_article, "12").status_code == 403
    assert save(reader_client, long_article, "12").status_code == 403  # no subscription: the audio is not theirs
    assert save(reader_client, long_article, "12").json() == {"error": "This article’s audio is for subscribers."}
    assert not ListeningPosition.objects.exists()
    assert anonymous.get(f"/audio/articles/{long_article.pk}/position/").status_code == 403
    assert reader_client.get(f"/audio/articles/{long_article.pk}/position/").status_code == 403


@pytest.mark.parametrize("position", ["", "soon", "-3", "nan", "inf"])
def test_a_position_that_is_not_seconds_is_refused_and_the_saved_place_kept(
    subscriber_client, long_article, long_audio, position
):
    save(subscriber_client, long_article, "20")

    response = save(subscriber_client, long_article, position)

    assert response.status_code == 400
    assert "seconds" in response.json()["error"]
    assert ListeningPosition.objects.get().position_ms == 20_000


def test_saving_too_often_is_refused_for_a_while(settings, subscriber_client, long_article, long_audio):
    door = settings.RATE_LIMITS["listening_position"]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "listening_position": {**door, "per_reader": "3/m"}}

    answers = [save(subscriber_client, long_article, str(10 + second)).status_code for second in range(5)]

    assert answers == [204, 204, 204, 429, 429]


def test_the_home_page_offers_to_continue_what_the_reader_half_heard(
    subscriber, subscriber_client, home_page, long_article, long_audio, free_article, narrate
):
    narrate(free_article)
    save(subscriber_client, long_article, "21", long_audio.version)

    page = BeautifulSoup(subscriber_client.get("/").content, "html.parser")
    section = page.select_one("section.continue-listening")
    listing = subscriber_client.get(section["data-source"])

    assert section.select_one("h2").get_text() == "Continue listening"
    assert listing["Cache-Control"] == "private, no-store"
    [item] = listing.json()["positions"]
    assert (item["url"], item["title"], item["at"]) == (long_article.url, "The River Inquiry", "0:21")


def test_a_narration_heard_to_the_end_is_not_offered_again(subscriber_client, home_page, long_article, long_audio):
    save(subscriber_client, long_article, str(long_audio.duration_ms / 1000 - 2))

    assert ListeningPosition.objects.get().finished
    assert subscriber_client.get("/audio/continue.json").json() == {"positions": []}
    assert saved_place(subscriber_client, long_article)["position"] is None


def test_anonymous_readers_get_the_same_cached_page_with_their_list_left_to_the_browser(anonymous, home_page):
    page = BeautifulSoup(anonymous.get("/").content, "html.parser")

    section = page.select_one("section[data-continue-listening]")
    assert section.has_attr("hidden")
    assert section.select("li") == []
    assert page.select_one("script[src='/static/audio/continue.js']") is not None
    assert "csrfmiddlewaretoken" not in str(page) and "data-csrf" not in str(page)
