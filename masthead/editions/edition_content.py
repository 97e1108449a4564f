"""What an issue's articles say, gathered once for both editions: plain values their templates escape.

epub.py and pdf.py differ in how they hold pictures (files in the book, or URLs lent to WeasyPrint)
and in how rich text must be written (XHTML, or HTML for print); each passes those two in. Page
breaks split articles on the web only: editions leave them out.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from masthead.content.blocks import HEADING, IMAGE, PAGE_BREAK, PARAGRAPH, PULL_QUOTE
from masthead.content.models import ArticlePage, CreditedImage

# What an article's rich text may keep in an edition: inline emphasis and links.
RICH_TEXT_TAGS = {"p", "br", "b", "strong", "i", "em", "a", "sub", "sup"}
# Characters XML 1.0 forbids: C0 controls but tab, newline and return; lone surrogates; U+FFFE and U+FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text an XML document can hold: the control characters word processors paste (\\x0b, \\x0c) left out."""
    return NOT_XML.sub("", text or "")


@dataclass(frozen=True)
class Picture:
    src: str
    alt: str
    caption: str
    credit: str


@dataclass(frozen=True)
class Block:
    """One piece of an article's body as an edition shows it."""

    kind: str  # paragraph, heading, image or pull_quote
    html: SafeString | None = None
    text: str = ""
    attribution: str = ""
    picture: Picture | None = None


@dataclass
class EditionArticle:
    position: int  # 1-based, in the order
    title: str
    section: str
    standfirst: str
    byline: str
    date: datetime.date
    hero: Picture | None
    blocks: list[Block] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"article-{self.position}"

    @property
    def file_name(self) -> str:
        return f"article-{self.position:02d}.xhtml"


# picture(image, caption, hero=...) -> Picture, or None to leave the picture out.
PictureMaker = Callable[..., Picture | None]


def xml_picture(picture: Picture | None) -> Picture | None:
    """The picture with its alt text, caption and credit fit for XML."""
    if picture is None:
        return None
    return dataclasses.replace(
        picture, alt=xml_text(picture.alt), caption=xml_text(picture.caption), credit=xml_text(picture.credit)
    )


def edition_article(
    position: int, article: ArticlePage, picture: PictureMaker, rich_text: Callable[[str], SafeString]
) -> EditionArticle:
    """The article as both editions show it; every text is cleaned of characters XML cannot hold."""
    blocks = (block_of(block, picture, rich_text) for block in article.body if block.block_type != PAGE_BREAK)
    return EditionArticle(
        position=position,
        title=xml_text(article.title),
        section=xml_text(article.section.title) if getattr(article, "section", None) else "",
        standfirst=xml_text(article.standfirst),
        byline=xml_text(article.byline_names),
        date=article.date,
        hero=xml_picture(picture(article.hero_image, article.hero_caption, hero=True)),
        blocks=[block for block in blocks if block is not None],
    )


def block_of(block, picture: PictureMaker, rich_text: Callable[[str], SafeString]) -> Block | None:
    kind = block.block_type
    if kind == PARAGRAPH:
        return Block(kind, html=rich_text(xml_text(block.value.source)))
    if kind == HEADING:
        return Block(kind, text=xml_text(block.value))
    if kind == PULL_QUOTE:
        return Block(kind, text=xml_text(block.value["quote"]), attribution=xml_text(block.value["attribution"]))
    if kind == IMAGE:
        made = xml_picture(picture(block.value["image"], block.value["caption"], hero=False))
        return Block(kind, picture=made) if made else None
    return None


def body_images(articles: list[ArticlePage]) -> list[CreditedImage]:
    """Every inline picture of these articles, for prefetching their renditions in one query."""
    return [block.value["image"] for article in articles for block in article.body if block.block_type == IMAGE]
