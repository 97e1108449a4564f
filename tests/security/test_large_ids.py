"""A number too large for the database in a URL is a page that does not exist, never a server error."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from tests.factories import ArticleFactory

TOO_LARGE = "99999999999999999999999"  # 23 digits: past every integer column
JUST_PAST_BIGINT = str(2**63)  # one more than the largest BigAutoField id


@pytest.fixture
def article(sections):
    return ArticleFactory(section=sections["politics"], title="Budget Talks Stall")


@pytest.fixture
def anonymous_without_exceptions(anonymous):
    """A visitor whose client shows a server error as the 500 page, as a browser would."""
    anonymous.raise_request_exception = False
    return anonymous


@pytest.mark.parametrize(
    "url",
    [
        f"/api/articles/{TOO_LARGE}/",
        f"/api/articles/{JUST_PAST_BIGINT}/",
        f"/audio/articles/{TOO_LARGE}.mp3",
        f"/audio/private/some-token/{TOO_LARGE}.mp3",
        f"/issues/2027/{TOO_LARGE}/",
        f"/issues/{TOO_LARGE}/1/",
        "/issues/999999999999999999/1/",  # 18 digits: the route matches, and there is no such year
        f"/issues/2027/{TOO_LARGE}/edition.pdf",
    ],
)
def test_a_visitor_asking_for_an_impossibly_large_id_gets_the_not_found_page(
    anonymous_without_exceptions, article, url
):
    response = anonymous_without_exceptions.get(url)

    assert response.status_code == 404


def test_the_not_found_page_for_a_large_article_id_in_the_api_is_the_sites_own(anonymous_without_exceptions, article):
    response = anonymous_without_exceptions.get(f"/api/articles/{TOO_LARGE}/")

    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


def test_an_ordinary_article_id_still_reaches_the_article(anonymous, article):
    assert anonymous.get(f"/api/articles/{article.pk}/").json()["title"] == "Budget Talks Stall"


def test_a_reader_asking_for_a_receipt_with_a_large_id_gets_not_found(reader_client):
    reader_client.raise_request_exception = False

    assert reader_client.get(f"/account/receipts/{TOO_LARGE}/").status_code == 404
    assert reader_client.get(f"/account/receipts/{TOO_LARGE}/pdf/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"/admin/narrations/{TOO_LARGE}/",
        f"/admin/narrations/{TOO_LARGE}/renarrate/",
        f"/admin/print-runs/{TOO_LARGE}/",
        f"/admin/subscribers/{TOO_LARGE}/",
        f"/admin/subscribers/1/refund/{TOO_LARGE}/",
    ],
)
def test_an_editor_following_a_mangled_admin_link_gets_not_found(admin_persona_client, url):
    admin_persona_client.raise_request_exception = False

    assert admin_persona_client.get(url).status_code == 404


def our_url_patterns(patterns=None, prefix=""):
    """Every URL pattern whose view is ours, with its full route, including those registered in Wagtail's admin."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from our_url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "__module__", "").startswith("masthead."):
            yield prefix + str(pattern.pattern), pattern


def test_every_number_in_our_urls_is_bounded_so_none_can_overflow_the_database():
    unbounded = [
        route
        for route, pattern in our_url_patterns()
        if any(isinstance(converter, IntConverter) for converter in pattern.pattern.converters.values())
    ]

    assert unbounded == []
