"""Making a page private takes it out of the anonymous page cache at once, on every surface that showed it.

The cache keeps whole pages for anonymous readers and is cleared when something published changes.
Page privacy is set in Wagtail's privacy dialog, not by publishing: without its own invalidation
the full text would stay public until the cached copies expire.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from masthead.content.models import ArticlePage
from tests.factories import ArticleFactory, AuthorFactory

SECRET_SENTENCE = "The board agreed the price of the northern quay over dinner."
# Every cached surface that showed the article while it was public.
SURFACES = ["article", "/", "/finance/", "/feed/", "/feed/atom/", "/api/articles/", "/sitemap.xml"]


@pytest.fixture
def article(sections) -> ArticlePage:
    return ArticleFactory(
        section=sections["finance"],
        title="Harbour Board Weighs a Quiet Sale",
        slug="harbour-board-weighs-a-quiet-sale",
        authors=[AuthorFactory(name="Noor Haddad")],
        date=datetime.date(2024, 5, 2),
        body=[{"type": "paragraph", "value": f"<p>{SECRET_SENTENCE}</p>"}],
    )


def url_of(surface: str, article: ArticlePage) -> str:
    return article.url if surface == "article" else surface


def shows(response, article: ArticlePage, surface: str) -> bool:
    """Whether the surface carries the article; on its own page, whether its text is there (the password
    form Wagtail shows instead names the page, as it may)."""
    text = response.content.decode()
    if surface == "article":
        return SECRET_SENTENCE in text
    return response.status_code == 200 and (article.title in text or article.url in text or SECRET_SENTENCE in text)


def set_privacy(client, page, **form) -> None:
    """What the editor does in the page's Privacy dialog in the Wagtail admin."""
    response = client.post(reverse("wagtailadmin_pages:set_privacy", args=[page.pk]), form)
    assert response.status_code == 200
    assert '"step": "set_privacy_done"' in response.content.decode()


@pytest.mark.parametrize("where", ["on the article", "on its section"])
def test_making_an_article_private_in_the_admin_takes_it_off_every_cached_page(
    where, article, anonymous, editor_client
):
    for surface in SURFACES:
        assert shows(anonymous.get(url_of(surface, article)), article, surface), surface
        assert anonymous.get(url_of(surface, article))["X-Page-Cache"] == "hit", surface

    set_privacy(
        editor_client,
        article if where == "on the article" else article.get_parent(),
        restriction_type="password",
        password="tide",
    )

    for surface in SURFACES:
        assert not shows(anonymous.get(url_of(surface, article)), article, surface), surface
    assert "password" in anonymous.get(article.url).content.decode()


def test_making_it_public_again_puts_it_back_on_the_cached_pages(article, anonymous, editor_client):
    set_privacy(editor_client, article, restriction_type="login")
    for surface in SURFACES:
        assert not shows(anonymous.get(url_of(surface, article)), article, surface), surface
        anonymous.get(url_of(surface, article))

    set_privacy(editor_client, article, restriction_type="none")

    for surface in SURFACES:
        assert shows(anonymous.get(url_of(surface, article)), article, surface), surface
