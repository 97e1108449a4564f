"""A narration that finishes rebuilds only the stored pages that show its article (and the feeds)."""

from __future__ import annotations

from tests.factories import ArticleFactory, AuthorFactory
from tests.reading import parsed


def test_a_finished_narration_rebuilds_only_its_article(
    sections, anonymous, narrate, django_capture_on_commit_callbacks
):
    author = AuthorFactory(name="Maria Okafor")  # saving a new author clears every page: made first
    narrated = ArticleFactory(section=sections["politics"], title="The Budget Vote", authors=[author])
    other = ArticleFactory(section=sections["culture"], title="A Quiet Exhibition", authors=[author])
    for url in (narrated.url, other.url, "/audio/feed.xml"):
        anonymous.get(url)
    assert anonymous.get(narrated.url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        narrate(narrated)

    page, feed = anonymous.get(narrated.url), anonymous.get("/audio/feed.xml")
    assert page["X-Page-Cache"] == "miss" and parsed(page).select_one("section.audio-player") is not None
    assert feed["X-Page-Cache"] == "miss" and "The Budget Vote" in feed.content.decode()
    assert anonymous.get(other.url)["X-Page-Cache"] == "hit"
