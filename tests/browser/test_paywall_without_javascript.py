"""The paywall holds in a real browser with JavaScript off: the gated text is simply not in the page."""

import pytest

from tests.seed import SEED_PAGE_SENTENCES, SEED_URL

pytestmark = pytest.mark.browser

GATED_SENTENCE = SEED_PAGE_SENTENCES[2]
TEASER_SENTENCE = SEED_PAGE_SENTENCES[0]


def test_gated_text_is_absent_with_javascript_disabled(gated_seed, chromium_browser, site_url):
    context = chromium_browser.new_context(base_url=site_url, java_script_enabled=False)
    page = context.new_page()
    for suffix in ["", "3/", "all/"]:
        page.goto(SEED_URL + suffix)
        html = page.content()
        assert TEASER_SENTENCE in page.inner_text("main")
        assert GATED_SENTENCE not in html
        assert "The rest of this article is for subscribers" in page.inner_text("main")
    context.close()
