"""The page cache: readers without a session share stored pages, and publishing clears them.

Signed-in readers' copies (one per audience) are tested in tests/test_page_cache_audiences.py.

What readers see is the evidence: the X-Page-Cache header says whether a page came from the cache,
and a page shown after a publish must carry the published change.
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from masthead.content.services import create_or_update_article
from tests.factories import ArticleFactory, AuthorFactory
from tests.reading import headlines, main_text, parsed, words
from tests.seed import SEED_URL


def test_health_check_answers_from_the_process_without_asking_the_database(db, anonymous, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = anonymous.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "X-Page-Cache" not in response
    assert "no-cache" in response["Cache-Control"]


def test_second_anonymous_view_of_a_page_comes_from_the_cache(seed_article, anonymous):
    first = anonymous.get(SEED_URL)
    second = anonymous.get(SEED_URL)

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_each_list_page_and_query_is_cached_under_its_own_address(seed_article, anonymous):
    for url in ("/", "/foreign-affairs/", "/search/?q=lavrov", "/authors/marta-lindqvist/", "/issues/"):
        assert anonymous.get(url)["X-Page-Cache"] == "miss", url
        assert anonymous.get(url)["X-Page-Cache"] == "hit", url
    assert anonymous.get("/search/?q=moscow")["X-Page-Cache"] == "miss"


def test_page_not_found_is_not_cached(db, anonymous):
    anonymous.get("/politics/nothing-here/")

    assert anonymous.get("/politics/nothing-here/").get("X-Page-Cache") != "hit"


def test_publishing_an_edit_shows_at_once_to_anonymous_readers(seed_article, anonymous):
    anonymous.get(SEED_URL)
    anonymous.get("/")

    create_or_update_article(
        section=seed_article.get_parent().specific,
        slug=seed_article.slug,
        title="Helsinki and Oslo: Closer Than Ever",
        author_names=["Marta Lindqvist"],
        date=seed_article.date,
        body=seed_article.body.raw_data,
    )

    article = anonymous.get(SEED_URL)
    assert article["X-Page-Cache"] == "miss"
    assert words(parsed(article).select_one("main h1")) == "Helsinki and Oslo: Closer Than Ever"
    assert "Helsinki and Oslo: Closer Than Ever" in headlines(anonymous.get("/"), "section.latest h3")


def test_publishing_a_new_article_puts_it_on_the_cached_home_and_section_pages(sections, anonymous):
    ArticleFactory(title="Yesterday's news", date=datetime.date(2024, 1, 1))
    anonymous.get("/")
    anonymous.get("/politics/")

    ArticleFactory(title="Today's news", date=datetime.date(2024, 1, 2))

    assert headlines(anonymous.get("/"), "section.latest h3")[0] == "Today's news"
    assert headlines(anonymous.get("/politics/"))[0] == "Today's news"


def test_changing_an_authors_bio_shows_at_once_on_their_cached_page(seed_article, anonymous):
    anonymous.get("/authors/marta-lindqvist/")
    author = AuthorFactory(name="Marta Lindqvist")

    author.bio = "Marta writes about Nordic energy policy."
    author.save()

    assert "Marta writes about Nordic energy policy." in main_text(anonymous.get("/authors/marta-lindqvist/"))


def test_logged_in_readers_never_get_the_anonymous_copy(seed_article, anonymous, reader_client):
    anonymous.get(SEED_URL)
    anonymous.get(SEED_URL)

    first = reader_client.get(SEED_URL)
    second = reader_client.get(SEED_URL)

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")  # their audience's own copy
    for response in (first, second):
        assert response.status_code == 200
        account_links = parsed(response).select_one('nav[aria-label="Account"]')
        assert "Log in" not in words(account_links)
    # …and what they saw was not stored for anonymous readers either.
    assert "Log in" in words(parsed(anonymous.get(SEED_URL)).select_one('nav[aria-label="Account"]'))


def test_the_admin_and_previews_are_never_cached(seed_article, editor_client, anonymous):
    edit_url = reverse("wagtailadmin_pages:edit", args=[seed_article.pk])

    for client, url in ((editor_client, edit_url), (anonymous, "/admin/login/"), (anonymous, SEED_URL + "?preview=1")):
        client.get(url)
        assert "X-Page-Cache" not in client.get(url), url


def test_unpublishing_in_the_admin_takes_the_article_off_the_cached_pages(sections, editor_client, anonymous):
    article = ArticleFactory(title="A retracted story", slug="a-retracted-story")
    anonymous.get("/politics/a-retracted-story/")
    anonymous.get("/politics/")

    response = editor_client.post(reverse("wagtailadmin_pages:unpublish", args=[article.pk]))

    assert response.status_code == 302
    assert anonymous.get("/politics/a-retracted-story/").status_code == 404
    assert "A retracted story" not in headlines(anonymous.get("/politics/"))
