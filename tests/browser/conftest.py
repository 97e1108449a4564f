"""Real Chromium for the browser tests, driven by Playwright's sync API.

Playwright's sync API runs an event loop in the test thread, and Django refuses database work
from a thread with a running loop; the guard is lifted for this folder. Tests read the database
before the browser starts and to check what a page did; while the browser runs, the test's thread
has a connection of its own, so a read racing a request's write on SQLite in memory is refused
("database table is locked"): reads while webhooks may still arrive wait between requests
(`live_server.between_requests`, tests/conftest.py).
"""

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Quiet, offline, unprivileged: no sandbox inside containers, nothing phoning home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium_browser():
    """A Chromium per test; Playwright's own browser download cannot work offline.

    Per test, not per session: while Playwright runs, its event loop makes Django hand this
    thread a fresh database connection, and the test database's serialized contents (which
    restore migration-made pages after a flush) hang on the original one. Request data
    fixtures before this one so they run on the original connection.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-packages.sh (or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium_browser, site_url):
    """A fresh tab (own cookies, desktop size) whose relative URLs resolve against the live server.

    Whatever the test does, the pages it visits must not trip our Content-Security-Policy: a
    blocked script or style is a page that silently stopped working.
    """
    context = chromium_browser.new_context(base_url=site_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    yield page
    context.close()
    assert blocked == [], "the Content-Security-Policy blocked part of a page"


@pytest.fixture
def gated_seed(transactional_db, django_db_serialized_rollback, settings):
    """The seed article imported as editors would and made subscribers-only; no narration (minutes of synthesis)."""
    from django.core.management import call_command

    from masthead.content.models import ArticlePage
    from masthead.core.page_cache import clear_page_cache
    from tests.seed import SEED_FILE, SEED_URL

    settings.AUDIO_NARRATE_ON_PUBLISH = False
    call_command("import_articles", SEED_FILE, "--section", "foreign-affairs")
    article = ArticlePage.objects.get(url_path__endswith=SEED_URL)
    article.access_level = "subscribers"
    article.save_revision().publish()
    clear_page_cache()
    return article
