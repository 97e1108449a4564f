"""A list inside a list item keeps its place and its level: our paragraphs hold no lists, so the level is shown
by an indent and a marker of its own (◦ under •, numbers under numbers), in the order the old site showed them.

Ghost's Lexical and Markdown cards are read in test_ghost_bodies; here, Ghost's rendered HTML and WordPress's
block editor (a list block inside a list item) and classic editor (TinyMCE's nested <ol>).
"""

from __future__ import annotations

from tests.migration.conftest import body_paragraphs, run_import
from tests.migration.test_ghost_import import BUDGET_URL, GHOST, import_ghost
from tests.migration.test_wordpress_import import ACCOUNTS_URL, FERRY_URL, THEATRE_URL, WXR

INDENT = "\u2003\u2003"


def test_a_list_inside_a_list_item_of_ghost_html_keeps_its_level(sections, ghost_images, anonymous):
    import_ghost(GHOST, ghost_images)

    paragraphs = body_paragraphs(anonymous.get(BUDGET_URL))
    start = paragraphs.index("• Parks: up 3%")
    assert paragraphs[start : start + 4] == [
        "• Parks: up 3%",
        f"{INDENT}◦ Playgrounds: up 5%",
        f"{INDENT}◦ Pools: level",
        "• Roads: down 2%",
    ]


def test_wordpress_nested_lists_keep_their_level_from_either_editor(sections, wordpress_uploads, anonymous):
    run_import("import_wordpress", WXR, "--uploads", wordpress_uploads, "--default-section", "culture")

    ferry = body_paragraphs(anonymous.get(FERRY_URL))
    assert ferry[ferry.index("• The morning crossing") :] == [
        "• The morning crossing",
        f"{INDENT}◦ 07:10 from the island",
        f"{INDENT}◦ 08:40 from the quay",
        "• The evening crossing",
    ]
    theatre = body_paragraphs(anonymous.get(THEATRE_URL))
    assert theatre[theatre.index("1. Opening night") :][:4] == [
        "1. Opening night",
        f"{INDENT}1. The mayor's speech",
        f"{INDENT}2. The first act",
        "2. Closing night",
    ]


def test_a_list_written_straight_inside_a_list_is_kept_too(sections, tmp_path, anonymous):
    """Old editors (and pasted Word documents) put the inner <ul> beside the items, not in one: its items stay."""
    export = tmp_path / "export.xml"
    export.write_text(
        WXR.read_text().replace(
            "<p>The surplus went to the pension fund, and nobody was told.</p>",
            "<ul><li>The surplus</li><ul><li>to the pension fund</li></ul><li>and nobody was told.</li></ul>",
        )
    )

    run_import("import_wordpress", export, "--default-section", "culture")

    paragraphs = body_paragraphs(anonymous.get(ACCOUNTS_URL))  # free: no category makes it subscribers-only here
    assert paragraphs[-3:] == ["• The surplus", f"{INDENT}◦ to the pension fund", "• and nobody was told."]
