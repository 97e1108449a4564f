"""Import articles from the publisher's text pages (like shared/seed): parse, then create atomically.

The format, as the old site exported it: each web page of an article opens with a byline
"Written by [Author](#) on February 7, 2023"; the title follows the first byline; paragraphs are
separated by blank lines; a lone line such as "Oleksii Liskonih/iStock/Getty Images Plus" is a
photo credit; everything from "Subscribe to …" on is site chrome and is left out.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.html import escape

from masthead.content.models import ArticlePage, Author
from masthead.content.services import slug_for

BYLINE = re.compile(
    r"^Written by (?P<authors>.+?) on (?P<date>[A-Z][a-z]+\.? \d{1,2}, \d{4})\s*$",
)
# No brackets inside a link's words: a line of thousands of "[" is then read in linear time.
MARKDOWN_LINK = re.compile(r"\[([^\[\]]+)\]\([^()]*\)")
CHROME_START = re.compile(r"^(Subscribe to |\[Subscribe\]|What's Included\?|What’s Included\?)")
# A credit is a short line of names joined by slashes, with no sentence punctuation.
CREDIT = re.compile(r"^[A-Z][\w.'’ -]+(/[\w.'’ -]+)+$")


class ArticleImportError(Exception):
    """Input the importer cannot read; says which file and line."""

    def __init__(self, source: str, line: int, message: str):
        self.source, self.line, self.message = source, line, message
        super().__init__(f"{source}:{line}: {message}")


@dataclass
class ParsedArticle:
    source: str
    title: str
    authors: list[str]
    date: datetime.date
    pages: list[list[str]] = field(default_factory=list)  # each web page: paragraphs as HTML
    credits: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slug_for(self.title)[:255]


def parse_date(text: str, source: str, line: int) -> datetime.date:
    for pattern in ("%B %d, %Y", "%b. %d, %Y", "%b %d, %Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ArticleImportError(source, line, f"cannot read the date {text!r}; expected e.g. 'February 7, 2023'")


def parse_authors(text: str, source: str, line: int) -> list[str]:
    """The byline's names in order; each must fit the author table and make a distinct web address."""
    names = MARKDOWN_LINK.sub(r"\1", text)
    authors = [name.strip() for name in re.split(r",\s*|\s+and\s+", names) if name.strip()]
    limit = Author._meta.get_field("name").max_length
    seen: dict[str, str] = {}
    for name in authors:
        if len(name) > limit:
            raise ArticleImportError(source, line, f"an author's name is {len(name)} characters long; at most {limit}")
        slug = slug_for(name)
        if not slug:
            raise ArticleImportError(source, line, f"the author's name {name!r} has no letters or digits")
        if slug in seen:
            raise ArticleImportError(source, line, f"the byline names {seen[slug]!r} twice")
        seen[slug] = name
    return authors


def inline_html(text: str) -> str:
    """Markdown-ish inline text to safe HTML: escape first, then *emphasis*; links keep their words."""
    text = MARKDOWN_LINK.sub(r"\1", text).replace("\\$", "$").replace("\\*", "*")
    html = escape(text)
    return re.sub(r"\*([^*]+)\*", r"<i>\1</i>", html)


def parse_article_text(text: str, source: str) -> ParsedArticle:
    """Parse one exported page; raises ArticleImportError naming the line of the first problem."""
    # Only line breaks an editor's text editor shows count as lines, so the numbers in errors match.
    lines = re.split(r"\r\n|\r|\n", text.removesuffix("\n"))
    article: ParsedArticle | None = None
    expect_title = False
    paragraph: list[str] = []
    paragraph_line = 0

    def flush_paragraph():
        nonlocal paragraph
        if paragraph and article is not None:
            joined = " ".join(part.strip() for part in paragraph)
            if CREDIT.match(joined) and len(joined) < 120:
                article.credits.append(joined)
            else:
                article.pages[-1].append(inline_html(joined))
        paragraph = []

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if CHROME_START.match(line):
            break
        byline = BYLINE.match(line)
        if byline:
            flush_paragraph()
            authors = parse_authors(byline["authors"], source, number)
            date = parse_date(byline["date"], source, number)
            if not authors:
                raise ArticleImportError(source, number, "the byline names no author")
            if article is None:
                article = ParsedArticle(source=source, title="", authors=authors, date=date, pages=[[]])
                expect_title = True
            else:
                if authors != article.authors or date != article.date:
                    raise ArticleImportError(
                        source, number, "this page's byline differs from the first page's; is it another article?"
                    )
                if article.pages[-1]:
                    article.pages.append([])
            continue
        if line.startswith("Written by"):
            raise ArticleImportError(
                source, number, f"cannot read the byline {line!r}; expected 'Written by <author> on <Month D, YYYY>'"
            )
        if not line:
            flush_paragraph()
            continue
        if article is None:
            raise ArticleImportError(source, number, "text before the first byline 'Written by <author> on <date>'")
        if expect_title:
            article.title = MARKDOWN_LINK.sub(r"\1", line)
            limit = ArticlePage._meta.get_field("title").max_length
            if len(article.title) > limit:
                raise ArticleImportError(
                    source, number, f"the title is {len(article.title)} characters long; at most {limit}"
                )
            if not article.slug:
                raise ArticleImportError(source, number, "the title has nothing to make a web address from")
            expect_title = False
            continue
        if not paragraph:
            paragraph_line = number
        paragraph.append(line)
    flush_paragraph()

    if article is None:
        raise ArticleImportError(source, 1, "no byline 'Written by <author> on <date>' found")
    if not article.title:
        raise ArticleImportError(source, len(lines), "the article has no title after its byline")
    if article.pages and not article.pages[-1]:
        article.pages.pop()
    if not article.pages:
        raise ArticleImportError(source, paragraph_line or len(lines), "the article has no body text")
    return article


def parse_path(path: Path) -> list[ParsedArticle]:
    """Parse a file, or every .txt file in a folder (sorted), before anything is written."""
    files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
    if not files:
        raise ArticleImportError(str(path), 0, "no .txt files to import")
    parsed = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            line = file.read_bytes()[: error.start].count(b"\n") + 1
            raise ArticleImportError(str(file), line, "the file is not UTF-8 text") from None
        parsed.append(parse_article_text(text, str(file)))
    return parsed


@transaction.atomic
def import_articles(parsed_articles: list[ParsedArticle], section, *, hero_image=None, publish: bool = True):
    """Create (or update, by slug) each parsed article under `section`; all or nothing."""
    from masthead.content.services import create_or_update_article

    return [
        create_or_update_article(
            section=section,
            slug=parsed.slug,
            title=parsed.title,
            author_names=parsed.authors,
            date=parsed.date,
            pages=parsed.pages,
            hero_image=hero_image,
            hero_credit=parsed.credits[0] if parsed.credits else "",
            publish=publish,
        )
        for parsed in parsed_articles
    ]
