"""The player in real Chromium: custom controls replace the native ones, chapters seek, speed sticks, it resumes.

The page is the player as the article template renders it, served beside the live server so the
MP3 and the script come from the real views.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from tests.factories import ArticleFactory

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in the test thread, as in tests/browser

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


@pytest.fixture
def long_article(transactional_db, django_db_serialized_rollback, sections):
    """A free article long enough to stop in the middle of (half a minute with the stand-in voice)."""
    sentence = "The committee examined the plan for the coming year after weeks of debate."
    body = [{"type": "paragraph", "value": f"<p>{sentence} {sentence}</p>"} for _ in range(20)]
    body.insert(10, {"type": "heading", "value": "The second half"})
    return ArticleFactory(section=sections["politics"], title="A Long Debate", body=body)


@pytest.fixture
def player_page(long_article, site_url, narrate):
    """A page holding the article's player, opened in Chromium from the live server's origin."""
    free_article = long_article
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-packages.sh (or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    narration = narrate(free_article)
    request = RequestFactory().get(free_article.url)
    request.user = AnonymousUser()
    player = Template("{% load audio_tags %}{% audio_player request page %}").render(
        Context({"request": request, "page": free_article})
    )
    html = f"<!doctype html><html lang='en'><head><title>Player</title></head><body><main>{player}</main></body></html>"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--mute-audio"],
        )
        page = browser.new_context(base_url=site_url).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.route(f"{site_url}/player/", lambda route: route.fulfill(body=html, content_type="text/html"))
        page.goto("/player/")
        page.wait_for_function("document.querySelector('audio').readyState >= 1")
        yield page, narration, errors
        browser.close()


def test_the_player_works_from_the_keyboard_and_its_chapters_and_speed_control_the_audio(player_page):
    from playwright.sync_api import expect

    page, narration, errors = player_page
    assert page.eval_on_selector("audio", "audio => audio.hasAttribute('controls')") is False
    toggle = page.get_by_role("button", name="Play")
    expect(toggle).to_be_visible()

    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Play")).to_be_visible()

    chapter = narration.chapters[1]
    page.get_by_role("button", name=chapter["title"]).click()
    at = page.eval_on_selector("audio", "audio => audio.currentTime")
    assert abs(at - chapter["start_ms"] / 1000) < 0.5
    page.eval_on_selector("audio", "audio => audio.pause()")

    page.get_by_label("Speed").select_option("1.5")
    assert page.eval_on_selector("audio", "audio => audio.playbackRate") == 1.5
    assert "of" in page.get_by_label("Position").get_attribute("aria-valuetext")
    assert errors == []


def test_the_player_offers_to_resume_where_the_reader_stopped(player_page):
    page, narration, errors = player_page
    assert narration.duration_ms > 20_000
    key = f"masthead-audio:{narration.article_id}"
    page.evaluate(f"localStorage.setItem('{key}', JSON.stringify({{t: 6.5, v: '{narration.version}'}}))")

    page.reload()
    page.wait_for_function("document.querySelector('audio').readyState >= 1")

    assert page.get_by_role("status").inner_text().startswith("Resuming where you stopped, at 0:06.")
    assert abs(page.eval_on_selector("audio", "audio => audio.currentTime") - 6.5) < 0.5
    page.get_by_role("button", name="Start from the beginning").click()
    assert page.eval_on_selector("audio", "audio => audio.currentTime") == 0
    assert errors == []
