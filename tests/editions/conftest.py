"""Digital edition fixtures, on top of tests/conftest.py's personas (readers, subscribers, editors) and site.

`march_issue` is a published issue of three articles (one subscribers-only, over two web pages,
with a hero image, an inline image, a pull quote and a link), built the way the worker builds it.
Edition files go to a temporary EDITIONS_ROOT.
"""

from __future__ import annotations

import datetime

import pytest

from masthead.editions.builds import ensure_editions
from masthead.editions.models import EditionFile, Issue
from tests.factories import ArticleFactory, AuthorFactory, CreditedImageFactory, IssueFactory


@pytest.fixture(autouse=True)
def editions_root(settings, tmp_path):
    """Edition files in a throwaway folder; and publishing builds here, whatever the test settings say."""
    settings.EDITIONS_ROOT = tmp_path / "editions"
    settings.EDITIONS_BUILD_ON_PUBLISH = True
    return settings.EDITIONS_ROOT


# -- an issue ------------------------------------------------------------------------------------

GATED_SENTENCE = "The harbour master kept the tide tables in a locked drawer."


@pytest.fixture
def march_articles(sections):
    """Three articles in the order the issue prints them."""
    opening = ArticleFactory(
        section=sections["environment"],
        title="The Harbour That Learned to Float",
        slug="the-harbour-that-learned-to-float",
        standfirst="A port city rebuilds itself on pontoons.",
        authors=[AuthorFactory(name="Alice Okafor"), AuthorFactory(name="Ben Tran")],
        date=datetime.date(2024, 3, 2),
        hero_image=CreditedImageFactory(alt_text="Pontoons at dawn", credit="Lee Park/Studio", size=(320, 180)),
        hero_caption="The new quay, moored in place.",
        body=[
            {"type": "paragraph", "value": "<p>Water rose by <b>two metres</b> & the city rose with it.</p>"},
            {"type": "heading", "value": "Building on water"},
            {
                "type": "image",
                "value": {
                    "image": CreditedImageFactory(alt_text="A crane on a barge", credit="Ana Ruiz/Agency").pk,
                    "caption": "Cranes work from barges.",
                },
            },
            {"type": "page_break", "value": None},
            {"type": "pull_quote", "value": {"quote": "We stopped fighting the sea.", "attribution": "The mayor"}},
            {
                "type": "paragraph",
                "value": '<p>Read <a href="https://example.org/report">the report</a>.<br/>Then\u00a0visit.</p>',
            },
        ],
    )
    gated = ArticleFactory(
        access_level="subscribers",
        section=sections["finance"],
        title="Who Pays for the Tide",
        slug="who-pays-for-the-tide",
        authors=[AuthorFactory(name="Daniel Brooks")],
        date=datetime.date(2024, 3, 5),
        body=[
            {"type": "paragraph", "value": "<p>Insurers were first to notice.</p>"},
            {"type": "page_break", "value": None},
            {"type": "paragraph", "value": f"<p>{GATED_SENTENCE}</p>"},
        ],
    )
    closing = ArticleFactory(
        section=sections["culture"],
        title="Songs of the Flood",
        slug="songs-of-the-flood",
        authors=[AuthorFactory(name="Grace Mwangi")],
        date=datetime.date(2024, 3, 9),
        body=[
            {"type": "paragraph", "value": "<p>The choir sang from the rooftops.</p>"},
            {
                "type": "paragraph",
                "value": f'<p>More in <a linktype="page" id="{sections["culture"].pk}">our culture pages</a>.</p>',
            },
        ],
    )
    return [opening, gated, closing]


@pytest.fixture
def march_issue(march_articles) -> Issue:
    """Vol. 5, No. 6 (March 15, 2024), published, with its EPUB and PDF built as the worker builds them."""
    issue = IssueFactory(
        cover_date=datetime.date(2024, 3, 15),
        title="Cities on the Water",
        cover_image=CreditedImageFactory(alt_text="Cover: a city afloat", credit="Studio North", size=(300, 400)),
        articles=march_articles,
    )
    outcomes = ensure_editions(issue.pk)
    assert {outcome.result for outcome in outcomes.values()} == {"built"}, outcomes
    return issue


@pytest.fixture
def edition_file():
    def get(issue: Issue, file_format: str) -> EditionFile:
        return EditionFile.objects.get(issue=issue, format=file_format)

    return get
