"""An editor's change reaches an anonymous reader on their next visit, though every layer in front keeps pages.

In `make test` the page is kept by our page cache; under `make test-prod` also by the shipped nginx in front of
the live server (tests/front_server.py), which the app purges on publish.
"""

import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from masthead.content.models import ArticlePage
from tests.seed import SEED_FILE, SEED_URL

pytestmark = pytest.mark.browser


@pytest.fixture
def seed_online(transactional_db, django_db_serialized_rollback, settings):
    settings.AUDIO_NARRATE_ON_PUBLISH = False
    call_command("import_articles", SEED_FILE, "--section", "foreign-affairs")
    return ArticlePage.objects.get(url_path__endswith=SEED_URL)


def publish_new_title(article_id: int, title: str) -> None:
    """The editor publishes from another thread: Playwright's event loop runs in the test's."""

    def publish():
        try:
            article = ArticlePage.objects.get(pk=article_id)
            article.title = title
            article.save_revision().publish()
        finally:
            connection.close()  # this thread's own connection, or the test database cannot be dropped

    worker = threading.Thread(target=publish)
    worker.start()
    worker.join()


def test_an_anonymous_reader_sees_a_new_headline_on_the_next_visit(seed_online, browser_page):
    first = browser_page.goto(SEED_URL)
    old_title = seed_online.title
    expect(browser_page.get_by_role("heading", level=1)).to_have_text(old_title)
    second = browser_page.goto(SEED_URL)
    if getattr(settings, "TEST_PROFILE", "") == "production":
        assert (first.headers["x-front-cache"], second.headers["x-front-cache"]) == ("MISS", "HIT")  # from nginx
    else:
        assert second.headers["x-page-cache"] == "hit"  # from our page cache, not rendered again

    publish_new_title(seed_online.pk, "Talks resume after a long winter")

    browser_page.goto(SEED_URL)
    expect(browser_page.get_by_role("heading", level=1)).to_have_text("Talks resume after a long winter")
