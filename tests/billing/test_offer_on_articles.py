"""The "Subscribe to …" box under an article is for readers who cannot already read everything."""

from __future__ import annotations

import pytest

from tests.factories import ArticleFactory
from tests.reading import parsed

OFFER = "Subscribe to The Masthead Review"
PAYWALL = "The rest of this article is for subscribers"


@pytest.fixture
def free_article(sections):
    return ArticleFactory(section=sections["culture"], title="The Harbour Painters", slug="the-harbour-painters")


@pytest.fixture
def gated_article(sections):
    return ArticleFactory(
        section=sections["politics"], title="Inside the Budget", slug="inside-the-budget", access_level="subscribers"
    )


def boxes(response) -> list[str]:
    assert response.status_code == 200
    return [box.select_one("h2").get_text(strip=True) for box in parsed(response).select("aside.subscribe-box")]


def test_a_subscriber_is_not_offered_a_subscription_under_any_article(
    free_article, gated_article, subscriber_client, print_subscriber_client
):
    for client in (subscriber_client, print_subscriber_client):
        assert boxes(client.get(free_article.url)) == []
        assert boxes(client.get(gated_article.url)) == []


def test_visitors_and_readers_without_a_subscription_are_offered_one(
    free_article, gated_article, anonymous, reader_client, lapsed_subscriber_client
):
    for client in (anonymous, reader_client, lapsed_subscriber_client):
        assert boxes(client.get(free_article.url)) == [OFFER]
        # Under a gated article the paywall's own offer stands in for the box.
        assert boxes(client.get(gated_article.url)) == [PAYWALL]


def test_the_cached_page_visitors_share_never_reaches_a_subscriber_and_theirs_is_never_shared(
    free_article, anonymous, subscriber_client
):
    first = anonymous.get(free_article.url)
    assert first["X-Page-Cache"] == "miss" and boxes(first) == [OFFER]

    assert boxes(subscriber_client.get(free_article.url)) == []

    again = anonymous.get(free_article.url)
    assert again["X-Page-Cache"] == "hit" and boxes(again) == [OFFER]
