"""Searching the archive: ranked results with highlighted snippets, filters, pages, and forgiving input."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from masthead.content.models import SUBSCRIBERS, ArticlePage
from masthead.core.page_cache import clear_page_cache
from tests.factories import ArticleFactory, AuthorFactory, paragraphs
from tests.reading import headlines, link_targets, main_text, parsed, words
from tests.seed import SEED_TITLE, SEED_URL


def result_count(response) -> str:
    return words(parsed(response).select_one(".result-count"))


@pytest.fixture
def virtanen_profile(sections):
    """A Politics article about Virtanen by Ivo Petrov, from 2024: more about her than the seed is."""
    return ArticleFactory(
        section=sections["politics"],
        title="Virtanen's Long Career",
        slug="virtanens-long-career",
        authors=[AuthorFactory(name="Ivo Petrov")],
        date=datetime.date(2024, 6, 1),
        standfirst="Aino Virtanen has served in Finland's energy ministry since 2004.",
        pages=[paragraphs("Virtanen joined the civil service in 1992.", "Virtanen is known for her wit.")],
    )


def test_search_for_virtanen_finds_the_seed_with_the_name_highlighted(seed_article, anonymous):
    response = anonymous.get("/search/", {"q": "Virtanen"})

    assert response.status_code == 200
    assert result_count(response) == "1 result for “virtanen”."
    card = parsed(response).select_one(".search-results article")
    assert link_targets(card, SEED_TITLE) == [SEED_URL]
    assert link_targets(card, "Foreign Affairs") == ["/foreign-affairs/"]
    snippet = card.select_one(".snippet")
    assert [words(mark) for mark in snippet.select("mark")] == ["Virtanen"]
    assert "after Deputy Energy Minister Aino Virtanen visited Oslo" in words(snippet)


def test_search_ranks_the_article_most_about_the_words_first(seed_article, virtanen_profile, anonymous):
    response = anonymous.get("/search/", {"q": "virtanen"})

    assert result_count(response) == "2 results for “virtanen”."
    assert headlines(response, ".search-results h3") == ["Virtanen's Long Career", SEED_TITLE]


def test_search_finds_articles_having_every_word_of_the_query(seed_article, virtanen_profile, anonymous):
    response = anonymous.get("/search/", {"q": "Virtanen utility"})

    assert result_count(response) == "1 result for “virtanen utility”."
    assert headlines(response, ".search-results h3") == [SEED_TITLE]
    # The snippet quotes the passage where the first of the words appears.
    assert [words(mark) for mark in parsed(response).select(".snippet mark")] == ["Virtanen"]


def test_search_with_no_article_having_every_word_shows_articles_with_some_and_says_so(
    seed_article, virtanen_profile, anonymous
):
    response = anonymous.get("/search/", {"q": "Virtanen wit Germany"})

    assert "no article has all of those words, so these have some of them" in result_count(response)
    assert set(headlines(response, ".search-results h3")) == {"Virtanen's Long Career", SEED_TITLE}


def test_search_snippet_escapes_the_articles_text_and_marks_only_the_words(sections, anonymous):
    ArticleFactory(
        title="Markup in the news",
        standfirst='Why <script>alert("x")</script> tags & <b>Virtanen</b> made headlines.',
    )

    response = anonymous.get("/search/", {"q": "virtanen"})

    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<b>" not in html
    snippet = parsed(response).select_one(".snippet")
    assert 'Why <script>alert("x")</script> tags & <b>Virtanen</b> made headlines.' in words(snippet)
    assert [words(mark) for mark in snippet.select("mark")] == ["Virtanen"]
    assert snippet.select("script, b") == []


def test_search_words_are_shown_back_escaped(sections, anonymous):
    response = anonymous.get("/search/", {"q": "<img src=x onerror=alert(1)>"})

    assert response.status_code == 200
    assert "<img src=x" not in response.content.decode()
    assert parsed(response).select_one("#id_q")["value"] == "<img src=x onerror=alert(1)>"


def test_search_filters_by_section(seed_article, virtanen_profile, anonymous):
    response = anonymous.get("/search/", {"q": "Virtanen", "section": "foreign-affairs"})

    assert headlines(response, ".search-results h3") == [SEED_TITLE]
    assert parsed(response).select_one("#id_section option[selected]")["value"] == "foreign-affairs"


def test_search_filters_by_author(seed_article, virtanen_profile, anonymous):
    by_tan = anonymous.get("/search/", {"q": "Virtanen", "author": "marta-lindqvist"})
    by_petrov = anonymous.get("/search/", {"q": "Virtanen", "author": "ivo-petrov"})

    assert headlines(by_tan, ".search-results h3") == [SEED_TITLE]
    assert headlines(by_petrov, ".search-results h3") == ["Virtanen's Long Career"]


def test_author_list_names_every_author_as_text_and_keeps_the_chosen_one(seed_article, anonymous):
    AuthorFactory(name='Ana <b>"Bold"</b> & Co', slug="ana-bold")

    response = anonymous.get("/search/", {"q": "Virtanen", "author": "ana-bold"})

    options = parsed(response).select("#id_author option")
    assert [words(option) for option in options if option["value"] == "ana-bold"] == ['Ana <b>"Bold"</b> & Co']
    assert [option["value"] for option in options if option.has_attr("selected")] == ["ana-bold"]
    assert options[0]["value"] == "" and words(options[0]) == "Any author"
    assert "Marta Lindqvist" in [words(option) for option in options]


def test_author_list_shows_an_author_added_or_renamed_since_the_last_search(
    seed_article, anonymous, django_capture_on_commit_callbacks
):
    anonymous.get("/search/", {"q": "Virtanen"})
    with django_capture_on_commit_callbacks(execute=True):  # the list is forgotten once the change is committed
        AuthorFactory(name="Noor Haddad", slug="noor-haddad")
        renamed = AuthorFactory(name="Ivo Petrov", slug="ivo-petrov")
        renamed.name = "Ivo Petrov-Lind"
        renamed.save()
    clear_page_cache()

    response = anonymous.get("/search/", {"q": "Virtanen"})

    names = [words(option) for option in parsed(response).select("#id_author option")]
    assert "Noor Haddad" in names
    assert "Ivo Petrov-Lind" in names and "Ivo Petrov" not in names


def test_search_filters_by_date_range(seed_article, virtanen_profile, anonymous):
    in_2023 = anonymous.get("/search/", {"q": "Virtanen", "date_from": "2023-01-01", "date_to": "2023-12-31"})
    from_2024 = anonymous.get("/search/", {"q": "Virtanen", "date_from": "2024-01-01"})
    to_seed_day = anonymous.get("/search/", {"q": "Virtanen", "date_to": "2023-02-07"})

    assert headlines(in_2023, ".search-results h3") == [SEED_TITLE]
    assert headlines(from_2024, ".search-results h3") == ["Virtanen's Long Career"]
    assert headlines(to_seed_day, ".search-results h3") == [SEED_TITLE]


def test_search_leaves_out_drafts(sections, anonymous):
    ArticleFactory(title="Secret plans", standfirst="Virtanen in a draft.", publish=False)

    response = anonymous.get("/search/", {"q": "virtanen"})

    assert result_count(response) == "0 results for “virtanen”."
    assert "Nothing in the archive matches that." in main_text(response)
    assert "Try fewer or different words" in main_text(response)


def test_search_results_come_twenty_to_a_page_with_links_that_keep_the_filters(sections, anonymous):
    for day in range(1, 23):
        ArticleFactory(
            section=sections["environment"],
            title=f"Glacier report {day}",
            standfirst="Glacier melt measured again.",
            date=datetime.date(2024, 1, day),
        )

    first = anonymous.get("/search/", {"q": "glacier", "section": "environment"})
    second = anonymous.get("/search/", {"q": "glacier", "section": "environment", "page": "2"})
    beyond = anonymous.get("/search/", {"q": "glacier", "section": "environment", "page": "99"})

    assert result_count(first) == "22 results for “glacier”."
    assert len(headlines(first, ".search-results h3")) == 20
    first_nav = parsed(first).select_one("nav.pagination")
    assert "Page 1 of 2" in words(first_nav)
    assert link_targets(first_nav, "Next →") == ["?q=glacier&section=environment&page=2"]
    assert len(headlines(second, ".search-results h3")) == 2
    assert link_targets(parsed(second).select_one("nav.pagination"), "← Previous") == [
        "?q=glacier&section=environment&page=1"
    ]
    seen = set(headlines(first, ".search-results h3")) | set(headlines(second, ".search-results h3"))
    assert seen == {f"Glacier report {day}" for day in range(1, 23)}
    assert beyond.status_code == 200
    assert "Page 2 of 2" in main_text(beyond)


# -- empty, absurd and mistaken queries ------------------------------------------------------------


def test_search_page_without_a_query_invites_one(db, anonymous):
    response = anonymous.get("/search/")

    assert response.status_code == 200
    assert "Search every article we have published, by words, section, author and date." in main_text(response)


@pytest.mark.parametrize("query", ["", "   ", '"((*', "*", "&&||!!", "-- ;", "\u200b"])
def test_search_query_without_words_gets_a_helpful_page(seed_article, anonymous, query):
    response = anonymous.get("/search/", {"q": query})

    assert response.status_code == 200
    text = main_text(response)
    assert "Type a word or two to search every article we have published" in text
    # The hint names a word the archive holds (the newest article's author), and following it finds something.
    [hint] = link_targets(parsed(response).select_one("main"), "Lindqvist")
    assert hint == "/search/?q=Lindqvist"
    assert headlines(anonymous.get(hint), ".search-results h3") == [SEED_TITLE]


@pytest.mark.parametrize(
    "query", ["Virtanen " * 1112, "Virtanen\x00"], ids=["ten thousand characters", "null character"]
)
def test_search_query_the_form_cannot_take_gets_a_helpful_page(seed_article, anonymous, query):
    response = anonymous.get("/search/", {"q": query})

    assert response.status_code == 200
    assert "We cannot search for that: try a few ordinary words." in main_text(response)


def test_search_query_of_many_words_and_symbols_is_answered(seed_article, anonymous):
    response = anonymous.get("/search/", {"q": 'Virtanen AND (Putin OR "Xi) NOT * ~ ^2 ' + "x " * 100})

    assert response.status_code == 200
    assert parsed(response).select_one(".result-count") is not None


@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_search_with_a_date_it_cannot_read_says_how_to_write_one(seed_article, anonymous, field):
    response = anonymous.get("/search/", {"q": "Virtanen", field: "last tuesday"})

    assert response.status_code == 200
    assert "Enter a date like 2023-02-07." in main_text(response)


def test_search_with_dates_the_wrong_way_round_says_so(seed_article, anonymous):
    response = anonymous.get("/search/", {"q": "Virtanen", "date_from": "2024-01-01", "date_to": "2023-01-01"})

    assert response.status_code == 200
    assert "The “from” date must come before the “to” date." in main_text(response)


def test_search_for_an_author_not_in_the_archive_says_so(seed_article, anonymous):
    response = anonymous.get("/search/", {"q": "Virtanen", "author": "no-such-writer"})

    assert response.status_code == 200
    assert "That author is not in our archive." in main_text(response)


def test_search_in_a_section_that_does_not_exist_says_so(seed_article, anonymous):
    response = anonymous.get("/search/", {"q": "Virtanen", "section": "sport"})

    assert response.status_code == 200
    assert "That section is not in our archive." in main_text(response)


@pytest.mark.parametrize(
    ("field", "value"),
    [("q", "x" * 501), ("section", "sport"), ("author", "nobody"), ("date_from", "soon"), ("date_to", "2023-13-45")],
)
def test_each_search_field_error_is_announced_beside_its_field(seed_article, anonymous, field, value):
    page = parsed(anonymous.get("/search/", {field: value}))

    described_by = page.select_one(f"#id_{field}")["aria-describedby"]
    assert words(page.select_one(f"#{described_by}"))


def test_search_page_queries_do_not_grow_with_the_number_of_results(sections, anonymous, django_assert_max_num_queries):
    authors = [AuthorFactory() for _ in range(3)]
    for index in range(12):
        ArticleFactory(
            section=list(sections.values())[index % 6],
            authors=authors[: 1 + index % 3],
            standfirst="Harvest figures from the valley.",
        )
    anonymous.get("/search/?q=harvest")
    clear_page_cache()

    # The paywall's settings, the ranked hits with their dates and count, the page's articles with their
    # snippets' texts, their bylines, and the sections; the authors were kept by the first search, but
    # the sections were forgotten with the page cache. On PostgreSQL the hits are read first among the
    # entries where the word is salient (content/0009), then, as those are fewer than a page, among all.
    with django_assert_max_num_queries(6 if connection.vendor == "postgresql" else 5):
        response = anonymous.get("/search/?q=harvest")

    assert len(headlines(response, ".search-results h3")) == 12


def test_snippet_of_a_word_deep_in_a_long_article_quotes_that_passage_escaped_and_marked(sections, anonymous):
    filler = [f"Paragraph {number} is about the harbour and the weather of the coast." for number in range(1, 15)]
    ArticleFactory(
        title="A long report",
        standfirst="Notes from a long week on the coast.",
        pages=[
            paragraphs(
                *filler[:9],
                "Minutes later the mayor, Halbeberg &amp; Sons' founder, said &lt;no comment&gt; again.",
                *filler[9:],
            )
        ],
    )

    snippet = parsed(anonymous.get("/search/", {"q": "halbeberg"})).select_one(".snippet")

    text = words(snippet)
    assert "Minutes later the mayor, Halbeberg & Sons' founder, said <no comment> again." in text
    assert text.startswith("…") and text.endswith("…")  # a passage from the middle, not the whole article
    assert "Paragraph 1 is" not in text and "Paragraph 14" not in text
    assert [words(mark) for mark in snippet.select("mark")] == ["Halbeberg"]
    assert snippet.select("*:not(mark)") == []


def test_snippet_of_a_word_found_nowhere_in_the_text_quotes_the_start(sections, anonymous):
    ArticleFactory(
        title="Glaciers in retreat",
        standfirst="The ice is going.",
        pages=[paragraphs(*[f"Sentence {number} of a long story about the valley." for number in range(40)])],
    )

    snippet = words(parsed(anonymous.get("/search/", {"q": "glaciers"})).select_one(".snippet"))

    assert snippet.startswith("The ice is going. Sentence 0 of a long story")
    assert snippet.endswith("…")


def test_snippet_of_an_article_gated_since_it_was_indexed_quotes_only_its_teaser(sections, anonymous):
    article = ArticleFactory(
        title="Harbour accounts",
        standfirst="The harbour's books are open.",
        pages=[
            paragraphs(
                "The harbour board met on Monday.",
                "Its chair spoke first.",  # the teaser: the first two paragraphs
                "The harbour lost two million, the auditor found.",
            )
        ],
    )
    # Made subscribers-only without saving the page, so its search texts are not indexed again (as
    # between an editor's change and the indexing task): the free text is still in the index.
    ArticlePage.objects.filter(pk=article.pk).update(access_level=SUBSCRIBERS)

    snippet = words(parsed(anonymous.get("/search/", {"q": "harbour"})).select_one(".snippet"))

    assert "The harbour board met on Monday." in snippet
    assert "auditor" not in snippet


def test_snippet_of_a_search_text_indexed_with_its_byline_first_leaves_the_byline_out(sections, anonymous):
    """Search texts indexed before the night of 2026-12-04 began with the byline on a line of its own, until
    `manage.py update_index` (docs/search.md), and their snippets must still quote the article alone."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.search import models as search_models

    from masthead.content.models import ArticleSearchText

    article = ArticleFactory(
        title="Glaciers in retreat",
        authors=[AuthorFactory(name="Ines Halvorsen")],
        standfirst="The ice is going.",
        pages=[paragraphs("The valley is bare.", "Glaciers once filled it.")],
    )
    former_text = "Ines Halvorsen\nThe ice is going.\nThe valley is bare.\nGlaciers once filled it."
    entries = search_models.IndexEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ArticleSearchText),
        object_id__in=[str(pk) for pk in article.search_texts.values_list("pk", flat=True)],
    )
    if connection.vendor == "postgresql":
        assert entries.update(body_text=former_text) == 2
    else:
        assert search_models.SQLiteFTSIndexEntry.objects.filter(index_entry__in=entries).update(body=former_text) == 2

    snippet = words(parsed(anonymous.get("/search/", {"q": "glaciers"})).select_one(".snippet"))

    assert snippet == "The ice is going. The valley is bare. Glaciers once filled it."


def test_snippet_of_a_gated_article_whose_teaser_has_no_words_shows_no_byline(sections, anonymous):
    """A subscribers-only article without standfirst or teaser paragraphs: its teaser text holds only the names."""
    ArticleFactory(
        title="Glaciers in retreat",
        authors=[AuthorFactory(name="Ines Halvorsen")],
        standfirst="",
        access_level=SUBSCRIBERS,
        teaser_paragraphs=0,
        pages=[paragraphs("The valley is bare.", "Glaciers once filled it.")],
    )

    response = anonymous.get("/search/", {"q": "glaciers"})

    assert headlines(response, ".search-results h3") == ["Glaciers in retreat"]
    snippet = parsed(response).select_one(".snippet")
    assert snippet is None or words(snippet) == ""
