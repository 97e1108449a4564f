"""A private page (Wagtail's page privacy: a password, a login or groups) is on no surface but its own page.

Editors make an article private on the article or on an ancestor such as its section. Wagtail
guards the article's own page; every other surface (lists, feeds, the API, search, the sitemap,
the podcast feeds and the audio files) must leave the article out for anyone who has not passed
the restriction, while a public article beside it stays on every surface.

To add a surface: append (name, function returning the URL where the article would be) to SURFACES.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import PageViewRestriction

from masthead.audio import services as audio_services
from masthead.content.models import ArticlePage
from masthead.core.page_cache import clear_page_cache
from tests.audio.conftest import audio_root, quick_voice  # noqa: F401 (narration in a blink, to a temporary folder)
from tests.factories import ArticleFactory, AuthorFactory, IssueFactory
from tests.personas import logged_in_client

SECRET_TITLE = "Harbour Board Weighs a Quiet Sale"
SECRET_SENTENCE = "The board agreed the price of the northern quay over dinner."
PUBLIC_TITLE = "Harbour Festival Draws a Record Crowd"
SHARED_WORD = "harbour"  # in both articles, so a search finds the public one and may not find the private one


@pytest.fixture(autouse=True)
def no_edition_builds(settings):
    """The issue page is one of the surfaces; its EPUB and PDF are tests/editions' subject."""
    settings.EDITIONS_BUILD_ON_PUBLISH = False


@pytest.fixture
def writer():
    return AuthorFactory(name="Noor Haddad")


@pytest.fixture
def secret_article(sections, writer) -> ArticlePage:
    """A free, narrated Finance article, soon to be made private."""
    article = ArticleFactory(
        section=sections["finance"],
        title=SECRET_TITLE,
        slug="harbour-board-weighs-a-quiet-sale",
        standfirst="The harbour board has a buyer in mind.",
        authors=[writer],
        date=datetime.date(2024, 5, 2),
        body=[{"type": "paragraph", "value": f"<p>{SECRET_SENTENCE}</p>"}],
    )
    audio_services.ensure_audio(article.pk)
    return article


@pytest.fixture
def public_article(sections, writer) -> ArticlePage:
    """A free, narrated Politics article by the same writer, which stays public."""
    article = ArticleFactory(
        section=sections["politics"],
        title=PUBLIC_TITLE,
        slug="harbour-festival-draws-a-record-crowd",
        standfirst="The harbour festival had its best year.",
        authors=[writer],
        date=datetime.date(2024, 5, 1),
        body=[{"type": "paragraph", "value": "<p>Forty thousand people came to the quay.</p>"}],
    )
    audio_services.ensure_audio(article.pk)
    return article


@pytest.fixture
def issue(public_article, secret_article):
    return IssueFactory(cover_date=datetime.date(2024, 5, 1), articles=[public_article, secret_article])


def section_of(article: ArticlePage) -> str:
    return article.get_parent().slug


def private_feed(subscriber) -> str:
    return f"/audio/private/{audio_services.feed_token_for(subscriber).token}"


SURFACES = [
    ("json api detail", lambda article, subscriber: f"/api/articles/{article.pk}/"),
    ("json api list", lambda article, subscriber: "/api/articles/"),
    ("rss", lambda article, subscriber: "/feed/"),
    ("atom", lambda article, subscriber: "/feed/atom/"),
    ("home page", lambda article, subscriber: "/"),
    ("section page", lambda article, subscriber: article.get_parent().url),
    ("author page", lambda article, subscriber: "/authors/noor-haddad/"),
    ("search", lambda article, subscriber: f"/search/?q={SHARED_WORD}"),
    ("search in its section", lambda article, subscriber: f"/search/?q={SHARED_WORD}&section={section_of(article)}"),
    ("sitemap", lambda article, subscriber: "/sitemap.xml"),
    ("issue page", lambda article, subscriber: "/issues/2024/9/"),
    ("podcast feed", lambda article, subscriber: "/audio/feed.xml"),
    ("audio file", lambda article, subscriber: f"/audio/articles/{article.pk}.mp3"),
    ("private podcast feed", lambda article, subscriber: f"{private_feed(subscriber)}/feed.xml"),
    ("private audio file", lambda article, subscriber: f"{private_feed(subscriber)}/{article.pk}.mp3"),
]
SURFACE_IDS = [name for name, _ in SURFACES]


def content_of(response) -> str:
    return response.content.decode()


def shows(response, article: ArticlePage) -> bool:
    """Whether the response carries the article: its audio, or its title, address or words."""
    if response.status_code != 200:
        return False
    if response["Content-Type"] == "audio/mpeg":
        return True
    text = content_of(response)
    return any(sign in text for sign in (article.title, article.url, article.standfirst, SECRET_SENTENCE))


def restrict(page, kind: str) -> PageViewRestriction:
    """Make `page` private the way Wagtail's privacy dialog saves it."""
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=kind, password="tide" if kind == PageViewRestriction.PASSWORD else ""
    )
    if kind == PageViewRestriction.GROUPS:
        restriction.groups.add(Group.objects.get(name="Editors"))
    return restriction


@pytest.fixture(params=["on the article", "on its section"])
def private_page(request, secret_article):
    """Where the editor set the privacy: the article itself, or the section it is in."""
    return secret_article if request.param == "on the article" else secret_article.get_parent()


@pytest.mark.parametrize("surface_name, url_for", SURFACES, ids=SURFACE_IDS)
def test_a_private_article_is_on_no_surface_but_its_own_page(
    surface_name, url_for, private_page, anonymous, secret_article, public_article, issue, subscriber
):
    before = anonymous.get(url_for(secret_article, subscriber))
    assert shows(before, secret_article), f"{surface_name} should carry the article while it is public"
    clear_page_cache()  # what the cache keeps after a change of privacy: test_private_pages_cache.py

    restrict(private_page, PageViewRestriction.PASSWORD)

    assert not shows(anonymous.get(url_for(secret_article, subscriber)), secret_article), surface_name
    assert shows(anonymous.get(url_for(public_article, subscriber)), public_article), surface_name


def test_a_subscription_is_no_password(secret_article, subscriber):
    restrict(secret_article, PageViewRestriction.PASSWORD)
    client = logged_in_client(subscriber)

    assert client.get(f"/api/articles/{secret_article.pk}/").status_code == 404
    assert client.get(f"/audio/articles/{secret_article.pk}.mp3").status_code == 404


@pytest.mark.parametrize("kind", [PageViewRestriction.PASSWORD, PageViewRestriction.LOGIN, PageViewRestriction.GROUPS])
def test_every_kind_of_privacy_keeps_the_article_out_of_lists_feeds_and_the_api(kind, secret_article, public_article):
    restrict(secret_article, kind)

    for url in ("/", "/finance/", "/feed/", "/api/articles/", "/audio/feed.xml", f"/search/?q={SHARED_WORD}"):
        assert not shows(Client().get(url), secret_article), url
    assert Client().get(f"/api/articles/{secret_article.pk}/").status_code == 404
    assert Client().get(f"/audio/articles/{secret_article.pk}.mp3").status_code == 404


def test_the_private_articles_own_page_still_asks_for_the_password(secret_article):
    restrict(secret_article, PageViewRestriction.PASSWORD)

    page = Client().get(secret_article.url)

    assert page.status_code == 200
    assert SECRET_SENTENCE not in content_of(page)
    assert 'name="password"' in content_of(page)


def test_a_reader_who_passed_the_restriction_hears_the_audio_on_its_page(secret_article, reader):
    """A login restriction let this reader in: the player on the page may play the file."""
    restrict(secret_article, PageViewRestriction.LOGIN)
    client = logged_in_client(reader)

    assert SECRET_SENTENCE in content_of(client.get(secret_article.url))
    assert client.get(f"/audio/articles/{secret_article.pk}.mp3").status_code == 200
    assert Client().get(f"/audio/articles/{secret_article.pk}.mp3").status_code == 404


def test_making_the_article_public_again_puts_it_back(secret_article):
    restriction = restrict(secret_article, PageViewRestriction.PASSWORD)

    restriction.delete()

    assert shows(Client().get("/feed/"), secret_article)
    assert Client().get(f"/api/articles/{secret_article.pk}/").status_code == 200


def test_a_private_section_leaves_the_navigation_and_the_search_filter(secret_article, anonymous):
    restrict(secret_article.get_parent(), PageViewRestriction.LOGIN)

    page = anonymous.get("/search/")

    assert 'href="/finance/"' not in content_of(page)
    assert 'value="finance"' not in content_of(page)
    assert 'href="/politics/"' in content_of(page)
