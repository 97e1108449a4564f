"""Another platform's article HTML turned into our body blocks; nothing of it is trusted.

Paragraphs keep bold, italic and links (http, https, mailto and relative only; nh3 cleans each one);
headings, quotes, lists, tables and code become plain text in our blocks; pictures become image
blocks when their file came with the export, or links to where they were. Scripts, styles, frames,
forms and embeds are dropped and counted, so the report says what was left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

import nh3
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from django.urls import reverse
from django.utils.html import escape

from masthead.content.blocks import HEADING, IMAGE, PAGE_BREAK, PARAGRAPH, PULL_QUOTE

# Where a members' post's public preview ends, as Ghost renders its paywall card (ghost_cards writes the same for
# Lexical and Mobiledoc): site.py makes the paragraphs above it the article's teaser. A comment: read as nothing.
PAYWALL_MARKER = "<!--members-only-->"

DROPPED = {
    "script", "style", "iframe", "object", "embed", "form", "noscript", "svg", "video", "audio", "canvas",
    "template", "button", "input", "select", "textarea", "link", "meta", "head", "title", "math", "frame",
    "frameset", "applet", "base",
}  # fmt: skip
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
CONTAINERS = {"div", "section", "article", "main", "header", "footer", "aside", "center", "body", "html", "details"}
INLINE_TAGS = {"b", "strong", "i", "em", "a"}
MEDIA = {"video", "audio"}  # kept as a link to their file when they name one; otherwise dropped like embeds
LISTS = {"ul", "ol"}
LIST_INDENT = "\u2003\u2003"  # two em spaces per level below the first
BULLETS = ("•", "◦", "▪")
MAX_DEPTH = 40  # deeper nesting is read as text: no recursion limit for a hostile file to hit
HEADING_LIMIT, CAPTION_LIMIT, ATTRIBUTION_LIMIT = 200, 300, 200
BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
BLANK_LINE = re.compile(r"\n\s*\n")
SPACES = re.compile(r"\s+")
ATTRIBUTION = re.compile(r"^[—–―-]+\s*")
PORTAL_LINK = re.compile(r'href="(?P<site>[^"#]*)#/portal(?P<page>/[^"]*)?"')  # Ghost's sign-up and sign-in pop-up

# Finds the picture for an <img>: (src, alt, caption) -> an image's id, or None when its file is absent.
ImageFinder = Callable[[str, str, str], int | None]


def clean_inline(html: str) -> str:
    """Inline HTML reduced to what our paragraphs allow: <b>, <i> and <a href>, all else as escaped text."""
    html = BREAK.sub(" ", html)
    cleaned = nh3.clean(
        html,
        tags=INLINE_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    cleaned = re.sub(r"<a>(.*?)</a>", r"\1", cleaned)  # a link whose address was refused keeps its words
    cleaned = re.sub(r"<(/?)strong>", r"<\1b>", cleaned)
    cleaned = re.sub(r"<(/?)em>", r"<\1i>", cleaned)
    return SPACES.sub(" ", cleaned).strip()


def plain_text(node: Tag | str) -> str:
    text = node.get_text(" ") if isinstance(node, Tag) else str(node)
    return SPACES.sub(" ", text).strip()


@dataclass
class Body:
    """The blocks built so far and what was left out (by kind), for the report."""

    blocks: list[dict] = field(default_factory=list)
    left_out: Counter = field(default_factory=Counter)

    @property
    def paragraph_count(self) -> int:
        return sum(1 for block in self.blocks if block["type"] == PARAGRAPH)


class BodyBuilder:
    """Walks parsed HTML once, keeping inline runs together until a block-level element ends them."""

    def __init__(self, find_image: ImageFinder | None, old_site_url: str = ""):
        self.find_image = find_image
        self.old_site_url = old_site_url.rstrip("/")
        self.body = Body()
        self.inline: list[str] = []

    # -- blocks ---------------------------------------------------------------------------------

    def paragraph(self, html: str, lead: str = "") -> None:
        """A paragraph of inline HTML, cleaned; `lead` (a list item's indent and marker) is ours, put before it."""
        # Ghost's links to its own posts become relative, so they reach the old paths' redirects here.
        cleaned = clean_inline(self.portal_links(html.replace("__GHOST_URL__", "")))
        if re.sub(r"<[^>]+>", "", cleaned).strip():
            self.body.blocks.append({"type": PARAGRAPH, "value": f"<p>{lead}{cleaned}</p>"})

    def portal_links(self, html: str) -> str:
        """Links to Ghost's Portal (`#/portal/signup`…) lead to our pages for the same thing, or lose the link."""

        def ours(link: re.Match) -> str:
            if link["site"].rstrip("/") not in ("", self.old_site_url):
                return link.group(0)  # another Ghost site's
            address = portal_address(link["page"] or "")
            return f'href="{address}"' if address else ""

        return PORTAL_LINK.sub(ours, html)

    def flush(self) -> None:
        if self.inline:
            self.paragraph("".join(self.inline))
            self.inline = []

    def text_block(self, kind: str, text: str, limit: int) -> None:
        if text:
            self.body.blocks.append({"type": kind, "value": text[:limit]})

    def page_break(self) -> None:
        self.flush()
        if self.body.blocks and self.body.blocks[-1]["type"] != PAGE_BREAK:
            self.body.blocks.append({"type": PAGE_BREAK, "value": None})

    def picture(self, img: Tag, caption: str) -> None:
        src = (img.get("src") or "").strip()
        alt = plain_text(img.get("alt") or "")
        caption = caption[:CAPTION_LIMIT]
        image_id = self.find_image(src, alt, caption) if (self.find_image and src) else None
        if image_id is not None:
            self.body.blocks.append({"type": IMAGE, "value": {"image": image_id, "caption": caption}})
            return
        self.body.left_out["picture kept as a link"] += 1
        words = escape(caption or alt or "Picture")
        url = src.replace("__GHOST_URL__", self.old_site_url)
        if url.startswith(("http://", "https://")):
            self.paragraph(f'<a href="{escape(url)}">{words}</a>')
        else:
            self.paragraph(f"Picture: {words}")

    # -- the walk -------------------------------------------------------------------------------

    def walk(self, node: Tag, depth: int = 0) -> None:
        for child in list(node.children):
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                parts = BLANK_LINE.split(str(child))
                for index, part in enumerate(parts):
                    if index:
                        self.flush()  # a blank line ends a paragraph, as WordPress's autop reads it
                    self.inline.append(escape(part))
                continue
            if not isinstance(child, Tag):
                continue
            self.element(child, depth)

    def element(self, tag: Tag, depth: int) -> None:
        name = tag.name.lower()
        if name in MEDIA and self.media_address(tag):
            self.flush()
            self.media(name, tag)
        elif name in DROPPED:
            self.flush()
            if not (name == "button" and not plain_text(tag)):  # a button of no words is an icon (Ghost's toggle)
                self.body.left_out[name] += 1
        elif depth > MAX_DEPTH:
            self.inline.append(escape(plain_text(tag)))
        elif name == "p":
            self.flush()
            for img in tag.find_all("img"):
                self.picture(img.extract(), "")
            self.paragraph(tag.decode_contents())
        elif name in HEADINGS:
            self.flush()
            self.text_block(HEADING, plain_text(tag), HEADING_LIMIT)
        elif name == "blockquote":
            self.flush()
            self.quote(tag)
        elif name == "figure":
            self.flush()
            self.figure(tag, depth)
        elif name == "img":
            self.flush()
            self.picture(tag, "")
        elif name in LISTS:
            self.flush()
            self.list_items(tag, depth, level=0)
        elif name == "pre":
            self.flush()
            self.paragraph(escape(tag.get_text()))
        elif name == "table":
            self.flush()
            for row in tag.find_all("tr"):
                self.paragraph(escape(" | ".join(plain_text(cell) for cell in row.find_all(["th", "td"]))))
        elif name == "hr":
            self.flush()
        elif "kg-callout-card" in (tag.get("class") or []):
            self.flush()
            self.callout(tag, depth)
        elif name in CONTAINERS or tag.find(["p", "figure", "img", "blockquote", *HEADINGS]):
            # A block-level wrapper (or an inline one around pictures): what is inside decides.
            self.flush()
            self.walk(tag, depth + 1)
            self.flush()
        else:
            self.inline.append(str(tag))

    def media_address(self, tag: Tag) -> str:
        """A <video> or <audio>'s file on the old site (Ghost's own addresses made absolute), if it names one."""
        source = tag.get("src") or next((s.get("src") for s in tag.find_all("source") if s.get("src")), "")
        url = str(source or "").strip().replace("__GHOST_URL__", self.old_site_url)
        return url if url.startswith(("http://", "https://")) else ""

    def media(self, name: str, tag: Tag) -> None:
        """A video or a recording: a link to its file, named by its file name (the caption follows, if any)."""
        url = self.media_address(tag)
        self.body.left_out[f"{name} kept as a link"] += 1
        file_name = urlparse(url).path.rstrip("/").rsplit("/", 1)[-1] or url
        self.paragraph(f'<a href="{escape(url)}">{escape(unquote(file_name))}</a>')

    def list_items(self, tag: Tag, depth: int, level: int) -> None:
        """A paragraph per item, in order; a list inside an item follows it a level further in, shown by its indent.

        Our paragraphs hold no lists, so the level is in the words: em spaces, then •, ◦ or ▪ (or the item's number).
        """
        ordered = tag.name.lower() == "ol"
        start = str(tag.get("start") or "1").strip()
        number = int(start) if start.isdecimal() and len(start) < 10 else 1
        for child in tag.children:
            if not isinstance(child, Tag):
                continue
            if child.name.lower() in LISTS:  # a list straight inside a list, as old editors wrote nested ones
                self.nested_list(child, depth + 1, level + 1)
                continue
            if child.name.lower() != "li":
                continue
            own, nested = [], []
            for part in child.children:
                if isinstance(part, Comment):
                    continue
                if isinstance(part, Tag) and part.name.lower() in LISTS:
                    nested.append(part)
                elif isinstance(part, Tag):
                    own.append(part.decode_contents() + "<br>" if part.name.lower() == "p" else part.decode())
                else:
                    own.append(escape(str(part)))
            marker = f"{number}." if ordered else BULLETS[min(level, len(BULLETS) - 1)]
            before = len(self.body.blocks)
            self.paragraph("".join(own), lead=LIST_INDENT * level + escape(marker) + " ")
            if len(self.body.blocks) > before and ordered:
                number += 1  # an item holding only a list (Lexical writes nesting so) has no number of its own
            for inner in nested:
                self.nested_list(inner, depth + 1, level + 1)

    def nested_list(self, tag: Tag, depth: int, level: int) -> None:
        if depth > MAX_DEPTH:
            self.paragraph(escape(plain_text(tag)))
        else:
            self.list_items(tag, depth, level)

    def quote(self, tag: Tag) -> None:
        attribution = ""
        cite = tag.find(["cite", "footer"])
        paragraphs = tag.find_all("p", recursive=False)
        if cite is not None:
            attribution = plain_text(cite.extract())
        elif len(paragraphs) > 1 and ATTRIBUTION.match(plain_text(paragraphs[-1])):
            # "> — Annie Pike" closing a Markdown quote: its last paragraph, a dash first, names who said it.
            attribution = ATTRIBUTION.sub("", plain_text(paragraphs[-1].extract()))
        quote = plain_text(tag)
        if quote:
            self.body.blocks.append(
                {"type": PULL_QUOTE, "value": {"quote": quote, "attribution": attribution[:ATTRIBUTION_LIMIT]}}
            )

    def callout(self, tag: Tag, depth: int) -> None:
        """Ghost's callout card: its emoji before its first words, as Ghost shows it, not a paragraph of its own."""
        emoji_tag = tag.find(class_="kg-callout-emoji")
        emoji = plain_text(emoji_tag.extract()) if emoji_tag is not None else ""
        if emoji:
            place = tag.find(class_="kg-callout-text") or tag
            while place.name != "p" and (inner := leading_tag(place)) is not None and inner.name in {"p", *CONTAINERS}:
                place = inner  # into its first paragraph, through the boxes around it
            place.insert(0, f"{emoji} ")
        self.walk(tag, depth + 1)
        self.flush()

    def figure(self, tag: Tag, depth: int) -> None:
        # Its own caption, not one of the figures inside it (WordPress's gallery block nests a figure per picture).
        caption_tag = next((c for c in tag.find_all("figcaption") if c.find_parent("figure") is tag), None)
        caption = plain_text(caption_tag.extract()) if caption_tag is not None else ""
        images = tag.find_all("img")
        if images and tag.find("figure") is not None:
            self.walk(tag, depth + 1)  # each picture with its own caption, then the gallery's
            self.flush()
            if caption:
                self.paragraph(escape(caption))
            return
        if images:
            for number, img in enumerate(images, 1):
                self.picture(img, caption if number == len(images) else "")  # a gallery's caption once, under it
            return
        bookmark = tag.find("a", href=True)
        if "kg-bookmark-card" in (tag.get("class") or []) and bookmark is not None:
            title = tag.find(class_="kg-bookmark-title")
            self.paragraph(f'<a href="{escape(bookmark["href"])}">{escape(plain_text(title or bookmark))}</a>')
            return
        self.walk(tag, depth + 1)
        self.flush()
        if caption:
            self.paragraph(escape(caption))


def portal_address(page: str) -> str:
    """Our address for a page of Ghost's Portal, or "" for one we have no page like (support, recommendations)."""
    page = page.strip("/")
    if page.startswith("signin"):
        return reverse("account_login")
    if page.startswith("signup/free"):
        return reverse("account_signup")
    if page in ("", "signup") or page.startswith(("signup/", "offers", "account/plans")):
        return reverse("subscribe")
    if page.startswith("account"):
        return reverse("account")
    return ""


def leading_tag(node: Tag) -> Tag | None:
    """The element a node starts with, if it starts with one (blank text and comments before it aside)."""
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, Tag):
            return child
        if str(child).strip():
            return None
    return None


def body_from_html(pages: list[str], *, find_image: ImageFinder | None = None, old_site_url: str = "") -> Body:
    """Our body blocks for an article's HTML, one string per web page, page breaks between them."""
    builder = BodyBuilder(find_image, old_site_url)
    for number, html in enumerate(pages):
        if number:
            builder.page_break()
        builder.walk(BeautifulSoup(html, "html.parser"))
        builder.flush()
    blocks = builder.body.blocks
    while blocks and blocks[-1]["type"] == PAGE_BREAK:
        blocks.pop()
    return builder.body
