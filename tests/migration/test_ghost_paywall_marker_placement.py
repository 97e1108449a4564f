"""A paywall marker Ghost's html holds somewhere other than between top-level blocks (html written by hand, or
by another tool, and imported into Ghost as it was): the article's body loses none of its words and shows none of
the importer's own marking, and outsiders still see nothing from below the marker."""

from __future__ import annotations

import json

import pytest

from masthead.content.models import ArticlePage
from tests.migration.conftest import EXPORTS, run_import
from tests.reading import main_text

TREASURY_URL = "/politics/inside-the-treasury/"


def import_treasury_with_body(tmp_path, html: str) -> ArticlePage:
    export = json.loads((EXPORTS / "ghost-5.json").read_text())
    post = next(post for post in export["db"][0]["data"]["posts"] if post["slug"] == "inside-the-treasury")
    post["html"] = html
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps(export))
    run_import("import_ghost", path)
    return ArticlePage.objects.get(slug="inside-the-treasury")


@pytest.mark.parametrize(
    "html",
    [
        "<p>Open to all.</p><p>The vault<!--members-only--> is bare of gold.</p>",
        "<p>Open to all.</p><ul><li>The vault<!--members-only--> is bare of gold.</li></ul>",
    ],
    ids=["in a paragraph", "in a list item"],
)
def test_a_marker_inside_a_paragraph_keeps_the_paragraph_for_subscribers(sections, tmp_path, anonymous, html):
    article = import_treasury_with_body(tmp_path, html)

    assert "bare of gold" in article.body_text()  # the paragraph holding the marker is not lost
    assert "masthead-preview-ends" not in article.body_text()
    assert article.teaser_paragraphs == 1
    text = main_text(anonymous.get(TREASURY_URL))
    assert "Open to all." in text and "gold" not in text


@pytest.mark.parametrize(
    "html",
    [
        "<p>Open to all.</p><blockquote><p>A quote</p><!--members-only--><p>more</p></blockquote><p>Vault empty.</p>",
        "<p>Open to all.</p><h2>The vault<!--members-only--></h2><p>Vault empty.</p>",
    ],
    ids=["in a quotation", "in a heading"],
)
def test_a_marker_inside_a_quotation_or_heading_leaves_no_mark_in_the_body(sections, tmp_path, anonymous, html):
    article = import_treasury_with_body(tmp_path, html)

    assert "masthead-preview-ends" not in json.dumps(list(article.body.raw_data))
    assert article.teaser_paragraphs <= 1
    text = main_text(anonymous.get(TREASURY_URL))
    assert "Vault empty." not in text
