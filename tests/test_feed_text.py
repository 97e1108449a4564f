"""What a feed reader shows of an article is its words as written: markup typed into a paragraph is text."""

from __future__ import annotations

import datetime
import html
from xml.etree import ElementTree

from masthead.content.services import create_or_update_article

TYPED = 'Fish & chips <img src=x onerror="alert(1)"> at 5 < 6'


def test_markup_typed_in_a_paragraph_reaches_rss_readers_as_text_not_as_a_tag(client, sections):
    create_or_update_article(
        section=sections["culture"],
        slug="typed-markup",
        title="Typed markup",
        author_names=["Ada Writer"],
        date=datetime.date(2026, 12, 1),
        pages=[[html.escape(TYPED, quote=False)]],  # as the editor stores what was typed
        access_level="free",
    )

    feed = ElementTree.fromstring(client.get("/feed/").content)  # noqa: S314 (our own feed, in a test)
    [description] = [
        item.findtext("description") for item in feed.iter("item") if item.findtext("title") == "Typed markup"
    ]

    # A feed reader renders the description as HTML: the tag must arrive escaped, and read back as typed.
    assert "<img" not in description
    assert TYPED in html.unescape(description)
