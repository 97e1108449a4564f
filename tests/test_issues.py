"""The magazine's issues: the archive by year, each issue's table of contents, and the yearly schedule."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from masthead.editions.models import Issue
from tests.factories import ArticleFactory, CreditedImageFactory, IssueFactory
from tests.reading import headlines, link_targets, main_text, parsed, words


def test_archive_lists_years_newest_first_then_their_issues_newest_first(sections, anonymous):
    IssueFactory(cover_date=datetime.date(2023, 12, 15))
    IssueFactory(cover_date=datetime.date(2024, 1, 1), title="The election year")
    IssueFactory(cover_date=datetime.date(2024, 1, 15))
    IssueFactory(cover_date=datetime.date(2024, 2, 1), live=False, has_unpublished_changes=True)

    response = anonymous.get("/issues/")

    assert response.status_code == 200
    page = parsed(response)
    years = page.select_one('nav[aria-label="Years"]')
    assert [(words(link), link["href"]) for link in years.select("a")] == [
        ("2024", "#year-2024"),
        ("2023", "#year-2023"),
    ]
    year_2024 = page.select_one("section#year-2024")
    # Each link shows the number and date, then the theme on its own line.
    assert [([words(line) for line in link.select("span")], link["href"]) for link in year_2024.select("a")] == [
        (["No. 2 · January 15"], "/issues/2024/2/"),
        (["No. 1 · January 1", "The election year"], "/issues/2024/1/"),
    ]
    assert link_targets(page.select_one("section#year-2023"), "No. 24 · December 15") == ["/issues/2023/24/"]


def test_archive_before_any_issue_is_published_says_so(db, anonymous):
    response = anonymous.get("/issues/")

    assert response.status_code == 200
    assert "No issues have been published yet." in main_text(response)


def test_issue_page_shows_its_cover_number_date_and_table_of_contents_in_order(sections, anonymous):
    first = ArticleFactory(section=sections["politics"], title="Opening essay", date=datetime.date(2024, 3, 2))
    second = ArticleFactory(section=sections["culture"], title="The reviews", date=datetime.date(2024, 3, 9))
    third = ArticleFactory(section=sections["finance"], title="Back-page numbers", date=datetime.date(2024, 3, 1))
    IssueFactory(
        cover_date=datetime.date(2024, 3, 15),
        title="Spring reckonings",
        cover_image=CreditedImageFactory(alt_text="Cover: a cracked ice sheet"),
        articles=[first, second, third],
    )

    response = anonymous.get("/issues/2024/6/")

    assert response.status_code == 200
    page = parsed(response)
    assert words(page.select_one("main h1")) == "March 15, 2024: Spring reckonings"
    assert words(page.select_one(".issue-header .kicker")) == "Volume 5, number 6"
    assert page.select_one(".issue-header img")["alt"] == "Cover: a cracked ice sheet"
    assert headlines(response, "ol.toc h3") == ["Opening essay", "The reviews", "Back-page numbers"]
    toc = page.select_one("ol.toc")
    assert link_targets(toc, "The reviews") == [second.url]
    assert link_targets(toc, "Culture") == ["/culture/"]
    assert link_targets(page, "All issues of 2024") == ["/issues/#year-2024"]


def test_issue_table_of_contents_leaves_out_unpublished_articles(sections, anonymous):
    published = ArticleFactory(title="Ready to read")
    draft = ArticleFactory(title="Still being edited", publish=False)
    IssueFactory(cover_date=datetime.date(2024, 4, 1), articles=[draft, published])

    assert headlines(anonymous.get("/issues/2024/7/"), "ol.toc h3") == ["Ready to read"]


def test_issue_without_articles_says_its_contents_are_being_prepared(sections, anonymous):
    IssueFactory(cover_date=datetime.date(2024, 4, 15))

    assert "The contents of this issue are being prepared." in main_text(anonymous.get("/issues/2024/8/"))


def test_unpublished_or_missing_issue_is_not_found(sections, anonymous):
    IssueFactory(cover_date=datetime.date(2024, 5, 1), live=False, has_unpublished_changes=True)

    assert anonymous.get("/issues/2024/9/").status_code == 404
    assert anonymous.get("/issues/2024/10/").status_code == 404
    assert anonymous.get("/issues/1999/1/").status_code == 404


def test_issue_numbers_restart_each_year(sections, anonymous):
    IssueFactory(cover_date=datetime.date(2023, 1, 1))
    IssueFactory(cover_date=datetime.date(2024, 1, 1))

    assert "Volume 4, number 1" in main_text(anonymous.get("/issues/2023/1/"))
    assert "Volume 5, number 1" in main_text(anonymous.get("/issues/2024/1/"))


# -- the yearly schedule ------------------------------------------------------------------------


def create_schedule(*args: str) -> str:
    out = StringIO()
    call_command("create_issue_schedule", *args, stdout=out)
    return out.getvalue().strip()


def test_schedule_creates_24_draft_issues_on_the_1st_and_15th_of_each_month(db, anonymous):
    assert create_schedule("2025") == "Created 24 issues for 2025."

    issues = list(Issue.objects.filter(year=2025).order_by("cover_date"))
    assert [(issue.number, issue.cover_date) for issue in issues[:3]] == [
        (1, datetime.date(2025, 1, 1)),
        (2, datetime.date(2025, 1, 15)),
        (3, datetime.date(2025, 2, 1)),
    ]
    assert (issues[-1].number, issues[-1].cover_date) == (24, datetime.date(2025, 12, 15))
    assert {issue.cover_date.day for issue in issues} == {1, 15}
    assert {issue.volume for issue in issues} == {6}
    # Drafts until an editor publishes them.
    assert not any(issue.live for issue in issues)
    assert "No issues have been published yet." in main_text(anonymous.get("/issues/"))


def test_schedule_takes_other_days_of_the_month(db):
    assert create_schedule("2026", "--days", "20,5,12") == "Created 36 issues for 2026."

    first_month = Issue.objects.filter(year=2026, cover_date__month=1).order_by("number")
    assert [(issue.number, issue.cover_date.day) for issue in first_month] == [(1, 5), (2, 12), (3, 20)]


@override_settings(ISSUE_DAYS_OF_MONTH=[10])
def test_schedule_days_default_to_the_configured_ones(db):
    assert create_schedule("2027") == "Created 12 issues for 2027."
    assert set(Issue.objects.values_list("cover_date__day", flat=True)) == {10}


def test_running_the_schedule_again_creates_nothing_and_keeps_editors_changes(db):
    create_schedule("2025")
    Issue.objects.filter(cover_date=datetime.date(2025, 3, 1)).update(title="The water issue")

    assert create_schedule("2025") == "Created 0 issues for 2025."

    assert Issue.objects.filter(year=2025).count() == 24
    assert Issue.objects.get(cover_date=datetime.date(2025, 3, 1)).title == "The water issue"


@pytest.mark.parametrize("days", ["31", "1,29", "0,15"])
def test_schedule_refuses_days_that_some_months_lack(db, days):
    with pytest.raises(CommandError, match="Issue days must be between 1 and 28"):
        create_schedule("2025", "--days", days)

    assert not Issue.objects.exists()
