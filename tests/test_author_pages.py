"""An author's page: bio, photo and their published articles."""

from __future__ import annotations

import datetime

import pytest

from tests.factories import ArticleFactory, AuthorFactory, CreditedImageFactory
from tests.reading import head_link, headlines, link_targets, main_text, parsed, words


@pytest.fixture
def author_with_articles(sections):
    author = AuthorFactory(
        name="Priya Raman",
        bio="Priya covers trade and shipping from Singapore.",
        photo=CreditedImageFactory(alt_text="Priya Raman, smiling"),
    )
    ArticleFactory(title="Straits of Commerce", authors=[author], date=datetime.date(2024, 1, 5))
    ArticleFactory(
        section=sections["technology"],
        title="Ports Go Digital",
        authors=[AuthorFactory(name="Sam Ode"), author],
        date=datetime.date(2024, 2, 5),
    )
    ArticleFactory(title="Her unpublished draft", authors=[author], publish=False)
    ArticleFactory(title="Someone else's story", authors=[AuthorFactory(name="Lena Ost")])
    return author


def test_author_page_shows_bio_photo_and_their_published_articles_newest_first(author_with_articles, anonymous):
    response = anonymous.get("/authors/priya-raman/")

    assert response.status_code == 200
    page = parsed(response)
    assert words(page.select_one("main h1")) == "Priya Raman"
    assert words(page.select_one(".bio")) == "Priya covers trade and shipping from Singapore."
    assert page.select_one("img.author-photo")["alt"] == "Priya Raman, smiling"
    assert headlines(response) == ["Ports Go Digital", "Straits of Commerce"]
    assert head_link(response, "canonical") == "http://testserver/authors/priya-raman/"


def test_author_page_cards_show_each_article_with_all_its_authors(author_with_articles, anonymous):
    card = parsed(anonymous.get("/authors/priya-raman/")).select_one("main article.card")

    assert link_targets(card, "Technology") == ["/technology/"]
    assert words(card.select_one(".meta")).startswith("Sam Ode and Priya Raman")
    assert link_targets(card, "Sam Ode") == ["/authors/sam-ode/"]


def test_author_without_articles_has_a_page_saying_so(sections, anonymous):
    AuthorFactory(name="New Hire", bio="")

    response = anonymous.get("/authors/new-hire/")

    assert response.status_code == 200
    assert "No published articles yet." in main_text(response)


def test_unknown_author_is_not_found(db, anonymous):
    assert anonymous.get("/authors/nobody-at-all/").status_code == 404
