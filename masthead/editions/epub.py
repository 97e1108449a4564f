"""The EPUB 3 edition of an issue: cover, contents, then one chapter per live article in issue order.

ebooklib assembles the package (OPF metadata, navigation document, NCX, zip); the documents in it
are rendered from our own templates (`templates/editions/epub/`) and parsed as XML before they go
in, so a page that is not well-formed XHTML fails the build instead of shipping a book that reading
apps refuse. Rich text is cut down with nh3 to inline emphasis and links, and links to the site
become absolute. Page breaks split articles on the web only: the edition leaves them out.
W3C EPUBCheck passes the result with no errors and no warnings (tests/editions/test_epub.py).
"""

from __future__ import annotations

import datetime
import io
import logging
import uuid
from urllib.parse import urljoin

import lxml.html
import nh3
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from ebooklib import epub
from lxml import etree
from wagtail.rich_text import expand_db_html

from masthead.content.models import ArticlePage, CreditedImage
from masthead.editions.edition_content import RICH_TEXT_TAGS, Picture, edition_article, xml_text
from masthead.editions.models import Issue
from masthead.editions.queries import issue_contents

logger = logging.getLogger(__name__)

# Bump when the layout or the metadata change: every issue's EPUB is then built anew.
# 2: the colophon (the cover's credit), and control characters left out of every text.
FORMAT_VERSION = "2"
PICTURE_SPEC = "max-1200x1600|format-jpeg|jpegquality-80"
COVER_SPEC = "max-1400x2100|format-jpeg|jpegquality-85"
COVER_FILE = "images/cover.jpg"


class XhtmlDocument(epub.EpubHtml):
    """A content document we rendered ourselves: ebooklib stores it as it is instead of re-parsing it."""

    def __init__(self, *, uid: str, file_name: str, title: str, xhtml: str):
        super().__init__(uid=uid, file_name=file_name, title=title, media_type="application/xhtml+xml")
        try:
            etree.fromstring(xhtml.encode())
        except etree.XMLSyntaxError as error:
            raise ValueError(f"{file_name} is not well-formed XHTML: {error}") from error
        self.xhtml = xhtml.encode()

    def get_content(self, default=None) -> bytes:
        return self.xhtml

    def get_body_content(self) -> bytes:
        return b""


def build_issue_epub(issue: Issue, articles: list[ArticlePage] | None = None) -> bytes:
    """The issue as an EPUB 3 file; who may download it is decided by the caller, not here."""
    articles = issue_contents(issue) if articles is None else articles
    book = epub.EpubBook()
    book.FOLDER_NAME = "OEBPS"
    describe(book, issue, articles)
    language = book.language

    pictures = Pictures(book)
    stylesheet = epub.EpubItem(
        uid="style",
        file_name="style.css",
        media_type="text/css",
        content=render_to_string("editions/epub/style.css").encode(),
    )
    book.add_item(stylesheet)

    cover_data, cover_image = cover_jpeg(issue)
    book.set_cover(COVER_FILE, cover_data, create_page=False)
    cover_alt = xml_text(cover_image.description) if cover_image else ""
    cover = XhtmlDocument(
        uid="cover-page",
        file_name="cover.xhtml",
        title="Cover",
        xhtml=render_to_string(
            "editions/epub/cover.xhtml",
            {"language": language, "title": book.title, "src": COVER_FILE, "alt": cover_alt or book.title},
        ),
    )
    book.add_item(cover)

    chapters = [
        edition_article(position, article, pictures.picture, xhtml_rich_text)
        for position, article in enumerate(articles, start=1)
    ]
    documents = []
    for position, chapter in enumerate(chapters, start=1):
        document = XhtmlDocument(
            uid=f"article-{position}",
            file_name=chapter.file_name,
            title=chapter.title,
            xhtml=render_to_string(
                "editions/epub/article.xhtml", {"language": language, "chapter": chapter, "issue": issue}
            ),
        )
        book.add_item(document)
        documents.append(document)

    colophon = XhtmlDocument(
        uid="colophon",
        file_name="colophon.xhtml",
        title="About this issue",
        xhtml=render_to_string(
            "editions/epub/colophon.xhtml",
            {
                "language": language,
                "issue": issue,
                "magazine_name": settings.MAGAZINE_NAME,
                "theme": xml_text(issue.title),
                "cover_credit": xml_text(cover_image.credit) if cover_image else "",
                "rights": rights_of(issue),
            },
        ),
    )
    book.add_item(colophon)

    contents = epub.EpubNav(uid="contents", title="Contents")
    contents.add_link(href=stylesheet.file_name, rel="stylesheet", type="text/css")
    book.add_item(contents)
    book.add_item(epub.EpubNcx())
    book.toc = documents
    book.spine = [cover, contents, *documents, colophon]
    book.guide = [
        {"type": "cover", "href": cover.file_name, "title": "Cover"},
        {"type": "toc", "href": contents.file_name, "title": "Contents"},
    ]
    if documents:
        book.guide.append({"type": "text", "href": documents[0].file_name, "title": documents[0].title})

    buffer = io.BytesIO()
    # No page list: the articles are reflowable text without print page numbers.
    epub.write_epub(buffer, book, {"epub3_pages": False, "mtime": last_change(issue, articles)})
    return buffer.getvalue()


# -- metadata ------------------------------------------------------------------------------------


def identifier_of(issue: Issue) -> str:
    """The same for every build of the issue, so reading apps replace an old copy instead of adding one."""
    address = settings.SITE_URL.rstrip("/") + issue.get_absolute_url()
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, address)}"


def book_title(issue: Issue) -> str:
    title = f"{settings.MAGAZINE_NAME}, Vol. {issue.volume}, No. {issue.number} ({issue.cover_date:%B %-d, %Y})"
    theme = xml_text(issue.title)
    return f"{title}: {theme}" if theme else title


def rights_of(issue: Issue) -> str:
    return f"© {issue.cover_date.year} {settings.PUBLISHER_NAME}"


def language_tag() -> str:
    """settings.LANGUAGE_CODE ("en-us") as the BCP 47 tag EPUB wants ("en-US")."""
    language, _, region = settings.LANGUAGE_CODE.partition("-")
    return f"{language}-{region.upper()}" if region else language


def describe(book: epub.EpubBook, issue: Issue, articles: list[ArticlePage]) -> None:
    """Title, volume and number, date, publisher, language, the stable identifier and accessibility."""
    book.set_identifier(identifier_of(issue))
    book.set_title(book_title(issue))
    book.set_language(language_tag())
    book.add_metadata("DC", "creator", settings.MAGAZINE_NAME)
    book.add_metadata("DC", "publisher", settings.PUBLISHER_NAME)
    book.add_metadata("DC", "date", issue.cover_date.isoformat())
    book.add_metadata("DC", "rights", rights_of(issue))
    book.add_metadata(
        "DC",
        "description",
        f"Volume {issue.volume}, number {issue.number} of {settings.MAGAZINE_NAME}, "
        f"{issue.cover_date:%B %-d, %Y}: {len(articles)} article{'s' if len(articles) != 1 else ''}.",
    )
    for section in dict.fromkeys(xml_text(article.section.title) for article in articles if article.section):
        book.add_metadata("DC", "subject", section)
    # The volume is the series; the number is the issue's place in it.
    book.add_metadata(
        None,
        "meta",
        f"{settings.MAGAZINE_NAME}, Volume {issue.volume}",
        {"property": "belongs-to-collection", "id": "volume"},
    )
    book.add_metadata(None, "meta", "series", {"refines": "#volume", "property": "collection-type"})
    book.add_metadata(None, "meta", str(issue.number), {"refines": "#volume", "property": "group-position"})
    for prop, value in [
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "alternativeText"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityHazard", "none"),
        (
            "schema:accessibilitySummary",
            "Articles in reading order with headings; every picture has a text alternative, a caption and a credit.",
        ),
    ]:
        book.add_metadata(None, "meta", value, {"property": prop})


def last_change(issue: Issue, articles: list[ArticlePage]) -> datetime.datetime:
    """dcterms:modified: when the issue or one of its articles was last published (UTC)."""
    moments = [moment for moment in [issue.last_published_at, *(a.last_published_at for a in articles)] if moment]
    return max(moments, default=timezone.now()).astimezone(datetime.UTC)


# -- articles ------------------------------------------------------------------------------------


def xhtml_rich_text(source: str) -> SafeString:
    """Stored rich text as well-formed XHTML paragraphs: inline emphasis and absolute links only."""
    cleaned = nh3.clean(
        expand_db_html(source),  # links to pages and documents become their web addresses
        tags=RICH_TEXT_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    fragment = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    for link in fragment.iter("a"):
        if link.get("href"):
            link.set("href", urljoin(settings.SITE_URL.rstrip("/") + "/", link.get("href")))
    parts, loose = [], []  # text and inline elements outside any <p> are gathered into one

    def close_paragraph():
        if "".join(loose).strip():
            parts.append(f"<p>{''.join(loose).strip()}</p>")
        loose.clear()

    loose.append(escape(fragment.text or ""))
    for child in fragment:
        tail, child.tail = child.tail, None
        markup = etree.tostring(child, encoding="unicode", method="xml")
        if child.tag == "p":
            close_paragraph()
            parts.append(markup)
        else:
            loose.append(markup)
        loose.append(escape(tail or ""))
    close_paragraph()
    return mark_safe("\n".join(parts))  # noqa: S308 (sanitised by nh3, serialised by lxml)


# -- pictures ------------------------------------------------------------------------------------


class Pictures:
    """The book's images: each credited image goes in once, as a JPEG rendition read through storage."""

    def __init__(self, book: epub.EpubBook):
        self.book = book
        self.file_names: dict[int, str | None] = {}

    def picture(self, image: CreditedImage | None, caption: str = "", *, hero: bool = False) -> Picture | None:
        if image is None:
            return None
        if image.pk not in self.file_names:
            self.file_names[image.pk] = self.add(image)
        src = self.file_names[image.pk]
        if src is None:
            return None
        return Picture(src=src, alt=image.description or "", caption=caption, credit=image.credit)

    def add(self, image: CreditedImage) -> str | None:
        try:
            data = rendition_bytes(image, PICTURE_SPEC)
        except Exception:
            # A picture whose file is lost must not cost subscribers the whole issue.
            logger.warning("Image %s left out of the EPUB edition", image.pk, exc_info=True)
            return None
        file_name = f"images/picture-{image.pk}.jpg"
        self.book.add_item(
            epub.EpubImage(uid=f"picture-{image.pk}", file_name=file_name, media_type="image/jpeg", content=data)
        )
        return file_name


def rendition_bytes(image: CreditedImage, spec: str) -> bytes:
    rendition = image.get_rendition(spec)
    with rendition.file.open("rb") as picture:
        return picture.read()


def cover_jpeg(issue: Issue) -> tuple[bytes, CreditedImage | None]:
    """The issue's cover picture and its image, or one drawn from its name, number and date (and None)."""
    if issue.cover_image is not None:
        try:
            return rendition_bytes(issue.cover_image, COVER_SPEC), issue.cover_image
        except Exception:
            logger.warning("Drawing a cover for issue %s: its cover image cannot be read", issue.pk, exc_info=True)
    return drawn_cover(issue), None


def drawn_cover(issue: Issue, width: int = 1200, height: int = 1800) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    picture = Image.new("RGB", (width, height), (26, 35, 50))
    draw = ImageDraw.Draw(picture)
    margin = width // 10
    lines, font = [""], ImageFont.load_default(size=width // 11)
    for word in settings.MAGAZINE_NAME.split():
        trial = f"{lines[-1]} {word}".strip()
        if draw.textlength(trial, font=font) > width - 2 * margin and lines[-1]:
            lines.append(word)
        else:
            lines[-1] = trial
    for number, line in enumerate(lines):
        draw.text((margin, height // 6 + number * width // 9), line, font=font, fill=(245, 240, 230))
    small = ImageFont.load_default(size=width // 22)
    draw.rectangle([margin, height * 2 // 3, width - margin, height * 2 // 3 + width // 90], fill=(214, 90, 49))
    theme = xml_text(issue.title)
    details = [f"Volume {issue.volume} · Number {issue.number}", f"{issue.cover_date:%B %-d, %Y}", theme]
    for number, line in enumerate(text for text in details if text):
        draw.text(
            (margin, height * 2 // 3 + width // 20 + number * width // 14), line, font=small, fill=(245, 240, 230)
        )
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
