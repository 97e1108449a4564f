"""The front page: the latest articles, the current issue with its cover, the six sections."""

from __future__ import annotations

import datetime

from masthead.core.page_cache import clear_page_cache
from tests.factories import ArticleFactory, AuthorFactory, CreditedImageFactory, IssueFactory
from tests.reading import headlines, link_targets, parsed, words

SECTION_LINKS = [
    ("Politics", "/politics/"),
    ("Finance", "/finance/"),
    ("Foreign Affairs", "/foreign-affairs/"),
    ("Environment", "/environment/"),
    ("Culture", "/culture/"),
    ("Technology", "/technology/"),
]


def test_home_page_lists_the_latest_articles_newest_first(sections, anonymous):
    for day in range(1, 15):
        ArticleFactory(title=f"Dispatch for day {day}", date=datetime.date(2024, 3, day))

    response = anonymous.get("/")

    assert response.status_code == 200
    shown = headlines(response, "section.latest article h3")
    assert shown[0] == "Dispatch for day 14"
    assert shown == [f"Dispatch for day {day}" for day in range(14, 1, -1)]
    assert "Dispatch for day 1" not in shown


def test_lead_story_on_the_home_page_shows_its_hero_image(sections, anonymous):
    ArticleFactory(title="Older story", date=datetime.date(2024, 1, 1))
    ArticleFactory(
        title="Lead story",
        date=datetime.date(2024, 2, 1),
        hero_image=CreditedImageFactory(alt_text="Crowds in the square"),
    )

    lead = parsed(anonymous.get("/")).select_one(".lead-story")

    assert words(lead.select_one("h3")) == "Lead story"
    assert lead.select_one("img")["alt"] == "Crowds in the square"


def test_home_page_cards_link_to_the_article_its_section_and_its_authors(sections, anonymous):
    ArticleFactory(
        section=sections["environment"],
        title="Rivers in Retreat",
        slug="rivers-in-retreat",
        authors=[AuthorFactory(name="Ola Nwosu")],
    )

    card = parsed(anonymous.get("/")).select_one("section.latest article")

    assert link_targets(card, "Rivers in Retreat") == ["/environment/rivers-in-retreat/"]
    assert link_targets(card, "Environment") == ["/environment/"]
    assert link_targets(card, "Ola Nwosu") == ["/authors/ola-nwosu/"]


def test_draft_articles_stay_off_the_home_page(sections, anonymous):
    ArticleFactory(title="Published piece")
    ArticleFactory(title="Unfinished draft", publish=False)

    assert headlines(anonymous.get("/"), "section.latest article h3") == ["Published piece"]


def test_home_page_shows_the_current_issue_with_its_cover(sections, anonymous):
    IssueFactory(cover_date=datetime.date(2024, 5, 1))
    IssueFactory(
        cover_date=datetime.date(2024, 5, 15), cover_image=CreditedImageFactory(alt_text="Cover: a lighthouse")
    )
    IssueFactory(cover_date=datetime.date(2024, 6, 1), live=False, has_unpublished_changes=True)

    aside = parsed(anonymous.get("/")).select_one("aside.current-issue")

    assert words(aside.select_one("h2")) == "In the current issue"
    cover_link = aside.select_one("a.cover-link")
    assert cover_link["href"] == "/issues/2024/10/"
    assert cover_link.select_one("img")["alt"] == "Cover: a lighthouse"
    assert words(cover_link) == "Vol. 5, No. 10 (May 15, 2024)"
    assert link_targets(aside, "All past issues") == ["/issues/"]


def test_home_page_without_a_published_issue_still_shows_the_sections(sections, anonymous):
    IssueFactory(live=False, has_unpublished_changes=True)

    response = anonymous.get("/")

    assert response.status_code == 200
    assert "In the current issue" not in words(parsed(response).select_one("main"))


def test_home_page_links_to_the_six_sections(sections, anonymous):
    aside = parsed(anonymous.get("/")).select_one("aside.current-issue")

    assert [(words(link), link["href"]) for link in aside.select(".section-list a")] == SECTION_LINKS


def test_every_page_header_links_to_the_six_sections_and_the_issues(sections, anonymous):
    nav = parsed(anonymous.get("/")).select_one('nav[aria-label="Sections"]')

    assert [(words(link), link["href"]) for link in nav.select("a")] == SECTION_LINKS + [("Issues", "/issues/")]


def test_home_page_queries_do_not_grow_with_the_number_of_articles(sections, anonymous, django_assert_max_num_queries):
    authors = [AuthorFactory() for _ in range(3)]
    for index in range(15):
        ArticleFactory(
            section=list(sections.values())[index % 6],
            authors=authors[: 1 + index % 3],
            hero_image=CreditedImageFactory() if index % 2 else None,
        )
    IssueFactory()
    anonymous.get("/")  # image renditions are made once, on the first view
    clear_page_cache()

    with django_assert_max_num_queries(12):
        response = anonymous.get("/")

    assert len(headlines(response, "section.latest article h3")) == 13
