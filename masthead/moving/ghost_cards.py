"""A Ghost post's body as HTML when the export has no rendered `html`: its Lexical (Ghost 5, 6) or Mobiledoc (Ghost 4).

Ghost's exporter writes every column of `posts`, and Ghost renders `html` from the Lexical or Mobiledoc
each time it saves a post, so an export from Ghost itself carries it. Ghost JSON written by Ghost's
migration tools (TryGhost/migrate) has `lexical` or `mobiledoc` and no `html`: Ghost renders it on
import, and so do we, here. Nothing of it is trusted: every text is escaped here, an HTML card's markup
is only balanced (so it cannot swallow what follows), and the whole is cleaned by html_body like
Ghost's own HTML. Cards we cannot show become links or are left out, counted for the report; a card
type we do not know keeps its words and is named in the report.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag
from django.utils.html import escape
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from masthead.moving.html_body import HEADINGS, MAX_DEPTH, PAYWALL_MARKER, plain_text
from masthead.moving.markdown_mark import mark_plugin

BOLD, ITALIC = 1, 2  # Lexical's text format bits (strikethrough, underline, code… are read as plain text)
GHOST_URL = "__GHOST_URL__"
# Keys of a card's settings that never hold words a reader sees (for cards we do not know).
NOT_WORDS = re.compile(
    r"(src|url|href|color|colour|width|height|alignment|layout|size|type|style|version|format"
    r"|direction|indent|mode|detail|id|language|emoji|duration|loop|rel|target)$",
    re.IGNORECASE,
)
ADDRESS = re.compile(rf"^(https?:|mailto:|/|#|{GHOST_URL})", re.IGNORECASE)


@dataclass
class GhostBody:
    """A post's body as HTML for html_body, where it was read from, and what the report should say."""

    html: str = ""
    source: str = ""  # "html", "lexical", "mobiledoc", "plaintext", or "" for none
    left_out: Counter = field(default_factory=Counter)  # cards shown as links or left out, by kind
    unknown_cards: Counter = field(default_factory=Counter)  # card types we do not know, kept as words
    problems: list[str] = field(default_factory=list)

    def notes(self) -> Counter:
        """The report's note of where the body was read from (the cards kept as links or left out are `left_out`)."""
        notes: Counter = Counter()
        if self.source in ("lexical", "mobiledoc", "plaintext"):
            notes[f"post bodies read from their {self.source} (the export had no html for them)"] += 1
        return notes

    def problems_to_name(self) -> list[str]:
        """What the report names the post for: an unreadable document, cards we do not know."""
        unknown = [
            f"has {number} × a card Ghost calls {kind!r} that we do not read; its words were kept"
            for kind, number in sorted(self.unknown_cards.items())
        ]
        return [*self.problems, *unknown]


def post_body(row: dict, *, site_url: str = "") -> GhostBody:
    """The post's body: Ghost's rendered html first, then its Lexical, its Mobiledoc, its plaintext."""
    html = row.get("html")
    if html and (not isinstance(html, str) or html.strip()):
        body = GhostBody(source="html")  # as Ghost wrote it (what is not text fails in html_body, named)
        body.html = CardReader(body, site_url).rendered_cards(html) if isinstance(html, str) else html
        return body
    problems = []
    for source in ("lexical", "mobiledoc"):
        document = row.get(source)
        if not document:
            continue
        body = GhostBody(source=source, problems=problems)
        reader = CardReader(body, site_url)
        try:
            parsed = json.loads(document) if isinstance(document, str) else document
            body.html = reader.lexical(parsed) if source == "lexical" else reader.mobiledoc(parsed)
        except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
            problems.append(f"its {source} could not be read (it is not the JSON Ghost writes)")
            continue
        if words(body.html) or "<img" in body.html:
            return body
    plaintext = row.get("plaintext")
    if isinstance(plaintext, str) and plaintext.strip():
        paragraphs = "".join(f"<p>{escape(part)}</p>" for part in plaintext.split("\n\n") if part.strip())
        return GhostBody(html=paragraphs, source="plaintext", problems=problems)
    return GhostBody(problems=problems)


class CardReader:
    """Lexical and Mobiledoc to HTML; both keep a card's settings under the same names, read by `card`."""

    def __init__(self, body: GhostBody, site_url: str):
        self.body = body
        self.site_url = site_url.rstrip("/")

    # -- Lexical (Ghost 5 and 6) ------------------------------------------------------------------

    def lexical(self, document: dict) -> str:
        return self.nodes(document["root"].get("children"), 0)

    def nodes(self, children, depth: int) -> str:
        return "".join(self.node(child, depth + 1) for child in children or [] if isinstance(child, dict))

    def node(self, node: dict, depth: int) -> str:
        kind = str(node.get("type") or "")
        children = node.get("children") if isinstance(node.get("children"), list) else None
        if depth > MAX_DEPTH:
            return f"<p>{escape(all_words(node))}</p>"
        if kind in ("text", "extended-text"):
            return formatted(escape(str(node.get("text") or "")), node.get("format"))
        if kind in ("linebreak", "extended-linebreak"):
            return "<br>"
        if kind == "tab":
            return " "
        if kind in ("link", "autolink"):
            return f'<a href="{escape(self.address(node.get("url")))}">{self.nodes(children, depth)}</a>'
        if kind in ("paragraph", "extended-paragraph"):
            return f"<p>{self.nodes(children, depth)}</p>"
        if kind in ("heading", "extended-heading"):
            tag = node.get("tag") if node.get("tag") in HEADINGS else "h2"
            return f"<{tag}>{self.nodes(children, depth)}</{tag}>"
        if kind in ("quote", "extended-quote", "aside"):  # "aside" is Ghost's other quote style
            return f"<blockquote>{self.nodes(children, depth)}</blockquote>"
        if kind == "list":
            tag = "ol" if node.get("listType") == "number" or node.get("tag") == "ol" else "ul"
            return f"<{tag}>{self.nodes(children, depth)}</{tag}>"
        if kind == "listitem":
            return f"<li>{self.nodes(children, depth)}</li>"
        if kind == "horizontalrule":
            return "<hr>"
        if (card := self.card(kind, node)) is not None:
            return card
        self.body.unknown_cards[kind or "(no type)"] += 1
        if children is not None:
            return f"<div>{self.nodes(children, depth)}</div>"
        if isinstance(node.get("text"), str):
            return escape(node["text"])
        return self.words_of(node)

    # -- Mobiledoc (Ghost 4) ----------------------------------------------------------------------

    def mobiledoc(self, document: dict) -> str:
        markups, atoms, cards = document.get("markups") or [], document.get("atoms") or [], document.get("cards") or []
        html = []
        for section in document.get("sections") or []:
            if not isinstance(section, list) or not section:
                continue
            kind = section[0]
            if kind == 1 and len(section) >= 3:  # a markup section: [1, "p", markers]
                tag = str(section[1]).lower()
                tag = tag if tag in HEADINGS else "blockquote" if tag in ("blockquote", "aside") else "p"
                html.append(f"<{tag}>{self.markers(section[2], markups, atoms)}</{tag}>")
            elif kind == 2 and len(section) >= 2:  # an image section: [2, src]
                html.append(figure(section[1], "", ""))
            elif kind == 3 and len(section) >= 3:  # a list section: [3, "ul", [markers, …]]
                tag = "ol" if str(section[1]).lower() == "ol" else "ul"
                items = "".join(f"<li>{self.markers(item, markups, atoms)}</li>" for item in section[2] or [])
                html.append(f"<{tag}>{items}</{tag}>")
            elif kind == 10 and len(section) >= 2:  # a card section: [10, index into cards]
                html.append(self.mobiledoc_card(at(cards, section[1])))
        return "".join(html)

    def mobiledoc_card(self, card) -> str:
        """A card [name, settings]; Mobiledoc's older names for two cards are Lexical's now."""
        if not (isinstance(card, list) and card and isinstance(card[-1], dict)):
            return ""
        name = {"card-markdown": "markdown", "code": "codeblock"}.get(str(card[0]), str(card[0]))
        known = self.card(name, card[-1])
        if known is not None:
            return known
        self.body.unknown_cards[name or "(no type)"] += 1
        return self.words_of(card[-1])

    def markers(self, markers, markups: list, atoms: list) -> str:
        """One section's markers: [0 text or 1 atom, markups opened, how many close, value]."""
        html, closing = [], []
        for marker in markers if isinstance(markers, list) else []:
            if not isinstance(marker, list) or len(marker) < 4:
                continue
            kind, opened, closed, value = marker[:4]
            for index in opened if isinstance(opened, list) else []:
                start, end = self.markup(at(markups, index))
                html.append(start)
                closing.append(end)
            if kind == 1:
                atom = at(atoms, value)
                if isinstance(atom, list) and atom:
                    html.append("<br>" if atom[0] == "soft-return" else escape(str(atom[1] if len(atom) > 1 else "")))
            else:
                html.append(escape(str(value)))
            for _ in range(min(closed if isinstance(closed, int) else 0, len(closing))):
                html.append(closing.pop())
        html.extend(reversed(closing))
        return "".join(html)

    def markup(self, markup) -> tuple[str, str]:
        if not isinstance(markup, list) or not markup:
            return "", ""
        tag = str(markup[0]).lower()
        attributes = markup[1] if len(markup) > 1 and isinstance(markup[1], list) else []
        if tag in ("strong", "b"):
            return "<strong>", "</strong>"
        if tag in ("em", "i"):
            return "<em>", "</em>"
        if tag == "a":
            pairs = dict(zip(attributes[::2], attributes[1::2], strict=False))
            return f'<a href="{escape(self.address(pairs.get("href")))}">', "</a>"
        return "", ""  # code, s, u, sub, sup: their words stay, plain

    # -- cards, as both formats keep them ---------------------------------------------------------

    def card(self, kind: str, card: dict) -> str | None:
        """A card Ghost's editor makes, as HTML; None for a kind we do not know."""
        metadata = card.get("metadata") if isinstance(card.get("metadata"), dict) else {}
        if kind == "hr":
            return "<hr>"
        if kind == "image":
            return figure(card.get("src"), words(card.get("alt")), words(card.get("caption")))
        if kind == "gallery":
            caption = words(card.get("caption"))
            return "".join(
                figure(image.get("src"), words(image.get("alt")), words(image.get("caption")) or caption)
                for image in card.get("images") or []
                if isinstance(image, dict)
            )
        if kind == "html":
            return balanced(card.get("html"))
        if kind == "markdown":
            return markdown_html(str(card.get("markdown") or ""))
        if kind == "codeblock":
            return f"<pre>{escape(str(card.get('code') or ''))}</pre>"
        if kind == "callout":  # as Ghost renders it, so html_body reads it one way
            emoji = f'<div class="kg-callout-emoji">{escape(words(card.get("calloutEmoji")))}</div>'
            text = f'<div class="kg-callout-text">{balanced(card.get("calloutText"))}</div>'
            return f'<div class="kg-callout-card">{emoji}{text}</div>'
        if kind == "toggle":
            return f"<p><strong>{escape(words(card.get('heading')))}</strong></p>{balanced(card.get('content'))}"
        if kind == "header":
            return f"<h2>{escape(words(card.get('header')))}</h2><p>{escape(words(card.get('subheader')))}</p>"
        if kind == "product":
            return f"<h3>{escape(words(card.get('productTitle')))}</h3>{balanced(card.get('productDescription'))}"
        if kind == "bookmark":
            return self.link(card.get("url"), words(metadata.get("title")) or words(card.get("caption")))
        if kind == "embed":
            title = words(card.get("caption")) or words(metadata.get("title"))
            return self.kept_as_link("embed", card.get("url"), title)
        if kind == "button":
            if "#/portal" in str(card.get("buttonUrl") or ""):
                self.body.left_out["button to Ghost's sign-up"] += 1
                return ""
            return self.kept_as_link("button", card.get("buttonUrl"), words(card.get("buttonText")))
        if kind == "audio":
            return self.kept_as_link("audio", card.get("src"), words(card.get("title")))
        if kind == "video":
            title = words(card.get("caption")) or words(card.get("fileName"))
            return self.kept_as_link("video", card.get("src"), title)
        if kind == "file":
            title = words(card.get("fileTitle")) or words(card.get("fileName"))
            caption = words(card.get("fileCaption"))
            return self.kept_as_link("file", card.get("src"), title) + (f"<p>{escape(caption)}</p>" if caption else "")
        if kind == "signup":
            self.body.left_out["sign-up form"] += 1
            return ""
        if kind in ("email", "email-cta"):
            self.body.left_out["email-only content"] += 1  # Ghost shows it in the newsletter, not on the site
            return ""
        if kind == "paywall":
            return PAYWALL_MARKER  # where Ghost's public preview ends, as Ghost renders it: the article's teaser
        return None

    # -- the cards in the html Ghost rendered ----------------------------------------------------

    def rendered_cards(self, html: str) -> str:
        """Ghost's rendered media, embed and sign-up cards as the same links (or nothing) their Lexical gives.

        Ghost renders a player's controls ("0:00", "1×"), icons and forms into the post's html; read as they are
        they would be stray words. Other cards are left for html_body, which reads Ghost's html like any other.
        """
        if not any(name in html for name in RENDERED_CARDS):
            return html
        document = BeautifulSoup(html, "html.parser")
        # Each card read is emptied and marked, and its HTML put in when the page is written out: replacing it in
        # its parent's list of children, or parsing its HTML, once a card would make a page of cards quadratic.
        marker, replacements = f"card-{uuid.uuid4().hex}-", []
        boxes = [document]  # walked without recursion, and never into a card once it is read
        while boxes:
            for element in list(boxes.pop().children):
                if not isinstance(element, Tag):
                    continue
                replacement = self.rendered_card(element) if RENDERED_CARDS & set(element.get("class") or []) else None
                if replacement is None:
                    boxes.append(element)
                else:
                    element.clear()
                    element.name, element.attrs = "div", {}
                    element.append(f"{marker}{len(replacements)}.")
                    replacements.append(replacement)
        return re.sub(rf"{marker}(\d+)\.", lambda found: replacements[int(found[1])], str(document))

    def rendered_card(self, card: Tag) -> str | None:
        classes = set(card.get("class") or [])
        caption = words_in(card, "figcaption", recursive=False)
        if "kg-signup-card" in classes:
            self.body.left_out["sign-up form"] += 1
            return ""
        if "kg-audio-card" in classes:
            title = words_in(card, class_="kg-audio-title")
            return self.kept_as_link("audio", media_source(card.find("audio")), title)
        if "kg-video-card" in classes:
            source = media_source(card.find("video"))
            return self.kept_as_link("video", source, caption or source.rstrip("/").rsplit("/", 1)[-1])
        if "kg-file-card" in classes:
            link = card.find("a", href=True)
            title = words_in(card, class_="kg-file-card-title") or words_in(card, class_="kg-file-card-filename")
            about = words_in(card, class_="kg-file-card-caption")
            return self.kept_as_link("file", link["href"] if link else "", title) + (
                f"<p>{escape(about)}</p>" if about else ""
            )
        frame = card.find("iframe", src=True, recursive=False)
        if "kg-embed-card" in classes and frame is not None:
            return self.kept_as_link("embed", frame["src"], caption)
        return None  # an embed of quoted text (a post on a social site) reads as a quote with its link

    def link(self, url, words_: str) -> str:
        address = self.address(url)
        if not address:
            return f"<p>{escape(words_)}</p>" if words_ else ""
        return f'<p><a href="{escape(address)}">{escape(words_ or address)}</a></p>'

    def kept_as_link(self, kind: str, url, words_: str) -> str:
        self.body.left_out[f"{kind} kept as a link"] += 1
        return self.link(url, words_)

    def address(self, url) -> str:
        """A link's address; Ghost's own (__GHOST_URL__) stays relative unless the old site's address is known."""
        url = url.strip() if isinstance(url, str) else ""
        if url.startswith(GHOST_URL) and self.site_url and "/content/" in url:
            return self.site_url + url[len(GHOST_URL) :]  # media files stay on the old site
        return url

    def words_of(self, card: dict) -> str:
        return "".join(f"<p>{escape(text)}</p>" for text in card_words(card))


RENDERED_CARDS = {"kg-signup-card", "kg-audio-card", "kg-video-card", "kg-file-card", "kg-embed-card"}


def words_in(card: Tag, name=None, class_=None, recursive: bool = True) -> str:
    """The words of the first element inside a rendered card with that tag name or class, or "".

    Searched only once per card replaced (and only among a card's children where a card may be walked into).
    """
    found = card.find(name, class_=class_, recursive=recursive) if class_ else card.find(name, recursive=recursive)
    return plain_text(found) if found is not None else ""


def media_source(player) -> str:
    """The file an <audio> or <video> plays: its src, or its first <source>'s."""
    if player is None:
        return ""
    source = player.get("src") or next((s.get("src") for s in player.find_all("source") if s.get("src")), "")
    return str(source or "")


def at(items: list, index):
    """Mobiledoc's item at an index the file gives, or None when the index is not one."""
    return items[index] if isinstance(index, int) and 0 <= index < len(items) else None


def figure(src, alt: str, caption: str) -> str:
    if not isinstance(src, str) or not src.strip():
        return f"<p>{escape(caption)}</p>" if caption else ""
    caption_html = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{escape(src.strip())}" alt="{escape(alt)}">{caption_html}</figure>'


def formatted(html: str, format_bits) -> str:
    bits = format_bits if isinstance(format_bits, int) else 0
    if bits & ITALIC:
        html = f"<em>{html}</em>"
    if bits & BOLD:
        html = f"<strong>{html}</strong>"
    return html


def words(value) -> str:
    """The words of a setting that may hold HTML (Ghost's captions do), whitespace collapsed."""
    if not isinstance(value, str) or not value.strip():
        return ""
    return plain_text(BeautifulSoup(value, "html.parser") if "<" in value else value)


def balanced(html) -> str:
    """An HTML card's markup with every tag closed, in its own box: cleaned later by html_body, as Ghost's HTML is."""
    if not isinstance(html, str) or not html.strip():
        return ""
    return f"<div>{BeautifulSoup(html, 'html.parser')}</div>"


def all_words(node) -> str:
    """Every text in a nested node, without recursion (for nesting too deep to walk)."""
    found, stack = [], [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("text"), str):
                found.append(item["text"])
            children = item.get("children")
            stack.extend(reversed(children) if isinstance(children, list) else [])
    return plain_text(" ".join(found))


def card_words(card: dict) -> list[str]:
    """The words in a card we do not know: its settings that are text, not addresses or layout."""
    found, stack = [], [(None, card, 0)]
    while stack:
        key, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, dict):
            stack.extend((k, v, depth + 1) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((key, v, depth + 1) for v in reversed(value))
        elif isinstance(value, str) and not (key and NOT_WORDS.search(str(key))) and not ADDRESS.match(value):
            text = words(value)
            if text:
                found.append(text)
    return found


# -- Markdown cards (Ghost 1's posts became one such card each) ---------------------------------------

# Ghost renders a Markdown card with markdown-it (html, breaks, linkify, footnotes, lazy headers, mark:
# TryGhost/Koenig's kg-markdown-html-renderer); markdown-it-py is its port, so a card reads here as it did there.
# GFM's autolinks stand in for linkify; ==mark== is a highlight (markdown_mark: its words kept, the tag dropped).
# A footnote's mark is its number in brackets (our paragraphs hold no anchors to jump to) and the notes are a
# numbered list at the end, without the ↩ back.
MARKDOWN = (
    MarkdownIt("js-default", {"html": True, "breaks": True})
    .use(footnote_plugin)
    .use(gfm_autolink_plugin)
    .use(mark_plugin)
)
MARKDOWN.add_render_rule("footnote_ref", lambda self, tokens, idx, options, env: f"[{tokens[idx].meta['id'] + 1}]")
MARKDOWN.add_render_rule("footnote_anchor", lambda self, tokens, idx, options, env: "")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
LAZY_HEADING = re.compile(r"^( {0,3}#{1,6})(?=[^#\s])")


def markdown_html(text: str) -> str:
    """A Markdown card as Ghost rendered it, in its own box (its raw HTML balanced) for html_body to clean."""
    return balanced(MARKDOWN.render(lazy_headings(text)))


def lazy_headings(text: str) -> str:
    """`#Heading` without a space is a heading to Ghost (markdown-it-lazy-headers), outside fenced code."""
    lines, in_code = [], False
    for line in text.replace("\r\n", "\n").split("\n"):
        if FENCE.match(line):
            in_code = not in_code
        lines.append(line if in_code else LAZY_HEADING.sub(r"\1 ", line))
    return "\n".join(lines)
