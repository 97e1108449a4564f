"""Reading an article: its header, hero image and body, and a multi-page article page by page or on one page."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from tests.factories import ArticleFactory, AuthorFactory, CreditedImageFactory, paragraphs
from tests.reading import head_link, link_targets, main_text, parsed, words
from tests.seed import SEED_BYLINE, SEED_CREDIT, SEED_PAGE_OPENINGS, SEED_TITLE, SEED_URL

SEED_PAGE_URLS = [SEED_URL, SEED_URL + "2/", SEED_URL + "3/"]


@pytest.fixture
def illustrated_article(sections):
    """A one-page Culture article by two authors, with a standfirst, a captioned hero and every kind of block."""
    inline_image = CreditedImageFactory(alt_text="Boats moored at the quay", credit="Ana Ruiz/Agencia")
    return ArticleFactory(
        section=sections["culture"],
        title="The Harbour Painters",
        slug="the-harbour-painters",
        authors=[AuthorFactory(name="Mira Holt"), AuthorFactory(name="Tomas Berg")],
        date=datetime.date(2024, 1, 1),
        standfirst="A colony of artists keeps a fishing town's memory alive.",
        hero_image=CreditedImageFactory(alt_text="A painter at an easel on the beach", credit="Lee Park/Studio"),
        hero_caption="Morning on the shore.",
        body=[
            {"type": "paragraph", "value": "<p>The painters arrive before the boats do.</p>"},
            {"type": "heading", "value": "Light and salt"},
            {"type": "image", "value": {"image": inline_image.pk, "caption": "The quay at dusk."}},
            {"type": "pull_quote", "value": {"quote": "We paint what the sea leaves.", "attribution": "Iris Vale"}},
        ],
    )


def test_article_shows_section_title_standfirst_and_a_byline_linking_each_author(illustrated_article, anonymous):
    response = anonymous.get("/culture/the-harbour-painters/")

    assert response.status_code == 200
    page = parsed(response)
    header = page.select_one("article .article-header")
    assert link_targets(header, "Culture") == ["/culture/"]
    assert words(header.select_one("h1")) == "The Harbour Painters"
    assert words(header.select_one(".standfirst")) == "A colony of artists keeps a fishing town's memory alive."
    byline = header.select_one(".byline")
    assert words(byline) == "Written by Mira Holt and Tomas Berg on January 1, 2024"
    assert link_targets(byline, "Mira Holt") == ["/authors/mira-holt/"]
    assert link_targets(byline, "Tomas Berg") == ["/authors/tomas-berg/"]
    assert page.title.get_text().startswith("The Harbour Painters ·")


def test_article_shows_its_hero_image_with_alt_text_caption_and_credit(illustrated_article, anonymous):
    hero = parsed(anonymous.get("/culture/the-harbour-painters/")).select_one("figure.hero")

    assert hero.select_one("img")["alt"] == "A painter at an easel on the beach"
    assert words(hero.select_one("figcaption")) == "Morning on the shore. Lee Park/Studio"
    assert words(hero.select_one(".credit")) == "Lee Park/Studio"


def test_article_body_shows_paragraphs_subheadings_credited_images_and_pull_quotes(illustrated_article, anonymous):
    body = parsed(anonymous.get("/culture/the-harbour-painters/")).select_one(".article-body")

    assert words(body.select_one("p")) == "The painters arrive before the boats do."
    assert words(body.select_one("h2")) == "Light and salt"
    figure = body.select_one("figure.inline-image")
    assert figure.select_one("img")["alt"] == "Boats moored at the quay"
    assert words(figure.select_one("figcaption")) == "The quay at dusk. Ana Ruiz/Agencia"
    quote = body.select_one("figure.pull-quote")
    assert words(quote.select_one("blockquote")) == "We paint what the sea leaves."
    assert words(quote.select_one("figcaption")) == "Iris Vale"


def test_one_page_article_has_no_page_navigation_and_no_second_page(illustrated_article, anonymous):
    response = anonymous.get("/culture/the-harbour-painters/")

    assert "Page 1 of" not in main_text(response)
    assert parsed(response).select_one("nav.article-pages") is None
    assert head_link(response, "next") is None
    assert anonymous.get("/culture/the-harbour-painters/2/").status_code == 404


def test_article_offers_the_subscribe_box_linking_to_the_offer(illustrated_article, anonymous):
    box = parsed(anonymous.get("/culture/the-harbour-painters/")).select_one("aside.subscribe-box")

    assert "24 issues per year" in words(box)
    assert link_targets(box, "Subscribe") == ["/subscribe/"]
    offer = anonymous.get("/subscribe/")
    assert offer.status_code == 200
    assert "Subscribe to The Masthead Review" in main_text(offer)


def test_draft_article_is_not_shown_to_readers(sections, anonymous):
    ArticleFactory(section=sections["politics"], slug="not-yet", publish=False)

    assert anonymous.get("/politics/not-yet/").status_code == 404


def test_article_is_only_found_under_its_own_section(illustrated_article, anonymous):
    assert anonymous.get("/politics/the-harbour-painters/").status_code == 404


# -- the seed, over three web pages -----------------------------------------------------------------


@pytest.mark.parametrize("number", [1, 2, 3])
def test_each_page_of_a_multi_page_article_repeats_title_and_byline_and_says_which_page_it_is(
    seed_article, anonymous, number
):
    response = anonymous.get(SEED_PAGE_URLS[number - 1])

    assert response.status_code == 200
    page = parsed(response)
    assert words(page.select_one("main h1")) == SEED_TITLE
    assert words(page.select_one(".byline")) == SEED_BYLINE
    assert words(page.select_one(".article-body")).startswith(SEED_PAGE_OPENINGS[number - 1])
    assert words(page.select_one("nav.article-pages span")) == f"Page {number} of 3"
    assert f"(page {number} of 3)" in page.title.get_text()


def test_hero_image_and_its_credit_appear_on_the_first_page_only(seed_article, anonymous):
    first, second = (parsed(anonymous.get(url)) for url in SEED_PAGE_URLS[:2])

    assert words(first.select_one("figure.hero .credit")) == SEED_CREDIT
    assert first.select_one("figure.hero img")["alt"]
    assert second.select_one("figure.hero") is None


@pytest.mark.parametrize(
    ("number", "previous", "following"),
    [(1, None, SEED_URL + "2/"), (2, SEED_URL, SEED_URL + "3/"), (3, SEED_URL + "2/", None)],
)
def test_pages_link_to_the_previous_and_next_page_for_readers_and_search_engines(
    seed_article, anonymous, number, previous, following
):
    response = anonymous.get(SEED_PAGE_URLS[number - 1])
    nav = parsed(response).select_one("nav.article-pages")

    assert head_link(response, "prev") == previous
    assert head_link(response, "next") == following
    assert link_targets(nav, "← Previous page") == ([previous] if previous else [])
    assert link_targets(nav, "Next page →") == ([following] if following else [])
    assert link_targets(nav, "Read on one page") == [SEED_URL + "all/"]


@pytest.mark.parametrize("number", [1, 2, 3])
def test_each_page_is_its_own_canonical_address(seed_article, anonymous, number):
    response = anonymous.get(SEED_PAGE_URLS[number - 1])

    assert head_link(response, "canonical") == settings.SITE_URL + SEED_PAGE_URLS[number - 1]


def test_page_one_address_redirects_permanently_to_the_article_address(seed_article, anonymous):
    response = anonymous.get(SEED_URL + "1/")

    assert response.status_code == 301
    assert response["Location"] == SEED_URL


@pytest.mark.parametrize("suffix", ["0/", "4/", "99/", "two/"])
def test_page_beyond_the_article_is_not_found(seed_article, anonymous, suffix):
    assert anonymous.get(SEED_URL + suffix).status_code == 404


def test_single_page_view_shows_the_whole_article_once(seed_article, anonymous):
    response = anonymous.get(SEED_URL + "all/")

    assert response.status_code == 200
    page = parsed(response)
    body = words(page.select_one(".article-body"))
    for opening in SEED_PAGE_OPENINGS:
        assert body.count(opening) == 1
    assert body.index(SEED_PAGE_OPENINGS[0]) < body.index(SEED_PAGE_OPENINGS[1]) < body.index(SEED_PAGE_OPENINGS[2])
    assert words(page.select_one(".page-position")) == "All 3 pages"
    assert words(page.select_one("figure.hero .credit")) == SEED_CREDIT
    assert page.select_one("nav.article-pages") is None
    assert head_link(response, "canonical") == settings.SITE_URL + SEED_URL + "all/"
    assert head_link(response, "next") is None


def test_page_breaks_split_an_article_written_with_them(sections, anonymous):
    ArticleFactory(
        section=sections["finance"],
        slug="two-parter",
        pages=[paragraphs("First part."), paragraphs("Second part.")],
    )

    second = anonymous.get("/finance/two-parter/2/")

    assert words(parsed(second).select_one(".article-body")) == "Second part."
    assert "Page 2 of 2" in main_text(second)
