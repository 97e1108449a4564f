"""The web edition: the issue page's contents lead into the articles, and each article to the next in the issue."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from masthead.editions.models import IssueArticle
from tests.factories import ArticleFactory, IssueFactory
from tests.reading import link_targets, parsed, words


@pytest.fixture
def web_issue(march_articles):
    """The March issue, published; its files are not needed to read it on the web."""
    return IssueFactory(cover_date=datetime.date(2024, 3, 15), title="Cities on the Water", articles=march_articles)


def issue_navigation(client, url: str):
    return parsed(client.get(url)).select_one('nav[aria-label="In this issue"]')


def test_an_article_links_to_the_previous_and_next_articles_of_its_issue(web_issue, march_articles, anonymous):
    opening, middle, closing = march_articles

    nav = issue_navigation(anonymous, middle.url)

    assert words(nav.select_one(".issue-navigation-name")) == (
        "From the issue Vol. 5, No. 6 (March 15, 2024): Cities on the Water, article 2 of 3"
    )
    assert link_targets(nav, "Vol. 5, No. 6 (March 15, 2024): Cities on the Water") == ["/issues/2024/6/"]
    assert link_targets(nav, "← Previous in this issue The Harbour That Learned to Float") == [opening.url]
    assert link_targets(nav, "Next in this issue → Songs of the Flood") == [closing.url]


def test_the_first_article_has_no_previous_and_the_last_no_next(web_issue, march_articles, anonymous):
    opening, _, closing = march_articles

    first, last = issue_navigation(anonymous, opening.url), issue_navigation(anonymous, closing.url)

    assert [words(link) for link in first.select("ul a")] == ["Next in this issue → Who Pays for the Tide"]
    assert [words(link) for link in last.select("ul a")] == ["← Previous in this issue Who Pays for the Tide"]


def test_every_web_page_of_a_long_article_carries_the_issue_navigation(web_issue, march_articles, anonymous):
    opening = march_articles[0]

    for url in (opening.url, opening.url + "2/", opening.url + "all/"):
        assert (
            words(issue_navigation(anonymous, url).select_one(".next")) == "Next in this issue → Who Pays for the Tide"
        )


def test_the_reading_order_skips_articles_that_are_not_published(web_issue, march_articles, anonymous):
    opening, middle, closing = march_articles
    middle.unpublish()

    assert link_targets(issue_navigation(anonymous, opening.url), "Next in this issue → Songs of the Flood") == [
        closing.url
    ]


def test_the_reading_order_skips_articles_behind_page_privacy(web_issue, march_articles, anonymous):
    opening, private, closing = march_articles
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="tide")

    nav = issue_navigation(anonymous, opening.url)

    assert link_targets(nav, "Next in this issue → Songs of the Flood") == [closing.url]
    assert words(nav.select_one(".issue-navigation-name")).endswith("article 1 of 2")
    assert private.title not in words(parsed(anonymous.get(closing.url)).select_one("main"))


def test_articles_outside_a_published_issue_have_no_issue_navigation(sections, anonymous):
    loose = ArticleFactory(title="Web only")
    early = ArticleFactory(title="For next month")
    IssueFactory(cover_date=datetime.date(2024, 4, 1), live=False, has_unpublished_changes=True, articles=[early])

    assert issue_navigation(anonymous, loose.url) is None
    assert issue_navigation(anonymous, early.url) is None


def test_the_issue_page_starts_the_reading_at_the_first_article(web_issue, march_articles, anonymous):
    page = parsed(anonymous.get("/issues/2024/6/"))

    assert link_targets(page.select_one(".issue-header"), "Start reading") == [march_articles[0].url]


def queries_for(client, url: str) -> int:
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    return len(context.captured_queries)


def test_the_issue_navigation_costs_the_same_queries_however_long_the_issue(web_issue, march_articles, anonymous):
    url = march_articles[1].url
    queries_for(anonymous, url)  # warm Wagtail's site cache
    short_issue = queries_for(anonymous, url)

    for position in range(3, 10):
        IssueArticle.objects.create(issue=web_issue, article=ArticleFactory(), sort_order=position)
    queries_for(anonymous, url)  # publishing forgot the kept sections (content.queries.live_sections): read again

    assert queries_for(anonymous, url) == short_issue
