"""Ghost posts whose export holds no rendered html: their Lexical (Ghost 5, 6) or Mobiledoc (Ghost 4) is read.

Ghost renders `html` whenever it saves a post, but Ghost JSON from Ghost's own migration tools
(TryGhost/migrate's mg-html-lexical and mg-html-mobiledoc delete `html` after converting) holds only
`lexical` or `mobiledoc`; Ghost's importer renders them (ghost/core/core/server/models/post.js, "html is
null, but lexical exists"). Our two files are written in the shape Ghost's exporter writes, with our own
words:
- exports/ghost-4-mobiledoc.json is modelled on Ghost's ghost/core/test/utils/fixtures/export/v4_export.json
  (a real Ghost 4.1 export: `posts.author_id`, no `lexical` column, an empty `posts_meta`, users with
  their password hashes), its Mobiledoc on the sections, markups, atoms and cards of that file's posts.
- exports/ghost-6-lexical.json has the columns of ghost/core/core/server/data/schema/schema.js (Ghost 6),
  its Lexical nodes as TryGhost/Koenig's kg-default-nodes export them (extended-text, extended-heading,
  image with an HTML caption, callout, toggle, bookmark, html, audio, button, paywall, call-to-action).
Each file's second post is Markdown: Ghost 4's is one `card-markdown` card (as Ghost 1's posts came over),
Ghost 6's has a Lexical `markdown` node after a Lexical list nested the way Lexical nests them.
"""

from __future__ import annotations

import json

import pytest

from masthead.content.models import ArticlePage
from tests.migration.conftest import EXPORTS, body_paragraphs, picture, run_import
from tests.migration.test_ghost_import import import_ghost
from tests.reading import link_targets, main_text, parsed, words

GHOST_4 = EXPORTS / "ghost-4-mobiledoc.json"
GHOST_6 = EXPORTS / "ghost-6-lexical.json"
FLEET_URL = "/environment/fleet-comes-home-early/"
LOGBOOKS_URL = "/culture/forty-years-of-logbooks/"
HOSTILE = ("evil.example", "document.cookie")  # in both exports' HTML cards and link addresses


@pytest.fixture
def images(tmp_path):
    root = tmp_path / "content" / "images"
    picture(root / "2021" / "05" / "quay.jpg", "slategray")
    picture(root / "2021" / "06" / "notebook.jpg", "wheat")
    picture(root / "2025" / "09" / "lamp-room.jpg", "goldenrod")
    return root


@pytest.fixture
def ghost_4(sections, images):
    return import_ghost(GHOST_4, images)


@pytest.fixture
def ghost_6(sections, images):
    return import_ghost(GHOST_6, images)


def unknown_card_named(post: str, kind: str) -> str:
    """The report's line for a post with one card of a kind we do not read."""
    return f"{post}: has 1 × a card Ghost calls {kind!r} that we do not read; its words were kept (imported anyway)"


def test_a_ghost_4_post_with_only_mobiledoc_reads_as_it_did(ghost_4, anonymous):
    response = anonymous.get(FLEET_URL)

    assert response.status_code == 200
    text = main_text(response)
    assert "The fishing fleet came home two days early, and the harbour master published her report" in text
    assert "Nobody expected the storm to turn. <Nobody> & nothing." in text
    assert "We heard the bell before we saw the light." in text
    assert "• Six boats in by dawn" in text and "• Two still at sea" in text
    assert "Tide table: 06:12 and 18:40" in text
    assert "The harbour reopens on Monday." in text
    page = parsed(response)
    assert page.select_one("main h2").get_text(strip=True) == "What the fleet saw"
    assert page.select_one("main b").get_text() == "two days early"
    assert link_targets(page.select_one("main"), "her report") == ["https://harbour.example/report.pdf"]
    figure = page.select_one("main figure.inline-image")
    assert figure.img["alt"] == "Boats tied up along the quay"
    assert "The quay at low tide, May 2021" in figure.figcaption.get_text()


def test_a_ghost_4_embed_becomes_a_link_and_an_unknown_card_keeps_its_words_and_is_named(ghost_4, anonymous):
    response = anonymous.get(FLEET_URL)

    film = "The harbour wall, filmed from the ferry"
    assert link_targets(parsed(response).select_one("main"), film) == ["https://www.youtube.com/watch?v=quay2021"]
    assert "The slipway before and after the storm" in main_text(response)
    assert "note: 1 × left out of article bodies: embed kept as a link" in ghost_4
    assert "note: 2 × post bodies read from their mobiledoc (the export had no html for them)" in ghost_4
    post = "post 60b5f0a1c2b1a40001b2c001 “The Fleet Comes Home Early” (line 11)"
    assert unknown_card_named(post, "before-after") in ghost_4


def test_nothing_hostile_in_ghost_4_mobiledoc_reaches_the_page(ghost_4, anonymous):
    response = anonymous.get(FLEET_URL)

    html = response.content.decode()
    assert [mark for mark in (*HOSTILE, "javascript:", "steal()") if mark in html] == []
    assert "the log" in main_text(response)  # the refused link keeps its words
    assert "note: 1 × left out of article bodies: script" in ghost_4


def test_a_ghost_6_post_with_only_lexical_reads_as_it_did(ghost_6, anonymous):
    response = anonymous.get(LOGBOOKS_URL)

    assert response.status_code == 200
    text = main_text(response)
    assert "The lighthouse keeper kept forty years of logbooks, and the county archive has them now." in text
    assert "Storms are entered in red ink, <calm> in black & blue." in text
    assert "The light never failed on my watch." in text
    assert "1. 1962: the great gale" in text and "2. 1987: the last ship wrecked here" in text
    assert "The archive opens on Saturdays." in text
    assert "How we read the logs" in text and "We transcribed every page by hand." in text
    assert "Open daily" in text
    assert "She retired in 1990." in text
    page = parsed(response)
    main = page.select_one("main")
    assert page.select_one("main h2").get_text(strip=True) == "The logbooks"
    assert main.select_one("b").get_text() == "forty years"
    assert main.select_one("i").get_text() == "Every one"
    assert link_targets(main, "county archive") == ["https://archive.example/lighthouse"]
    assert link_targets(main, "The county archive catalogue") == ["https://archive.example/catalogue"]
    figure = main.select_one("figure.inline-image")
    assert figure.img["alt"] == "The lamp room"
    assert "The lamp room at dusk" in figure.figcaption.get_text()


def test_ghost_6_media_become_links_to_the_old_site_and_the_report_names_what_it_could_not_show(ghost_6, anonymous):
    main = parsed(anonymous.get(LOGBOOKS_URL)).select_one("main")

    foghorn = "The foghorn, recorded in 1979"
    assert link_targets(main, foghorn) == ["https://old.example/content/media/2025/09/foghorn.mp3"]
    body = main.select_one(".article-body")
    assert "Subscribe" not in body.get_text()  # Ghost's own sign-up button means nothing here
    assert "Join our readers' panel" in body.get_text()
    assert "note: 1 × left out of article bodies: audio kept as a link" in ghost_6
    assert "note: 1 × left out of article bodies: button to Ghost's sign-up" in ghost_6
    assert "note: 2 × post bodies read from their lexical (the export had no html for them)" in ghost_6
    post = "post 68c9a1f0c2b1a40001c3c001 “Forty Years of Logbooks” (line 11)"
    assert unknown_card_named(post, "call-to-action") in ghost_6


def test_nothing_hostile_in_a_ghost_6_html_card_reaches_the_page(ghost_6, anonymous):
    response = anonymous.get(LOGBOOKS_URL)

    html = response.content.decode()
    assert [mark for mark in HOSTILE if mark in html] == []
    assert "She retired in 1990." in main_text(response)  # the card's open tags swallowed nothing


def test_a_second_run_of_a_lexical_export_changes_nothing(ghost_6, images):
    again = import_ghost(GHOST_6, images)

    assert "articles: 4 unchanged" in again
    assert "Nothing changed: everything was imported already." in again


def test_a_post_whose_lexical_cannot_be_read_falls_back_to_its_plaintext_as_text(sections, tmp_path, anonymous):
    export = json.loads(GHOST_6.read_text())
    post = export["db"][0]["data"]["posts"][0]
    post["lexical"] = '{"root": {"children": [{"type": "paragraph", "children": ['
    post["plaintext"] = "Storms in <b>red</b> ink.\n\nCalm in black."
    broken = tmp_path / "ghost.json"
    broken.write_text(json.dumps(export, indent=2))

    output = run_import("import_ghost", broken)

    text = main_text(anonymous.get(LOGBOOKS_URL))
    assert "Storms in <b>red</b> ink." in text and "Calm in black." in text
    assert "its lexical could not be read (it is not the JSON Ghost writes) (imported anyway)" in output
    assert ArticlePage.objects.get(slug="forty-years-of-logbooks").live


NOTEBOOK_URL = "/environment/harbour-masters-notebook/"
KEEPERS_LISTS_URL = "/culture/the-keepers-lists/"


def test_a_ghost_4_markdown_card_reads_as_ghost_rendered_it(ghost_4, anonymous):
    response = anonymous.get(NOTEBOOK_URL)

    main = parsed(response).select_one("main")
    body = main.select_one(".article-body")
    # "#The Harbour…" without a space is a heading to Ghost's Markdown (lazy headers), as is "## What she kept".
    assert [words(heading) for heading in body.select("h2")] == ["The Harbour Master's Notebook", "What she kept"]
    assert body.select_one("b").get_text() == "without fail" and body.select_one("i").get_text() == "every"
    assert link_targets(main, "her notebook") == ["https://museum.example/notebook"]
    assert body_paragraphs(response)[1:8] == [
        "• Tide times",
        "• Ships in harbour",
        "\u2003\u2003◦ Trawlers, by name",
        "\u2003\u2003◦ Ferries, by the hour",
        "• The weather",
        "1. Read the tide",
        "2. Ring the bell",
    ]
    quote = body.select_one("figure.pull-quote")
    assert words(quote.blockquote) == "The sea keeps no diary, so I keep one for it."
    assert words(quote.figcaption) == "Annie Pike"
    figure = body.select_one("figure.inline-image")
    assert figure.img["alt"] == "The notebook's first page"
    text = main_text(response)
    assert "She wrote high_water as one word, and a_b stayed a_b." in text
    # Ghost highlights ==words==; our paragraphs have no highlight, so the words stay without the equals signs.
    assert "She marked the spring tides twice." in text
    # Markdown refuses a javascript: address and shows the brackets as written, as Ghost did: no link.
    assert "[Nothing here](javascript:alert(1)) runs." in text
    assert [link["href"] for link in main.select("a[href]") if "javascript" in link["href"]] == []
    assert "Kept in the museum" in text  # the card's unclosed HTML swallowed nothing and showed its words
    # A footnote: its number where it was, the note at the end, its bare address a link (Ghost's linkify).
    paragraphs = body_paragraphs(response)
    assert paragraphs[0].endswith("put her notebook online.[1]")
    assert paragraphs[-1] == "1. Open on Sundays: https://museum.example/hours"
    assert link_targets(main, "https://museum.example/hours") == ["https://museum.example/hours"]


def test_a_ghost_6_markdown_card_and_a_list_inside_a_list_item_read_as_ghost_showed_them(ghost_6, anonymous):
    response = anonymous.get(KEEPERS_LISTS_URL)

    main = parsed(response).select_one("main")
    assert body_paragraphs(response) == [
        "Every night the keeper went up one hundred and twelve steps.",
        "• Paraffin",
        "\u2003\u2003◦ Five gallons a week",
        "\u2003\u2003◦ More in winter",
        "• Matches",
        "1. Trim the wicks",
        "2. Polish the lens",
        "\u2003\u20031. With chamois, never cloth",
        "\u2003\u20032. Twice in fog",
        "3. Wind the clock",
        "The lens in 1960",
        "See the keeper's diary and",
        "The lamp was electrified in 1964.",
    ]
    assert [words(heading) for heading in main.select(".article-body h2")] == ["The keeper's own list"]
    assert words(main.select_one(".article-body figure.pull-quote blockquote")) == (
        "Keep the light, and the light keeps you."
    )
    assert link_targets(main, "the keeper's diary") == ["https://archive.example/diary"]
    # The Markdown's picture was not in the export folder: a link to it on the old site.
    assert link_targets(main, "The lens in 1960") == ["https://old.example/content/images/2025/09/lens.jpg"]


def test_a_paid_lexical_post_shows_outsiders_what_stood_above_its_paywall_card(sections, tmp_path, anonymous):
    export = json.loads(GHOST_6.read_text())
    post = next(post for post in export["db"][0]["data"]["posts"] if post["slug"] == "forty-years-of-logbooks")
    post["visibility"] = "paid"
    paid = tmp_path / "ghost.json"
    paid.write_text(json.dumps(export, indent=2))

    run_import("import_ghost", paid)

    text = main_text(anonymous.get(LOGBOOKS_URL))
    assert "The lighthouse keeper kept forty years of logbooks" in text
    assert "Storms are entered in red ink" in text  # above the card: the paragraphs Ghost showed anyone
    assert "She retired in 1990." not in text and "The rest of this article is for subscribers" in text
    # Every paragraph above the card: its list items, callout, toggle and bookmark are paragraphs here too.
    assert ArticlePage.objects.get(slug="forty-years-of-logbooks").teaser_paragraphs == 12
