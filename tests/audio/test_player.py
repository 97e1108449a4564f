"""The player on the article page and the private feed panel on /account/, as each reader sees them.

The article and account templates include these through the `audio_tags` library; the tests
render the tags for a request from each persona, exactly as those templates do.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template import Context, Template

from masthead.audio import services
from tests.reading import words

PLAYER = Template("{% load audio_tags %}{% audio_player request page %}")
FEED_PANEL = Template("{% load audio_tags %}{% podcast_feed_panel %}")


def render_player(player_request, user, article):
    from bs4 import BeautifulSoup

    request = player_request(user, article.url)
    html = PLAYER.render(Context({"request": request, "page": article}))
    return BeautifulSoup(html, "html.parser"), request


@pytest.fixture
def free_audio(free_article, narrate):
    return narrate(free_article)


@pytest.fixture
def gated_audio(gated_article, narrate):
    return narrate(gated_article)


def test_anyone_gets_an_accessible_player_for_a_free_article(player_request, free_article, free_audio):
    page, _ = render_player(player_request, None, free_article)

    player = page.select_one("section.audio-player")
    assert words(player.select_one("h2")) == "Listen to this article (1 minute)"
    assert (
        player.select_one("audio[controls]")["src"] == f"/audio/articles/{free_article.pk}.mp3?v={free_audio.version}"
    )
    assert player.select_one("button[data-action=toggle]")["aria-label"] == "Play"
    assert player.select_one("button[data-action=back]")["aria-label"] == "Back 15 seconds"
    assert player.select_one("label.audio-player__seek input[type=range]") is not None
    speeds = [option["value"] for option in player.select("select[data-role=speed] option")]
    assert speeds == ["0.75", "1", "1.25", "1.5", "1.75", "2"]
    chapters = player.select("nav[aria-label='Audio chapters'] button[data-action=chapter]")
    assert [words(button.select_one(".audio-player__chapter-title")) for button in chapters] == [
        "Budget Talks Stall",
        "What is left",
    ]
    assert float(chapters[0]["data-start"]) == 0
    assert page.select_one("script[src='/static/audio/player.js']") is not None


@pytest.mark.parametrize("persona", [None, "reader", "refunded_subscriber"])
def test_readers_without_a_subscription_get_the_offer_and_no_audio_url(
    request, player_request, gated_article, gated_audio, persona
):
    user = request.getfixturevalue(persona) if persona else None

    page, rendered_for = render_player(player_request, user, gated_article)

    assert page.select_one("audio") is None
    assert ".mp3" not in str(page)
    assert "data-start" not in str(page)
    assert "for subscribers" in words(page)
    assert page.select_one("a[href='/subscribe/']") is not None
    # The offer depends on entitlements alone: the page stays shareable with the reader's audience.
    assert not getattr(rendered_for, "user_dependent_response", False)


def test_a_subscriber_gets_the_player_for_a_subscriber_article(player_request, subscriber, gated_article, gated_audio):
    page, rendered_for = render_player(player_request, subscriber, gated_article)

    assert page.select_one("audio")["src"].startswith(f"/audio/articles/{gated_article.pk}.mp3")
    assert [words(b.select_one(".audio-player__chapter-title")) for b in page.select("[data-action=chapter]")] == [
        "The Bond Market Blinks",
        "Page 2",
    ]
    assert not getattr(rendered_for, "user_dependent_response", False)  # one copy for every subscriber


def test_an_article_without_audio_shows_no_player(player_request, free_article):
    page, _ = render_player(player_request, None, free_article)

    assert page.select_one("section") is None


def test_the_player_script_is_served_as_a_static_file(anonymous):
    from django.contrib.staticfiles import finders

    script = finders.find("audio/player.js")
    text = Path(script).read_text(encoding="utf-8")
    assert "localStorage" in text and "playbackRate" in text


def render_panel(player_request, user):
    from bs4 import BeautifulSoup

    request = player_request(user, "/account/")
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    return BeautifulSoup(FEED_PANEL.render(Context({"request": request, "csrf_token": "x"})), "html.parser")


def test_the_account_page_shows_a_subscriber_their_private_feed_and_a_rotate_button(player_request, subscriber):
    panel = render_panel(player_request, subscriber)

    url = panel.select_one("input#podcast-feed-url")["value"]
    assert url == f"http://testserver/audio/private/{services.feed_token_for(subscriber).token}/feed.xml"
    assert panel.select_one("label[for=podcast-feed-url]") is not None
    form = panel.select_one("form[method=post]")
    assert form["action"] == "/audio/feed/rotate/"
    assert words(form.select_one("button")) == "Make a new feed address"


def test_the_account_page_shows_the_same_feed_url_until_it_is_rotated(player_request, subscriber):
    first = render_panel(player_request, subscriber).select_one("input#podcast-feed-url")["value"]
    again = render_panel(player_request, subscriber).select_one("input#podcast-feed-url")["value"]
    services.rotate_feed_token(subscriber)
    rotated = render_panel(player_request, subscriber).select_one("input#podcast-feed-url")["value"]

    assert first == again != rotated


def test_readers_without_a_subscription_get_no_private_feed(player_request, reader):
    panel = render_panel(player_request, reader)

    assert panel.select_one("input#podcast-feed-url") is None
    assert "Subscribers can listen" in words(panel)
    assert not reader.__class__.objects.filter(podcast_feed__isnull=False).exists()
