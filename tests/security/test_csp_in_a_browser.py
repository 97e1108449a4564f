"""Under the Content-Security-Policy, in real Chromium: the pages work and the browser blocks nothing of ours.

The article is narrated with the audio tests' stand-in voice, so its page carries the real player;
a listener presses Play on it. Every page visited must raise no policy violation.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from masthead.audio import services, synthesis
from masthead.core.page_cache import clear_page_cache
from tests.audio.conftest import ToneVoice
from tests.factories import ArticleFactory, CreditedImageFactory

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in the test thread, as in tests/browser

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Collects what the policy blocked, as the page's own scripts would see it.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline code"));
});
"""


@pytest.fixture
def narrated_article(transactional_db, django_db_serialized_rollback, sections, settings, tmp_path, monkeypatch):
    """A free article with a picture, narrated with the stand-in voice."""
    settings.AUDIO_ROOT = tmp_path / "audio"
    voice = ToneVoice()
    monkeypatch.setattr(synthesis, "load_synthesizer", lambda: voice)
    monkeypatch.setattr(synthesis, "voice_name", lambda setting=None: voice.name)
    article = ArticleFactory(
        section=sections["politics"],
        title="Budget Talks Stall",
        hero_image=CreditedImageFactory(alt_text="The parliament at dusk", credit="Lee Park/Studio"),
        body=[
            {"type": "paragraph", "value": "<p>Negotiators met again on Monday without agreement.</p>"},
            {"type": "heading", "value": "What is left"},
            {"type": "paragraph", "value": "<p>Both sides said talks would resume on Thursday.</p>"},
        ],
    )
    services.ensure_audio(article.pk)
    clear_page_cache()
    return article


@pytest.fixture
def browser_tab(site_url):
    """A Chromium tab on the live server, recording policy violations and console errors."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-packages.sh (or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--mute-audio", "--disable-background-networking"],
        )
        page = browser.new_context(base_url=site_url).new_page()
        page.set_default_timeout(10_000)
        page.add_init_script(RECORD_VIOLATIONS)
        console_errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
        yield page, console_errors
        browser.close()


def violations(page) -> list[str]:
    return page.evaluate("window.cspViolations")


def test_a_listener_plays_the_article_audio_with_the_policy_in_force(narrated_article, browser_tab):
    from playwright.sync_api import expect

    page, console_errors = browser_tab
    response = page.goto(narrated_article.url)
    assert "script-src 'self'" in response.headers["content-security-policy"]

    play = page.get_by_role("button", name="Play")
    expect(play).to_be_visible()  # the player's script ran: its controls replace the native ones
    assert page.eval_on_selector("audio", "audio => audio.hasAttribute('controls')") is False
    play.click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.get_by_role("img", name="The parliament at dusk")).to_be_visible()

    assert violations(page) == []
    assert [error for error in console_errors if "Content Security Policy" in error] == []


@pytest.mark.parametrize("url", ["/", "/politics/", "/search/?q=budget", "/subscribe/", "/account/login/", "/nowhere/"])
def test_the_reader_pages_raise_no_policy_violation(narrated_article, browser_tab, url):
    page, console_errors = browser_tab
    page.goto(url)
    page.wait_for_load_state("load")

    assert violations(page) == []
    assert [error for error in console_errors if "Content Security Policy" in error] == []
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 253, 248)"  # site.css applied
