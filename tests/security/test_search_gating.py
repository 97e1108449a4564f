"""Search matches only what the reader may read: a search must not tell which words are in gated text.

A reader without a subscription may read a subscribers-only article's title, byline, standfirst and
teaser; searching for words from the rest must not find it (nor quote them). Subscribers, and
editors, search every word. Free articles are searched whole, unless the archive rule may gate them.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from masthead.access.models import PaywallSettings
from tests.factories import ArticleFactory, AuthorFactory
from tests.personas import logged_in_client
from tests.reading import headlines, parsed, words

GATED_TITLE = "The Bond Market Blinks"
GATED_SENTENCE = "The governor quietly told three pension funds about the rate cut."
GATED_WORDS = "governor pension funds"  # together only in the gated part
TEASER_WORDS = "traders screens"  # in the teaser, which anyone may read
FREE_TITLE = "Budget Talks Stall"
FREE_DEEP_WORDS = "negotiators thursday"  # on the free article's last web page


def p(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


@pytest.fixture
def gated_article(sections):
    """Subscribers only; its teaser is the first two paragraphs of page 1."""
    return ArticleFactory(
        access_level="subscribers",
        section=sections["finance"],
        title=GATED_TITLE,
        slug="the-bond-market-blinks",
        authors=[AuthorFactory(name="Daniel Brooks")],
        date=datetime.date.today() - datetime.timedelta(days=3),
        standfirst="Yields fell for a third day.",
        body=[
            p("Traders watched the screens all morning."),
            p("Nobody expected the bank to move before summer."),
            p("Then the phones rang."),
            {"type": "page_break", "value": None},
            p(GATED_SENTENCE),
        ],
    )


@pytest.fixture
def free_article(sections):
    """Free to read, over two web pages, published long ago."""
    return ArticleFactory(
        section=sections["politics"],
        title=FREE_TITLE,
        slug="budget-talks-stall",
        authors=[AuthorFactory(name="Maria Okafor")],
        date=datetime.date(2020, 3, 5),
        standfirst="The coalition cannot agree on spending.",
        body=[
            p("Ministers met again on Monday."),
            {"type": "page_break", "value": None},
            p("Negotiators said talks would resume on Thursday."),
        ],
    )


def found(client: Client, query: str) -> list[str]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return headlines(response, ".search-results h3")


def snippets(client: Client, query: str) -> str:
    return " ".join(words(snippet) for snippet in parsed(client.get("/search/", {"q": query})).select(".snippet"))


@pytest.fixture(params=["anonymous", "reader", "lapsed subscriber"])
def outsider(request, reader, lapsed_subscriber) -> Client:
    """Someone without a subscription."""
    users = {"anonymous": None, "reader": reader, "lapsed subscriber": lapsed_subscriber}
    user = users[request.param]
    return Client() if user is None else logged_in_client(user)


def test_words_from_the_gated_part_do_not_find_the_article_for_readers_without_a_subscription(gated_article, outsider):
    assert found(outsider, GATED_WORDS) == []
    assert found(outsider, "quietly") == []
    assert GATED_SENTENCE not in outsider.get("/search/", {"q": GATED_WORDS}).content.decode()


def test_words_a_reader_may_read_still_find_the_article(gated_article, outsider):
    assert found(outsider, TEASER_WORDS) == [GATED_TITLE]
    assert found(outsider, "yields") == [GATED_TITLE]  # the standfirst
    assert found(outsider, "bond market") == [GATED_TITLE]  # the title
    assert found(outsider, "daniel brooks") == [GATED_TITLE]  # the byline


def test_a_broadened_search_does_not_find_it_by_gated_words_either(gated_article, free_article, outsider):
    results = outsider.get("/search/", {"q": "governor pension ministers"})

    assert "no article has all of those words" in words(parsed(results).select_one(".result-count"))
    assert headlines(results, ".search-results h3") == [FREE_TITLE]


def test_a_phrase_searched_again_as_words_apart_does_not_find_it_by_gated_words(
    gated_article, outsider, subscriber_client
):
    # Nobody wrote "funds pension": the search tries the two words apart, which only the gated part holds.
    assert found(outsider, '"funds pension"') == []
    by_subscriber = subscriber_client.get("/search/", {"q": '"funds pension"'})
    assert headlines(by_subscriber, ".search-results h3") == [GATED_TITLE]
    assert "so these have them apart" in words(parsed(by_subscriber).select_one(".result-count"))


def test_a_subscriber_finds_the_article_by_any_of_its_words_and_sees_them_quoted(gated_article, subscriber_client):
    assert found(subscriber_client, GATED_WORDS) == [GATED_TITLE]
    assert "pension funds" in snippets(subscriber_client, GATED_WORDS)


def test_an_editor_finds_the_article_by_any_of_its_words(gated_article, editor_client):
    assert found(editor_client, GATED_WORDS) == [GATED_TITLE]


def test_snippets_never_quote_gated_text_to_readers_without_a_subscription(gated_article, outsider):
    assert GATED_SENTENCE not in snippets(outsider, "bond")
    assert "Traders watched the screens" in snippets(outsider, "bond")


def test_a_free_article_is_found_by_any_of_its_words(free_article, outsider):
    assert found(outsider, FREE_DEEP_WORDS) == [FREE_TITLE]
    assert "Negotiators said talks would resume" in snippets(outsider, FREE_DEEP_WORDS)


def test_with_the_archive_rule_on_old_free_articles_are_found_only_by_what_anyone_may_read(
    free_article, outsider, subscriber_client
):
    paywall = PaywallSettings.load()
    paywall.archive_after_days = 365
    paywall.save()

    assert found(outsider, FREE_DEEP_WORDS) == []
    assert found(outsider, "ministers monday") == [FREE_TITLE]  # its teaser
    assert "Negotiators" not in snippets(outsider, "budget")
    assert found(subscriber_client, FREE_DEEP_WORDS) == [FREE_TITLE]


def test_a_subscribers_search_results_are_not_kept_for_anyone_else(gated_article, subscriber_client):
    response = subscriber_client.get("/search/", {"q": GATED_WORDS})

    assert "private" in response["Cache-Control"]
    assert found(Client(), GATED_WORDS) == []
