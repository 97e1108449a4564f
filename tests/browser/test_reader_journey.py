"""A reader's first visit, in real Chromium: home page, the seed article's three pages, search."""

import datetime
import re
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from masthead.content.models import SectionPage
from masthead.content.services import create_or_update_article
from masthead.core.page_cache import clear_page_cache
from tests.seed import SEED_BYLINE, SEED_CREDIT, SEED_FILE, SEED_PAGE_SENTENCES, SEED_TITLE, SEED_URL

pytestmark = pytest.mark.browser


BYLINE = SEED_BYLINE
# One sentence from each of the seed's web pages.
PAGE_SENTENCES = dict(enumerate(SEED_PAGE_SENTENCES, start=1))
# For a person to look at after the run: /tmp/article.png here.
SCREENSHOT = Path(tempfile.gettempdir()) / "article.png"


@pytest.fixture
def magazine(transactional_db, django_db_serialized_rollback, settings):
    """The seed article imported as editors would, beside two newer articles in other sections.

    Serialized rollback restores the home page and sections (made by a migration) in case an
    earlier transactional test flushed them. No narration: synthesising the seed takes minutes
    and this journey does not listen.
    """
    settings.AUDIO_NARRATE_ON_PUBLISH = False
    call_command("import_articles", SEED_FILE, "--section", "foreign-affairs")
    for slug, section, title, day in [
        ("budget-talks-stall", "politics", "Budget Talks Stall as the Deadline Nears", 20),
        ("the-quiet-revival-of-the-printed-page", "culture", "The Quiet Revival of the Printed Page", 21),
    ]:
        create_or_update_article(
            section=SectionPage.objects.get(slug=section),
            slug=slug,
            title=title,
            author_names=["Maria Okafor"],
            date=datetime.date(2023, 2, day),
            standfirst="A newer story, so the seed is not alone on the front page.",
            pages=[["<p>Negotiators met again on Monday without agreement on spending.</p>"]],
        )
    clear_page_cache()


def test_reader_reaches_the_seed_article_pages_through_it_and_finds_it_by_searching(magazine, browser_page):
    page = browser_page
    page.goto("/")
    expect(page.get_by_role("link", name="Budget Talks Stall as the Deadline Nears")).to_be_visible()

    # From the front page to the section, then to the article, by clicking as a reader does.
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Foreign Affairs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Foreign Affairs")
    page.get_by_role("link", name=SEED_TITLE).click()

    expect(page).to_have_url(re.compile(re.escape(SEED_URL) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
    expect(page.locator(".article-header .byline")).to_have_text(BYLINE)
    expect(page.locator(".article-header .page-position")).to_have_text("Page 1 of 3")
    expect(page.locator(".article-body")).to_contain_text(PAGE_SENTENCES[1])
    expect(page.locator(".hero figcaption")).to_contain_text(SEED_CREDIT)
    expect(page.locator(".subscribe-box a[href='/subscribe/']").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    for number in (2, 3):
        page.get_by_role("link", name=re.compile("Next page")).click()
        expect(page).to_have_url(re.compile(re.escape(f"{SEED_URL}{number}/") + "$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
        expect(page.locator(".article-header .byline")).to_have_text(BYLINE)
        expect(page.locator(".article-pages")).to_contain_text(f"Page {number} of 3")
        expect(page.locator(".article-body")).to_contain_text(PAGE_SENTENCES[number])
        expect(page.locator(".article-body")).not_to_contain_text(PAGE_SENTENCES[number - 1])
    expect(page.get_by_role("link", name=re.compile("Next page"))).to_have_count(0)

    # The header's search box, from wherever the reader is.
    page.get_by_role("searchbox", name="Search the archive").fill("Virtanen")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=Virtanen$"))
    results = page.locator(".search-results")
    seed_result = results.locator(".card", has=page.get_by_role("link", name=SEED_TITLE))
    expect(seed_result).to_have_count(1)
    expect(seed_result.locator(".snippet mark").first).to_have_text(re.compile("^Virtanen", re.IGNORECASE))
    expect(results.get_by_role("link", name="Budget Talks Stall as the Deadline Nears")).to_have_count(0)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(magazine, browser_page):
    page = browser_page
    page.goto(SEED_URL)

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link must be on screen"

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside the article, not back at the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
