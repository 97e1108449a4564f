"""Podcast feeds, read by a feed parser as a podcast app would: the public one and each subscriber's own."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from masthead.audio import services
from masthead.audio.feeds import EPISODE_ART
from masthead.audio.models import ArticleNarration
from masthead.subscriptions.services import do_refund_under_guarantee
from tests.factories import ArticleFactory


def parse(response):
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def fetch_enclosure(client, url: str):
    parts = urlsplit(url)
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    return response, b"".join(response.streaming_content) if response.streaming else response.content


def private_feed_path(reader) -> str:
    return f"/audio/private/{services.feed_token_for(reader).token}/feed.xml"


@pytest.fixture
def episodes(free_article, gated_article, narrate):
    return {"free": narrate(free_article), "gated": narrate(gated_article)}


def assert_playable_episodes(feed, client):
    """Every item has one MP3 enclosure whose length is the size of the file the URL serves."""
    assert feed.entries
    for entry in feed.entries:
        [enclosure] = entry.enclosures
        assert enclosure.type == "audio/mpeg"
        response, data = fetch_enclosure(client, enclosure.href)
        assert response.status_code == 200
        assert int(enclosure.length) == len(data) > 1000
        assert data[:3] == b"ID3"


def test_public_feed_is_a_podcast_of_the_free_articles_only(anonymous, episodes, free_article):
    feed = parse(anonymous.get("/audio/feed.xml"))

    assert feed.version == "rss20"
    assert feed.feed.title.endswith(": audio")
    assert feed.feed.image.href.endswith("/audio/artwork.png")
    assert feed.namespaces["itunes"] == "http://www.itunes.com/dtds/podcast-1.0.dtd"
    assert [entry.title for entry in feed.entries] == [free_article.title]
    assert_playable_episodes(feed, Client())


def test_feed_items_carry_a_stable_guid_duration_artwork_and_chapters(anonymous, episodes, free_article):
    [entry] = parse(anonymous.get("/audio/feed.xml")).entries
    narration = episodes["free"]

    assert entry.id == f"http://127.0.0.1:8000/audio/articles/{free_article.pk}"
    assert entry.guidislink is False
    assert entry.itunes_duration == str(round(narration.duration_ms / 1000))
    artwork = free_article.hero_image.get_rendition(EPISODE_ART).url  # /media/... on disk, the bucket's URL on S3
    assert entry.image.href == urljoin("http://testserver/", artwork)
    assert entry.author == "Maria Okafor"
    assert [chapter.title for chapter in entry.psc_chapters.chapters] == ["Budget Talks Stall", "What is left"]
    assert entry.psc_chapters.chapters[0].start == "00:00:00.000"


def test_the_channel_artwork_is_a_square_png(anonymous):
    from io import BytesIO

    from PIL import Image

    response = anonymous.get("/audio/artwork.png")

    assert response["Content-Type"] == "image/png"
    assert Image.open(BytesIO(response.content)).size == (1400, 1400)


def test_a_subscribers_private_feed_has_every_article_with_token_authorised_enclosures(subscriber, episodes):
    app = Client()  # a podcast app: no session, only the URL

    feed = parse(app.get(private_feed_path(subscriber)))

    assert sorted(entry.title for entry in feed.entries) == sorted(n.article.title for n in episodes.values())
    token = services.feed_token_for(subscriber).token
    assert all(f"/audio/private/{token}/" in entry.enclosures[0].href for entry in feed.entries)
    assert_playable_episodes(feed, app)
    assert feed.feed.itunes_block == 1  # feedparser: kept out of directories


def test_private_feed_and_enclosures_are_kept_out_of_the_page_cache(subscriber, episodes):
    app = Client()
    path = private_feed_path(subscriber)

    first, second = app.get(path), app.get(path)

    assert second["X-Page-Cache"] == "miss"
    assert "private" in first["Cache-Control"] and "no-store" in first["Cache-Control"]


def test_the_same_episode_has_the_same_guid_in_both_feeds_and_after_rotation(subscriber, episodes, anonymous):
    public = {entry.title: entry.id for entry in parse(anonymous.get("/audio/feed.xml")).entries}
    private = {entry.title: entry.id for entry in parse(Client().get(private_feed_path(subscriber))).entries}
    services.rotate_feed_token(subscriber)
    rotated = {entry.title: entry.id for entry in parse(Client().get(private_feed_path(subscriber))).entries}

    assert public.items() <= private.items()
    assert private == rotated


def test_rotating_the_token_stops_the_old_feed_and_its_enclosures_at_once(subscriber, subscriber_client, episodes):
    app = Client()
    old_feed = private_feed_path(subscriber)
    old_enclosure = parse(app.get(old_feed)).entries[0].enclosures[0].href

    response = subscriber_client.post("/audio/feed/rotate/")

    assert response.status_code == 302
    assert response["Location"] == "/account/#podcast-feed"
    assert app.get(old_feed).status_code == 404
    assert fetch_enclosure(app, old_enclosure)[0].status_code == 404
    new_feed = private_feed_path(subscriber)
    assert new_feed != old_feed
    assert_playable_episodes(parse(app.get(new_feed)), app)


def test_rotating_needs_a_logged_in_reader_and_a_post(anonymous, subscriber_client):
    assert anonymous.post("/audio/feed/rotate/").status_code == 302  # to the login page
    assert subscriber_client.get("/audio/feed/rotate/").status_code == 405


def test_the_private_feed_stops_when_the_subscription_ends(subscriber, episodes):
    app = Client()
    feed_path = private_feed_path(subscriber)
    enclosure = parse(app.get(feed_path)).entries[0].enclosures[0].href

    do_refund_under_guarantee(subscriber.subscriptions.get(), actor="reader")

    assert app.get(feed_path).status_code == 403
    assert fetch_enclosure(app, enclosure)[0].status_code == 403


def test_an_unknown_token_is_not_found(episodes):
    assert Client().get("/audio/private/not-a-token/feed.xml").status_code == 404
    assert Client().get(f"/audio/private/not-a-token/{episodes['free'].article_id}.mp3").status_code == 404


def test_the_token_table_holds_no_working_url(subscriber):
    token = services.feed_token_for(subscriber)

    stored = {field.attname: str(getattr(token, field.attname)) for field in token._meta.fields}
    assert token.token not in stored.values()


def test_the_feeds_list_only_narrated_live_articles(anonymous, episodes, free_article, sections):
    from tests.factories import ArticleFactory

    ArticleFactory(section=sections["politics"], title="Not Narrated Yet")
    free_article.unpublish()

    assert parse(anonymous.get("/audio/feed.xml")).entries == []
    assert ArticleNarration.objects.filter(article=free_article).exclude(file_name="").exists()


def feed_queries(client, path: str) -> int:
    """Queries for a feed already fetched once (the first fetch makes each episode's artwork)."""
    parse(client.get(path))
    with CaptureQueriesContext(connection) as queries:
        parse(client.get(path))
    return len(queries)


def test_a_feed_costs_the_same_queries_for_two_episodes_or_five(subscriber, episodes, narrate, sections):
    private = Client()
    few = {
        "public": feed_queries(Client(), "/audio/feed.xml"),
        "private": feed_queries(private, private_feed_path(subscriber)),
    }

    for number in range(3):
        narrate(ArticleFactory(section=sections["culture"], title=f"Listening note {number}"))
    many = {
        "public": feed_queries(Client(), "/audio/feed.xml"),
        "private": feed_queries(private, private_feed_path(subscriber)),
    }

    assert many == few
