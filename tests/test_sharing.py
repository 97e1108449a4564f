"""How pages look when shared (Open Graph, Twitter cards, NewsArticle JSON-LD) and the Google News sitemap."""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import urljoin

import pytest
from django.test import Client
from django.utils import timezone

from masthead.content.models import ArticlePage
from masthead.content.templatetags.sharing_tags import SHARE_IMAGE
from tests.factories import ArticleFactory, AuthorFactory, CreditedImageFactory, IssueFactory

pytestmark = pytest.mark.django_db

# schema.org's properties of NewsArticle (and of the types it nests) that we use: anything else is a typo.
NEWS_ARTICLE_PROPERTIES = {
    "@context",
    "@type",
    "headline",
    "description",
    "datePublished",
    "dateModified",
    "author",
    "publisher",
    "isAccessibleForFree",
    "hasPart",
    "image",
    "mainEntityOfPage",
}
IMAGE_OBJECT_PROPERTIES = {"@type", "url", "width", "height", "caption", "creditText"}


def meta(html: str, key: str) -> list[str]:
    """The tag's content as a reader of the page gets it (entities such as &amp; read as characters)."""
    found = re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    return [unescape(content) for content in found]


def picture_url(image) -> str:
    """The shared size of the picture, absolute: under /media/ on disk, the bucket's (or CDN's) URL on S3."""
    return urljoin("http://testserver/", image.get_rendition(SHARE_IMAGE).url)


def json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


@pytest.fixture
def pictured_article(sections):
    picture = CreditedImageFactory(alt_text="A container ship in the port of Gdansk", credit="Anna Nowak/Reuters")
    return ArticleFactory(
        title="The Baltic Question",
        standfirst="Why the ports matter again.",
        hero_image=picture,
        authors=[AuthorFactory(name="Ada Lighthouse")],
    )


def test_a_shared_article_shows_its_picture_standfirst_author_and_time(pictured_article):
    html = Client().get(pictured_article.url).content.decode()

    assert meta(html, "og:title") == ["The Baltic Question"]
    assert meta(html, "og:description") == ["Why the ports matter again."]
    [image] = meta(html, "og:image")
    assert image == picture_url(pictured_article.hero_image)
    assert meta(html, "og:image:alt") == ["A container ship in the port of Gdansk (photo: Anna Nowak/Reuters)"]
    assert meta(html, "twitter:card") == ["summary_large_image"]
    assert meta(html, "twitter:image") == [image]
    assert meta(html, "article:author") == ["http://testserver/authors/ada-lighthouse/"]
    assert meta(html, "article:section") == ["Politics"]
    [published] = meta(html, "article:published_time")
    assert datetime.datetime.fromisoformat(published).tzinfo is not None


def test_the_json_ld_is_a_news_article_with_its_image_credit_and_free_marking(pictured_article):
    data = json_ld(Client().get(pictured_article.url).content.decode())

    assert data["@type"] == "NewsArticle" and set(data) <= NEWS_ARTICLE_PROPERTIES
    assert data["isAccessibleForFree"] is True
    assert data["author"] == [
        {"@type": "Person", "name": "Ada Lighthouse", "url": "http://testserver/authors/ada-lighthouse/"}
    ]
    assert set(data["image"]) <= IMAGE_OBJECT_PROPERTIES
    assert data["image"]["creditText"] == "Anna Nowak/Reuters"
    assert data["image"]["url"] == meta(Client().get(pictured_article.url).content.decode(), "og:image")[0]
    assert data["mainEntityOfPage"]["@id"] == f"http://testserver{pictured_article.url}"


def test_a_gated_article_still_says_which_part_is_paid(sections):
    gated = ArticleFactory(access_level="subscribers")
    data = json_ld(Client().get(gated.url).content.decode())
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".article-body"}


def test_sections_authors_and_issues_have_share_tags(pictured_article, sections):
    client = Client()
    section = client.get(sections["politics"].url).content.decode()
    assert meta(section, "og:title") == ["Politics"] and meta(section, "og:url")
    author = client.get("/authors/ada-lighthouse/").content.decode()
    assert meta(author, "og:title") == ["Ada Lighthouse"] and meta(author, "og:type") == ["profile"]
    issue = IssueFactory(title="Harbours", articles=[pictured_article])
    page = client.get(issue.get_absolute_url()).content.decode()
    assert meta(page, "og:description") == ["In this issue: The Baltic Question"]
    assert meta(page, "og:image") == [picture_url(issue.cover_image)]


def test_the_news_sitemap_lists_the_last_48_hours_of_articles(sections):
    fresh = ArticleFactory(title="Fresh news")
    stale = ArticleFactory(title="Old news")
    # The importer dates first publication by the article's date; these were published an hour and 49 hours ago.
    ArticlePage.objects.filter(pk=fresh.pk).update(first_published_at=timezone.now() - datetime.timedelta(hours=1))
    ArticlePage.objects.filter(pk=stale.pk).update(first_published_at=timezone.now() - datetime.timedelta(hours=49))

    response = Client().get("/news-sitemap.xml")

    assert response["Content-Type"].startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    urls = {url.findtext("s:loc", namespaces=ns): url for url in root.findall("s:url", ns)}
    assert list(urls) == [f"http://testserver{fresh.url}"]
    entry = urls[f"http://testserver{fresh.url}"]
    assert entry.findtext("news:news/news:title", namespaces=ns) == "Fresh news"
    assert entry.findtext("news:news/news:publication/news:language", namespaces=ns) == "en"
    assert datetime.datetime.fromisoformat(entry.findtext("news:news/news:publication_date", namespaces=ns))
