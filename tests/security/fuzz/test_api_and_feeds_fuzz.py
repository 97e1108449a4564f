"""The JSON API, audio URLs, feeds and article lists, with any query string or id in the path: never a 500.

Ids too large for the database (issue 11's first finding) are among the examples on every run.
"""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from tests.security.fuzz.hostile_input import (
    any_text,
    assert_not_a_server_error,
    fuzz,
    hostile_text,
    ids_in_paths,
    junk_params,
    path_segment,
    raw_query_strings,
    rolled_back,
    visitor,
)

TOO_LARGE = "99999999999999999999999"
query_strings = st.one_of(junk_params, raw_query_strings)
FEEDS_AND_LISTS = [
    "/api/articles/",
    "/feed/",
    "/feed/atom/",
    "/audio/feed.xml",
    "/",
    "/foreign-affairs/",
    "/authors/marta-lindqvist/",
    "/issues/",
    "/sitemap.xml",
]


def get(client, path: str, query):
    if isinstance(query, dict):
        return client.get(path, query)
    return client.get(path, QUERY_STRING=query)


@fuzz(40)
@given(path=st.sampled_from(FEEDS_AND_LISTS), query=query_strings)
def test_the_api_feeds_and_lists_take_any_query_string(seed_article, path, query):
    with rolled_back():
        response = get(visitor(), path, query)
        assert_not_a_server_error(response, f"GET {path} with {query!r}")
        if path == "/api/articles/" and response.status_code == 200:
            listing = json.loads(response.content)
            assert listing["count"] == 1 and 1 <= listing["page"] <= listing["pages"]


@fuzz(40)
@given(article_id=ids_in_paths, query=query_strings)
@example(article_id=TOO_LARGE, query={})
@example(article_id="9223372036854775808", query={})
def test_an_article_in_the_api_by_any_id_is_found_or_not_found(seed_article, article_id, query):
    with rolled_back():
        response = get(visitor(), f"/api/articles/{article_id}/", query)
        assert_not_a_server_error(response, f"GET /api/articles/{article_id}/")
        if response.status_code == 200:
            assert json.loads(response.content)["id"] == seed_article.pk


# Subscribers' podcast URLs carry a token; any text may arrive in its place.
tokens = st.one_of(hostile_text, any_text, st.text("abcdef0123456789-_", min_size=40, max_size=120)).filter(bool)


@fuzz(40)
@given(
    route=st.sampled_from(["article audio", "private feed", "private audio", "issue", "receipt"]),
    some_id=ids_in_paths,
    token=tokens,
    query=query_strings,
)
@example(route="article audio", some_id=TOO_LARGE, token="t", query={})
@example(route="private audio", some_id=TOO_LARGE, token="t", query={})
@example(route="issue", some_id=TOO_LARGE, token="t", query={})
@example(route="receipt", some_id=TOO_LARGE, token="t", query={})
def test_audio_issue_and_receipt_urls_with_any_id_or_token_are_found_or_not_found(
    reader, seed_article, route, some_id, token, query
):
    path = {
        "article audio": f"/audio/articles/{some_id}.mp3",
        "private feed": f"/audio/private/{path_segment(token)}/feed.xml",
        "private audio": f"/audio/private/{path_segment(token)}/{some_id}.mp3",
        "issue": f"/issues/{some_id}/{some_id}/",
        "receipt": f"/account/receipts/{some_id}/",
    }[route]
    with rolled_back():
        # Receipts are behind the login; the other URLs are for anybody (podcast apps have no session).
        response = get(visitor(reader if route == "receipt" else None), path, query)
        assert_not_a_server_error(response, f"GET {path}")
