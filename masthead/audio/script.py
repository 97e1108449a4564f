"""The narration script: what is read of an article, in what order, and where its chapters start.

Built from the article's fields and body blocks, never from the rendered page, so the
subscribe box, ads, image captions and credits are never read. Order: title; "By <authors>.
<date>."; then the body's sub-headings, paragraphs and pull quotes. A pull quote is read once:
a repeated quote block, a paragraph that merely repeats a quote, and a quote lifted from a
paragraph already read are each left out. Chapters start at the title, at every sub-heading
and at the start of every web page of a multi-page article.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.html import strip_tags

from masthead.content import blocks as body

if TYPE_CHECKING:
    from masthead.audio.lexicon import Lexicon

TITLE, BYLINE, HEADING, PARAGRAPH, QUOTE = "title", "byline", "heading", "paragraph", "quote"


@dataclass(frozen=True)
class Segment:
    kind: str
    text: str  # as written, tags stripped
    spoken: str  # what the narrator says
    web_page: int
    chapter: str | None = None  # a chapter starts here, with this title


@dataclass
class NarrationScript:
    segments: list[Segment]
    lexicon_entries: set[int] = field(default_factory=set)
    lexicon_version: str = ""

    @property
    def spoken_text(self) -> str:
        return "\n\n".join(segment.spoken for segment in self.segments)

    @property
    def written_text(self) -> str:
        return "\n\n".join(segment.text for segment in self.segments)

    @property
    def script_hash(self) -> str:
        """Hash of the text as written, as it is to be said, and its structure; the lexicon and voice are hashed
        apart. The spoken words count, so a change to the front end's rules narrates again exactly the
        articles whose spoken words it changes."""
        parts = [
            f"{segment.kind}|{segment.web_page}|{segment.chapter or ''}|{segment.text}|{segment.spoken}"
            for segment in self.segments
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    @property
    def chapter_titles(self) -> list[str]:
        return [segment.chapter for segment in self.segments if segment.chapter]


def plain(html_text: str) -> str:
    return " ".join(html.unescape(strip_tags(html_text)).split())


def comparable(text: str) -> str:
    """Text reduced to its words, to tell whether a paragraph and a pull quote say the same thing."""
    return " ".join(re.findall(r"\w+", text.lower()))


def as_sentence(text: str) -> str:
    """A heading or title ends with a full stop when spoken, so the voice pauses and drops its pitch."""
    return text if re.search(r"[.!?…][\"”’')]*$", text) else f"{text}."


def build_script(article, lexicon: Lexicon | None = None) -> NarrationScript:
    """The narration script of `article` (an ArticlePage), with the editors' lexicon applied."""
    # The text front end (its rule classes, num2words) loads when a script is built, not in every
    # web process that imports the audio app for its player (tests/test_web_process_imports.py).
    from masthead.audio.lexicon import Lexicon
    from masthead.audio.spoken import speakable, spoken_date

    lexicon = lexicon if lexicon is not None else Lexicon.load()
    used: set[int] = set()

    def say(text: str) -> str:
        return lexicon.say(text, speakable, used)

    byline = f"By {article.byline_names}. " if article.byline_authors else ""
    byline += f"{spoken_date(article.date)}."
    segments = [
        Segment(TITLE, article.title, as_sentence(say(article.title)), 1, chapter=article.title),
        Segment(BYLINE, byline, say(byline), 1),
    ]

    pages = article.web_pages
    quotes = [plain(block.value["quote"]) for page in pages for block in page if block.block_type == body.PULL_QUOTE]
    paragraphs = [plain(block.value.source) for page in pages for block in page if block.block_type == body.PARAGRAPH]
    quote_keys = {comparable(quote) for quote in quotes if comparable(quote)}
    paragraph_keys = [comparable(paragraph) for paragraph in paragraphs]
    read_quotes: set[str] = set()

    for number, blocks in enumerate(pages, start=1):
        page_chapter = f"Page {number}" if number > 1 else None
        for block in blocks:
            if block.block_type == body.HEADING:
                text = plain(block.value)
                if text:
                    segments.append(Segment(HEADING, text, as_sentence(say(text)), number, chapter=text))
                    page_chapter = None
                continue
            if block.block_type == body.PARAGRAPH:
                text = plain(block.value.source)
                if not text or comparable(text) in quote_keys:
                    continue  # empty, or a paragraph that only repeats a pull quote
                segments.append(Segment(PARAGRAPH, text, say(text), number, chapter=page_chapter))
            elif block.block_type == body.PULL_QUOTE:
                text = plain(block.value["quote"])
                key = comparable(text)
                lifted = any(
                    key and f" {key} " in f" {paragraph} " and key != paragraph for paragraph in paragraph_keys
                )
                if not key or key in read_quotes or lifted:
                    continue
                read_quotes.add(key)
                attribution = plain(block.value.get("attribution") or "")
                written = f"{text} {attribution}".strip()
                spoken = as_sentence(say(text)) + (f" {as_sentence(say(attribution))}" if attribution else "")
                segments.append(Segment(QUOTE, written, spoken, number, chapter=page_chapter))
            else:
                continue  # images (their captions and credits), page breaks: not read
            page_chapter = None

    script = NarrationScript(segments, lexicon_entries=used)
    script.lexicon_version = lexicon.version_of(used)
    return script
