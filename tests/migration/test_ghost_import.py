"""A Ghost 5 site moves in: its posts are read here as its readers read them there, and its old links still work."""

from __future__ import annotations

from pathlib import Path

import pytest

from masthead.content.models import ArticlePage, Author, SectionPage
from masthead.moving.models import ImportRun
from tests.migration.conftest import EXPORTS, run_import
from tests.reading import main_text, parsed

GHOST = EXPORTS / "ghost-5.json"
BUDGET_URL = "/politics/city-budget-vote/"
TREASURY_URL = "/politics/inside-the-treasury/"
LETTER_URL = "/stage-screen/letter-to-members/"


def import_ghost(export: Path, images: Path) -> str:
    """Import a Ghost export with its pictures folder and the old site's address, as a publisher would."""
    return run_import("import_ghost", export, "--images", images, "--site-url", "https://old.example")


@pytest.fixture
def imported(sections, ghost_images):
    return import_ghost(GHOST, ghost_images)


def test_a_public_post_reads_as_it_did_with_its_headings_quote_links_and_date(imported, anonymous):
    response = anonymous.get(BUDGET_URL)

    assert response.status_code == 200
    text = main_text(response)
    assert "The City Votes on Its Budget" in text
    assert "Nine votes to four, and the libraries stay open." in text
    assert "The council met at dawn, for the third time this month" in text
    assert "We will not close a single branch." in text and "The mayor" in text
    assert "• Parks: up 3%" in text
    page = parsed(response)
    assert page.select_one("main h2").get_text(strip=True) == "What changed"
    assert page.select_one('main a[href="https://example.org/budget.pdf"]').get_text() == "whole budget"
    assert page.select_one(".byline time")["datetime"] == "2023-12-01"
    assert page.select_one(".byline a")["href"] == "/authors/ada-okafor/"


def test_nothing_hostile_in_the_ghost_html_reaches_the_page(imported, anonymous):
    html = anonymous.get(BUDGET_URL).content.decode()

    assert "evil.example" not in html
    assert "document.cookie" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "<iframe" not in html  # the embedded player is a link to it (below), never a frame
    assert "the minutes" in html  # the refused link keeps its words


def test_pictures_from_the_export_folder_are_imported_and_missing_ones_kept_as_links(imported, anonymous):
    article = ArticlePage.objects.get(slug="city-budget-vote")
    assert article.hero_image.credit == "Photo by Jane Roe / Unsplash"
    assert article.hero_image.description == "City hall at dawn"
    [inline] = [block for block in article.body if block.block_type == "image"]
    assert inline.value["caption"] == "The chamber before the vote"
    assert inline.value["image"].description == "The council chamber"

    page = parsed(anonymous.get(BUDGET_URL))
    lost = page.select_one('main a[href="https://old.example/content/images/2023/11/not-exported.jpg"]')
    assert lost.get_text() == "A picture the export lost"
    assert "1 × left out of article bodies: embed kept as a link" in imported
    player = page.select_one('main a[href="https://www.youtube.com/embed/xyz"]')
    assert player.get_text() == "https://www.youtube.com/embed/xyz"  # Ghost's embed card, with no caption


def test_paid_and_members_posts_are_for_subscribers_and_public_ones_free(imported, anonymous, subscriber_client):
    teaser = main_text(anonymous.get(TREASURY_URL))  # what stood above Ghost's paywall card
    assert "The first paragraph anyone may read about the treasury." in teaser
    assert "The second paragraph, still in the teaser." in teaser
    assert "the vault is empty" not in teaser
    assert "the vault is empty" in main_text(subscriber_client.get(TREASURY_URL))

    assert "already sold out" not in main_text(anonymous.get(LETTER_URL))
    assert "already sold out" in main_text(subscriber_client.get(LETTER_URL))


def test_authors_keep_their_bios_and_bylines_their_order(imported, anonymous):
    tomas = Author.objects.get(slug="tomas-reyes")
    assert tomas.bio == "Tomás writes about theatre and public money."
    assert "Ada covers the city council and its money." in main_text(anonymous.get("/authors/ada-okafor/"))
    byline = parsed(anonymous.get(TREASURY_URL)).select_one(".byline")
    assert [a.get_text() for a in byline.select("a")] == ["Tomás Reyes", "Ada Okafor"]


def test_tags_become_sections_drafts_stay_drafts_and_ghost_pages_are_left_out(imported, anonymous):
    assert SectionPage.objects.get(slug="stage-screen").title == "Stage & Screen"
    assert not SectionPage.objects.filter(slug="hash-newsletter").exists()
    draft = ArticlePage.objects.get(slug="harbour-plan")
    assert not draft.live
    assert anonymous.get(draft.url or "/harbour/harbour-plan/").status_code == 404
    assert not ArticlePage.objects.filter(slug="about").exists()
    assert "note: 1 × Ghost pages (not articles) left out" in imported


def test_old_ghost_addresses_answer_301_to_the_new_ones(imported, anonymous):
    for old, new in [
        ("/city-budget-vote/", BUDGET_URL),
        ("/author/ada/", "/authors/ada-okafor/"),
        ("/tag/stage-screen/", "/stage-screen/"),
        ("/tag/politics/", "/politics/"),
    ]:
        response = anonymous.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old
    assert anonymous.get("/harbour-plan/").status_code == 404  # a draft had no public address


def test_the_sitemap_lists_the_new_addresses_only(imported, anonymous):
    sitemap = anonymous.get("/sitemap.xml").content.decode()

    assert f"{BUDGET_URL}</loc>" in sitemap
    assert "<loc>http://testserver/city-budget-vote/</loc>" not in sitemap
    assert "harbour-plan" not in sitemap


def test_a_second_run_changes_nothing_and_says_so(imported):
    pages_before = ArticlePage.objects.count()

    again = run_import("import_ghost", GHOST)

    assert "articles: 4 unchanged" in again
    assert "Nothing changed: everything was imported already." in again
    assert ArticlePage.objects.count() == pages_before
    assert ImportRun.objects.filter(kind="ghost", dry_run=False).count() == 2


def test_a_dry_run_says_what_would_happen_and_saves_nothing(sections):
    output = run_import("import_ghost", GHOST, "--dry-run")

    assert "Dry run, nothing was saved" in output
    assert "articles: 4 created" in output
    assert "old paths:" in output
    assert not ArticlePage.objects.filter(slug="city-budget-vote").exists()
    assert not SectionPage.objects.filter(slug="stage-screen").exists()
    assert ImportRun.objects.get().dry_run


def test_an_export_that_is_not_json_names_the_line_and_imports_nothing(sections, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"db": [\n  {"meta": {},\n   "data": {"posts": [,]}}\n]}\n')

    from django.core.management import CommandError

    with pytest.raises(CommandError, match=r"broken.json:3: not JSON"):
        run_import("import_ghost", broken)
    assert not ArticlePage.objects.filter(slug="city-budget-vote").exists()


def test_an_author_keeps_her_profile_picture_on_her_author_page(imported, anonymous):
    ada = Author.objects.get(slug="ada-okafor")
    assert ada.photo.description == "Ada Okafor"
    assert (ada.photo.width, ada.photo.height) == (200, 200)

    photo = parsed(anonymous.get("/authors/ada-okafor/")).select_one("img.author-photo")
    assert photo["alt"] == "Ada Okafor"
    assert Author.objects.get(slug="tomas-reyes").photo is None, "no picture in Ghost, none here"
