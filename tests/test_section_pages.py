"""Browsing a section: its own articles, newest first, twenty to a page."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from masthead.content.models import SectionPage
from masthead.core.page_cache import clear_page_cache
from tests.factories import ArticleFactory, AuthorFactory, CreditedImageFactory
from tests.reading import head_link, headlines, link_targets, main_text, parsed, words


@pytest.fixture(scope="module")
def crowded_section(module_transaction):
    """Twenty-two Finance articles, one a day from March 1, 2024, and one Politics article; made once."""
    finance = SectionPage.objects.get(slug="finance")
    for day in range(1, 23):
        ArticleFactory(section=finance, title=f"Market note {day}", date=datetime.date(2024, 3, day))
    ArticleFactory(
        section=SectionPage.objects.get(slug="politics"), title="A politics story", date=datetime.date(2024, 3, 30)
    )
    return finance


def test_section_page_shows_its_name_and_introduction(sections, anonymous):
    response = anonymous.get("/environment/")

    assert response.status_code == 200
    page = parsed(response)
    assert words(page.select_one("main h1")) == "Environment"
    assert words(page.select_one("main .standfirst")) == "Energy, climate, land and water."
    assert "No articles in this section yet." in main_text(response)


def test_section_page_lists_its_own_articles_newest_first_twenty_to_a_page(crowded_section, db, anonymous):
    response = anonymous.get("/finance/")

    shown = headlines(response)
    assert shown == [f"Market note {day}" for day in range(22, 2, -1)]
    assert "A politics story" not in shown
    nav = parsed(response).select_one("nav.pagination")
    assert "Page 1 of 2" in words(nav)
    assert link_targets(nav, "Older →") == ["?page=2"]
    assert head_link(response, "canonical") == settings.SITE_URL + "/finance/"


def test_second_page_of_a_section_holds_the_oldest_articles_and_links_back(crowded_section, db, anonymous):
    response = anonymous.get("/finance/?page=2")

    assert headlines(response) == ["Market note 2", "Market note 1"]
    nav = parsed(response).select_one("nav.pagination")
    assert "Page 2 of 2" in words(nav)
    assert link_targets(nav, "← Newer") == ["?page=1"]
    assert head_link(response, "canonical") == settings.SITE_URL + "/finance/?page=2"


@pytest.mark.parametrize(
    ("page", "shown_page"),
    [("abc", 1), ("", 1), ("-1", 2), ("0", 2), ("999", 2), ("2.5", 1), ("1e9", 1)],
)
def test_section_page_number_a_reader_mistypes_shows_a_real_page(crowded_section, db, anonymous, page, shown_page):
    response = anonymous.get("/finance/", {"page": page})

    assert response.status_code == 200
    assert f"Page {shown_page} of 2" in main_text(response)


def test_section_cards_show_hero_images_with_their_alt_text(sections, anonymous):
    ArticleFactory(section=sections["technology"], hero_image=CreditedImageFactory(alt_text="A circuit board"))

    card = parsed(anonymous.get("/technology/")).select_one("main article.card")

    assert card.select_one("img")["alt"] == "A circuit board"


def test_unknown_section_is_not_found(sections, anonymous):
    assert anonymous.get("/sport/").status_code == 404


def test_section_page_queries_do_not_grow_with_the_number_of_articles(
    crowded_section, db, anonymous, django_assert_max_num_queries
):
    authors = [AuthorFactory() for _ in range(3)]
    for _ in range(4):
        ArticleFactory(section=crowded_section, authors=authors, hero_image=CreditedImageFactory())
    anonymous.get("/finance/")  # image renditions are made once, on the first view
    clear_page_cache()

    with django_assert_max_num_queries(12):
        response = anonymous.get("/finance/")

    assert len(headlines(response)) == 20
