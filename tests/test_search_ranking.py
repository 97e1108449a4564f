"""Search order and phrases: the most relevant article first, the newest first among equals, quoted words together."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from django.db import connection

from masthead.content import search_ranking
from masthead.content.models import SUBSCRIBERS
from tests.factories import ArticleFactory, AuthorFactory, paragraphs
from tests.reading import headlines, link_targets, parsed, words


def result_count(response) -> str:
    return words(parsed(response).select_one(".result-count"))


def twin(title: str, date: datetime.date, author):
    """An article whose every word is the same as its twin's: equally relevant to any search."""
    return ArticleFactory(
        title=title,
        date=date,
        authors=[author],
        standfirst="Melting ice in the high valleys.",
        pages=[paragraphs("Measurements of the glacier were taken in spring.", "The results surprised nobody.")],
    )


def newer_articles_mentioning_a_lighthouse(**fields):
    """12 articles of 2024 that mention a lighthouse once, in passing: each less relevant than one about it."""
    for month in range(1, 13):
        ArticleFactory(
            title=f"Harbour fees {month}",
            date=datetime.date(2024, month, 1),
            standfirst="The port raises its fees.",
            pages=[paragraphs("Ships paid more this year.", "A lighthouse was mentioned at the meeting.")],
            **fields,
        )


@contextlib.contextmanager
def statements_run():
    """Every statement run meanwhile, as sent: the ranked read runs on a server-side cursor, which
    CaptureQueriesContext misses."""
    statements = []

    def noting(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(noting):
        yield statements


def test_equally_relevant_articles_come_newest_first(sections, anonymous):
    author = AuthorFactory(name="Ines Halvorsen")
    twin("Glacier report", datetime.date(2019, 5, 1), author)
    twin("Glacier report", datetime.date(2024, 5, 1), author)
    twin("Glacier report", datetime.date(2021, 5, 1), author)

    response = anonymous.get("/search/", {"q": "glacier"})

    dates = [words(time) for time in parsed(response).select(".search-results article time")]
    assert result_count(response) == "3 results for “glacier”."
    assert [date[-4:] for date in dates] == ["2024", "2021", "2019"]


def test_equals_beyond_the_first_page_keep_coming_newest_first_on_the_next(sections, anonymous):
    author = AuthorFactory(name="Ines Halvorsen")
    for day in range(1, 24):  # 23 equally relevant articles: more than a page of ties
        twin("Glacier report", datetime.date(2020, 1, day), author)

    first = anonymous.get("/search/", {"q": "glacier"})
    second = anonymous.get("/search/", {"q": "glacier", "page": "2"})

    def days(response):
        return [int(words(time).split()[1].rstrip(",")) for time in parsed(response).select(".search-results time")]

    assert result_count(first) == "23 results for “glacier”."
    assert days(first) == list(range(23, 3, -1))
    assert days(second) == [3, 2, 1]


def test_a_more_relevant_older_article_comes_before_a_less_relevant_newer_one(sections, anonymous):
    ArticleFactory(
        title="Budget talks resume",
        date=datetime.date(2025, 3, 1),
        standfirst="Ministers meet again.",
        pages=[paragraphs("A glacier was mentioned once, in passing.", "Then the talks went on.")],
    )
    ArticleFactory(
        title="The glacier that moved",
        date=datetime.date(2015, 3, 1),
        standfirst="A glacier in retreat, measured for a decade.",
        pages=[paragraphs("The glacier lost a third of its mass.", "Glacier scientists expect more.")],
    )

    response = anonymous.get("/search/", {"q": "glacier"})

    assert headlines(response, ".search-results h3") == ["The glacier that moved", "Budget talks resume"]


@pytest.mark.parametrize("place", ["title", "standfirst"])
def test_a_word_in_the_title_or_standfirst_ranks_articles_alike_for_readers_with_and_without_a_subscription(
    sections, anonymous, subscriber_client, monkeypatch, place
):
    """Those without a subscription search the articles' open texts, whose title and standfirst weigh as much
    as in the article's own entry (PostgreSQL; SQLite's index weighs the title alone): both readers see one
    order, and on PostgreSQL the first page is read from the salient words alone, as for the entitled reader."""
    monkeypatch.setattr(search_ranking, "PAGES_COUNTED_AHEAD", 0)  # page 1 reads 21 rows: the salient ones suffice
    for year in range(2001, 2023):  # 22 older articles with a lighthouse in their title or standfirst, once
        ArticleFactory(
            title=f"The lighthouse keepers {year}" if place == "title" else f"Keepers of the coast {year}",
            date=datetime.date(year, 6, 1),
            standfirst="A lighthouse and its keepers." if place == "standfirst" else "Keepers and their lamps.",
            pages=[paragraphs("It stood for a century.", "Each had a keeper and a lamp.")],
        )
    newer_articles_mentioning_a_lighthouse()
    with statements_run() as statements:
        by_anonymous = headlines(anonymous.get("/search/", {"q": "lighthouse"}), ".search-results h3")
    by_subscriber = headlines(subscriber_client.get("/search/", {"q": "lighthouse"}), ".search-results h3")

    assert by_anonymous == by_subscriber
    if connection.vendor == "postgresql":
        about_lighthouses = "The lighthouse keepers" if place == "title" else "Keepers of the coast"
        assert by_anonymous == [f"{about_lighthouses} {year}" for year in range(2022, 2002, -1)]
        searches = [sql for sql in statements if "<=>" in sql]
        assert any("masthead_salient" in sql for sql in searches)
        assert not any("masthead_salient" not in sql for sql in searches)


@pytest.fixture
def minister_articles(sections):
    together = ArticleFactory(
        title="A visit to Oslo",
        standfirst="Talks on gas supplies.",
        pages=[paragraphs("The energy minister arrived on Tuesday.", "She met her counterpart.")],
    )
    apart = ArticleFactory(
        title="Prices at the pump",
        standfirst="Drivers pay more.",
        pages=[paragraphs("Energy prices rose again.", "The minister said nothing.")],
    )
    return together, apart


def test_words_in_quotes_find_only_articles_with_them_side_by_side(minister_articles, anonymous):
    phrase = anonymous.get("/search/", {"q": '"energy minister"'})
    loose = anonymous.get("/search/", {"q": "energy minister"})

    assert result_count(phrase) == '1 result for “"energy minister"”.'
    assert headlines(phrase, ".search-results h3") == ["A visit to Oslo"]
    assert [words(mark) for mark in parsed(phrase).select(".snippet mark")] == ["energy", "minister"]
    assert set(headlines(loose, ".search-results h3")) == {"A visit to Oslo", "Prices at the pump"}


def test_curly_quotes_typed_on_a_phone_make_a_phrase_too(minister_articles, anonymous):
    response = anonymous.get("/search/", {"q": "“energy minister” Tuesday"})

    assert headlines(response, ".search-results h3") == ["A visit to Oslo"]


def test_a_phrase_and_a_word_must_both_match(minister_articles, anonymous):
    response = anonymous.get("/search/", {"q": '"energy minister" pump'})

    # No article has both: the search falls back to the articles having every word, apart, and says so.
    assert result_count(response) == (
        '1 result for “pump "energy minister"”: no article has all of that as written, so these have every word,'
        " in any order."
    )
    assert headlines(response, ".search-results h3") == ["Prices at the pump"]


def test_a_phrase_nobody_wrote_finds_its_words_apart(minister_articles, anonymous):
    response = anonymous.get("/search/", {"q": '"minister energy"'})

    assert "no article has the quoted words together, so these have them apart" in result_count(response)
    assert set(headlines(response, ".search-results h3")) == {"A visit to Oslo", "Prices at the pump"}


def test_a_phrase_of_one_word_said_twice_finds_articles_with_the_word_once(minister_articles, anonymous):
    # "Bora Bora", "Duran Duran": the archive may have written the name once.
    response = anonymous.get("/search/", {"q": '"minister minister"'})

    assert "no article has that as written, so these have the word" in result_count(response)
    assert set(headlines(response, ".search-results h3")) == {"A visit to Oslo", "Prices at the pump"}


def test_two_phrases_that_no_article_has_both_of_find_their_words_in_any_order(minister_articles, anonymous):
    # "A visit to Oslo" has the first as written, "Prices at the pump" the second: neither has both.
    response = anonymous.get("/search/", {"q": '"energy minister" "prices rose"'})

    assert result_count(response) == (
        '1 result for “"energy minister" "prices rose"”: no article has all of that as written, so these have'
        " every word, in any order."
    )
    assert headlines(response, ".search-results h3") == ["Prices at the pump"]


def test_when_no_article_has_even_the_words_apart_any_of_them_will_do(minister_articles, anonymous):
    response = anonymous.get("/search/", {"q": '"energy minister" pump Tuesday'})

    assert "no article has all of those words, so these have some of them" in result_count(response)
    assert set(headlines(response, ".search-results h3")) == {"A visit to Oslo", "Prices at the pump"}


def test_a_phrase_from_the_subscribers_part_finds_the_article_only_for_subscribers(
    sections, anonymous, subscriber_client
):
    ArticleFactory(
        title="Inside the ministry",
        access_level=SUBSCRIBERS,
        pages=[paragraphs("An open first paragraph.", "A second one.", "The secret pipeline deal was signed.")],
    )

    by_anonymous = anonymous.get("/search/", {"q": '"secret pipeline"'})
    by_subscriber = subscriber_client.get("/search/", {"q": '"secret pipeline"'})

    assert result_count(by_anonymous) == '0 results for “"secret pipeline"”.'
    assert headlines(by_subscriber, ".search-results h3") == ["Inside the ministry"]


def test_beyond_the_counted_limit_the_page_says_more_than(sections, anonymous, monkeypatch):
    monkeypatch.setattr(search_ranking, "MOST_COUNTED", 3)
    for day in range(1, 6):
        ArticleFactory(title=f"Avalanche warning {day}", date=datetime.date(2024, 2, day))

    response = anonymous.get("/search/", {"q": "avalanche"})

    assert result_count(response) == "More than 3 results for “avalanche”."
    assert len(headlines(response, ".search-results h3")) == 3


def test_a_search_counts_a_few_pages_ahead_and_the_reader_can_page_past_them(sections, anonymous, monkeypatch):
    monkeypatch.setattr(search_ranking, "PAGES_COUNTED_AHEAD", 1)  # count one page past the one asked for
    for day in range(1, 46):
        ArticleFactory(title=f"Avalanche warning {day}", date=datetime.date(2024, 1, 1) + datetime.timedelta(days=day))

    first = anonymous.get("/search/", {"q": "avalanche"})
    second = anonymous.get("/search/", {"q": "avalanche", "page": "2"})
    third = anonymous.get("/search/", {"q": "avalanche", "page": "3"})

    assert result_count(first) == "More than 40 results for “avalanche”."
    first_pages = parsed(first).select_one("nav.pagination")
    assert "Page 1 of more than 2" in words(first_pages)
    assert link_targets(first_pages, "Next →") == ["?q=avalanche&page=2"]
    assert result_count(second) == "45 results for “avalanche”."
    assert "Page 2 of 3" in words(parsed(second).select_one("nav.pagination"))
    shown = [headline for page in (first, second, third) for headline in headlines(page, ".search-results h3")]
    assert sorted(shown) == sorted(f"Avalanche warning {day}" for day in range(1, 46))


def test_a_word_most_articles_mention_in_passing_ranks_those_about_it_first_on_every_page(
    sections, anonymous, monkeypatch
):
    """On PostgreSQL the first page is read from the entries where the word is salient (content/0009):
    the same order as ranking every match, and the next page, which needs more, ranks them all."""
    monkeypatch.setattr(search_ranking, "PAGES_COUNTED_AHEAD", 0)  # page 1 reads 21 rows: the salient ones suffice
    author = AuthorFactory(name="Ines Halvorsen")
    for year in range(2001, 2023):  # 22 articles about lighthouses, older
        ArticleFactory(
            title=f"Keepers of the coast {year}",
            date=datetime.date(year, 6, 1),
            authors=[author],
            standfirst="A lighthouse and its keepers.",
            pages=[
                paragraphs("The lighthouse stood for a century.", "Each lighthouse had a keeper; the lighthouse lamp.")
            ],
        )
    newer_articles_mentioning_a_lighthouse(authors=[author])

    with statements_run() as statements:
        first = anonymous.get("/search/", {"q": "lighthouse"})
    second = anonymous.get("/search/", {"q": "lighthouse", "page": "2"})

    assert result_count(first) == "More than 20 results for “lighthouse”."
    assert headlines(first, ".search-results h3") == [f"Keepers of the coast {year}" for year in range(2022, 2002, -1)]
    assert result_count(second) == "34 results for “lighthouse”."
    assert headlines(second, ".search-results h3") == [
        "Keepers of the coast 2002",
        "Keepers of the coast 2001",
        *(f"Harbour fees {month}" for month in range(12, 0, -1)),
    ]
    if connection.vendor == "postgresql":  # the first page came from the salient words alone
        searches = [sql for sql in statements if "<=>" in sql]
        assert any("masthead_salient" in sql for sql in searches)
        assert not any("<=>" in sql and "masthead_salient" not in sql for sql in searches)


def test_the_ranked_read_is_not_compiled_however_costly_its_plan(sections, anonymous):
    """PostgreSQL costs a cursor for its whole scan, which for a common word in a large archive passes
    jit_above_cost: compiling that plan took 20-25 ms to read 101 rows in 3-5. Here every plan passes it."""
    ArticleFactory(title="Glacier report", pages=[paragraphs("The glacier melts.", "Then it freezes.")])
    postgresql = connection.vendor == "postgresql"
    jit_during_read = []

    def noting(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if postgresql and "<=>" in sql:  # the ranked read's cursor, as it is declared
            with context["connection"].cursor() as cursor:
                cursor.execute("SHOW jit")
                jit_during_read.append(cursor.fetchone()[0])
        return result

    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SET jit_above_cost = 0")
    try:
        with connection.execute_wrapper(noting):
            response = anonymous.get("/search/", {"q": "glacier"})
    finally:
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("RESET jit_above_cost")

    assert headlines(response, ".search-results h3") == ["Glacier report"]
    if postgresql:  # the salient read, then all (one article: too few salient rows)
        assert jit_during_read and set(jit_during_read) == {"off"}
