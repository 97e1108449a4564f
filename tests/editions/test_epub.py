"""The EPUB edition: what a reader's e-book app shows, and W3C EPUBCheck's verdict on the file."""

from __future__ import annotations

import datetime
import io
import json
import subprocess
import zipfile
from pathlib import Path

from django.conf import settings
from lxml import etree

from masthead.editions.builds import ensure_editions
from masthead.editions.epub import build_issue_epub
from tests.editions.conftest import GATED_SENTENCE
from tests.factories import ArticleFactory, AuthorFactory, CreditedImageFactory, IssueFactory

EPUBCHECK = ["java", "-jar", "/usr/bin/epubcheck"]
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}


def epubcheck(path: Path, report: Path) -> dict:
    """Run the real EPUBCheck on the file; its JSON report."""
    subprocess.run([*EPUBCHECK, str(path), "--json", str(report)], check=False, capture_output=True, timeout=300)
    return json.loads(report.read_text())


class Book:
    """An EPUB opened the way a reading app does: container → package → spine and navigation."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//{*}rootfile").get("full-path")
        self.folder = self.opf_path.rpartition("/")[0]
        self.opf = etree.fromstring(self.zip.read(self.opf_path))

    def read(self, href: str) -> bytes:
        return self.zip.read(f"{self.folder}/{href}" if self.folder else href)

    def document(self, href: str):
        return etree.fromstring(self.read(href))

    def metadata(self, name: str) -> list[str]:
        return [element.text for element in self.opf.findall(f"opf:metadata/dc:{name}", NS)]

    def meta(self, prop: str) -> list[str]:
        return [element.text for element in self.opf.xpath(f'opf:metadata/opf:meta[@property="{prop}"]', namespaces=NS)]

    def manifest(self, **attributes) -> list:
        items = self.opf.findall("opf:manifest/opf:item", NS)
        return [item for item in items if all(item.get(key) == value for key, value in attributes.items())]

    def spine(self) -> list[str]:
        by_id = {item.get("id"): item.get("href") for item in self.manifest()}
        return [by_id[ref.get("idref")] for ref in self.opf.findall("opf:spine/opf:itemref", NS)]

    def table_of_contents(self) -> list[tuple[str, str]]:
        [nav_item] = [item for item in self.manifest() if "nav" in (item.get("properties") or "").split()]
        nav = self.document(nav_item.get("href"))
        links = nav.xpath('//x:nav[@epub:type="toc"]//x:a', namespaces=NS)
        return [(text_of(link), link.get("href")) for link in links]


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def test_the_epub_of_an_issue_passes_epubcheck_with_no_errors_and_no_warnings(march_issue, edition_file, tmp_path):
    report = epubcheck(edition_file(march_issue, "epub").path, tmp_path / "report.json")

    assert report["checker"]["nFatal"] == 0
    assert report["checker"]["nError"] == 0
    assert report["checker"]["nWarning"] == 0
    assert report["messages"] == []
    assert report["publication"]["ePubVersion"].startswith("3.")


def test_an_issue_without_a_cover_image_gets_a_drawn_cover_and_still_passes_epubcheck(sections, tmp_path):
    # Awkward text on purpose: a bare sentence outside any paragraph, a non-breaking space, an ampersand.
    article = ArticleFactory(
        title="Q&A: Rivers < Seas?",
        body=[{"type": "paragraph", "value": "Loose text <i>here</i>\u00a0&amp; <p>then a paragraph</p> tail"}],
    )
    issue = IssueFactory(cover_date=datetime.date(2024, 5, 1), cover_image=None, articles=[article])
    path = tmp_path / "plain.epub"
    path.write_bytes(build_issue_epub(issue))

    report = epubcheck(path, tmp_path / "report.json")

    assert report["messages"] == []
    book = Book(path.read_bytes())
    [cover] = book.manifest(properties="cover-image")
    assert book.read(cover.get("href")).startswith(b"\xff\xd8")  # a JPEG
    chapter = book.document(book.spine()[2])
    assert [text_of(p) for p in chapter.xpath("//x:section/x:p[not(@class)]", namespaces=NS)] == [
        "Loose text here &",
        "then a paragraph",
        "tail",
    ]


def test_the_epub_opens_on_the_cover_then_the_contents_then_each_article_in_issue_order(march_issue, edition_file):
    book = Book(edition_file(march_issue, "epub").path.read_bytes())

    assert book.table_of_contents() == [
        ("The Harbour That Learned to Float", "article-01.xhtml"),
        ("Who Pays for the Tide", "article-02.xhtml"),
        ("Songs of the Flood", "article-03.xhtml"),
    ]
    assert book.spine() == [
        "cover.xhtml",
        "nav.xhtml",
        "article-01.xhtml",
        "article-02.xhtml",
        "article-03.xhtml",
        "colophon.xhtml",
    ]
    [cover_image] = book.manifest(properties="cover-image")
    cover_page = book.document("cover.xhtml")
    [img] = cover_page.xpath("//x:img", namespaces=NS)
    assert (img.get("src"), img.get("alt")) == (cover_image.get("href"), "Cover: a city afloat")


def test_each_chapter_has_its_section_title_standfirst_byline_and_date(march_issue, edition_file):
    book = Book(edition_file(march_issue, "epub").path.read_bytes())
    chapter = book.document("article-01.xhtml")

    def first(selector: str) -> str:
        return text_of(chapter.xpath(selector, namespaces=NS)[0])

    assert first("//x:title") == "The Harbour That Learned to Float"
    assert first("//x:p[@class='kicker']") == "Environment"
    assert first("//x:h1") == "The Harbour That Learned to Float"
    assert first("//x:p[@class='standfirst']") == "A port city rebuilds itself on pontoons."
    assert first("//x:p[@class='byline']") == "By Alice Okafor and Ben Tran · March 2, 2024"
    assert chapter.xpath("//x:time/@datetime", namespaces=NS) == ["2024-03-02"]
    assert first("//x:p[@class='end-of-article']") == "March 15, 2024 · Volume 5, number 6"


def test_pictures_come_with_alt_text_caption_and_credit_and_page_breaks_are_left_out(march_issue, edition_file):
    book = Book(edition_file(march_issue, "epub").path.read_bytes())
    chapter = book.document("article-01.xhtml")

    figures = chapter.xpath("//x:figure", namespaces=NS)
    assert [(figure.get("class"), figure.find("x:img", NS).get("alt"), text_of(figure)) for figure in figures] == [
        ("hero", "Pontoons at dawn", "The new quay, moored in place. Lee Park/Studio"),
        ("inline", "A crane on a barge", "Cranes work from barges. Ana Ruiz/Agency"),
    ]
    for figure in figures:
        src = figure.find("x:img", NS).get("src")
        assert book.manifest(href=src)[0].get("media-type") == "image/jpeg"
        assert book.read(src).startswith(b"\xff\xd8")
    # The web's two pages run on as one chapter: the pull quote and the last paragraph follow the picture.
    assert [text_of(element) for element in chapter.xpath("//x:section/x:*", namespaces=NS)][2:] == [
        "Water rose by two metres & the city rose with it.",
        "Building on water",
        "Cranes work from barges. Ana Ruiz/Agency",
        "We stopped fighting the sea.The mayor",
        "Read the report.Then visit.",
        "March 15, 2024 · Volume 5, number 6",
    ]
    assert "page_break" not in book.read("article-01.xhtml").decode()
    # Subscribers-only text is in the edition: the download is what is gated.
    assert GATED_SENTENCE in text_of(book.document("article-02.xhtml"))


def test_links_in_articles_point_to_the_web(march_issue, edition_file):
    book = Book(edition_file(march_issue, "epub").path.read_bytes())

    hrefs = [link.get("href") for link in book.document("article-01.xhtml").xpath("//x:section//x:a", namespaces=NS)]
    assert hrefs == ["https://example.org/report"]
    internal = book.document("article-03.xhtml").xpath("//x:section//x:a", namespaces=NS)
    assert [(text_of(link), link.get("href")) for link in internal] == [
        ("our culture pages", settings.SITE_URL.rstrip("/") + "/culture/")
    ]


def test_the_epub_names_the_magazine_issue_date_publisher_and_language_with_a_stable_identifier(
    march_issue, edition_file
):
    book = Book(edition_file(march_issue, "epub").path.read_bytes())

    assert book.metadata("title") == ["The Masthead Review, Vol. 5, No. 6 (March 15, 2024): Cities on the Water"]
    assert book.metadata("date") == ["2024-03-15"]
    assert book.metadata("publisher") == ["Masthead Publishing"]
    assert book.metadata("language") == ["en-US"]
    assert book.meta("belongs-to-collection") == ["The Masthead Review, Volume 5"]
    assert book.opf.xpath('//opf:meta[@refines="#volume"][@property="group-position"]/text()', namespaces=NS) == ["6"]
    [identifier] = book.metadata("identifier")
    assert identifier.startswith("urn:uuid:")
    # Built again (a correction, say), the book keeps its identifier, so apps replace the old copy.
    assert Book(build_issue_epub(march_issue)).metadata("identifier") == [identifier]
    other = IssueFactory(cover_date=datetime.date(2024, 4, 1), articles=[ArticleFactory()])
    ensure_editions(other.pk)
    assert Book(edition_file(other, "epub").path.read_bytes()).metadata("identifier") != [identifier]


def test_the_colophon_at_the_back_credits_the_cover_picture(march_issue, edition_file):
    book = Book(edition_file(march_issue, "epub").path.read_bytes())

    colophon = book.document(book.spine()[-1])
    assert colophon.xpath("//x:section/@epub:type", namespaces=NS) == ["colophon"]
    assert [text_of(p) for p in colophon.xpath("//x:section/x:p", namespaces=NS)] == [
        "The Masthead Review",
        "Volume 5, number 6 · March 15, 2024",
        "Cities on the Water",
        "Cover: Studio North",
        "© 2024 Masthead Publishing",
    ]


def test_a_drawn_cover_is_credited_to_nobody(sections):
    issue = IssueFactory(cover_date=datetime.date(2024, 5, 1), cover_image=None, articles=[ArticleFactory()])

    colophon = Book(build_issue_epub(issue)).document("colophon.xhtml")

    assert "Cover:" not in text_of(colophon)


def test_control_characters_pasted_from_a_word_processor_are_left_out_and_the_book_still_passes_epubcheck(
    sections, edition_file, tmp_path
):
    """\\x0b (a line break in Word) and \\x0c (a page break) are not allowed anywhere in XML."""
    sections["culture"].title = "Cul\x0bture"
    sections["culture"].save_revision().publish()
    picture = CreditedImageFactory(alt_text="A choir\x0b on a roof", credit="Ana\x0c Ruiz")
    article = ArticleFactory(
        section=sections["culture"],
        title="Songs\x0b of the Flood",
        standfirst="The choir\x0c sang.",
        authors=[AuthorFactory(name="Grace\x0b Mwangi")],
        hero_image=picture,
        hero_caption="On the\x0b roof.",
        body=[
            {"type": "paragraph", "value": "<p>They sang\x0b from the rooftops\x1f.</p>"},
            {"type": "heading", "value": "The\x0c second verse"},
            {"type": "pull_quote", "value": {"quote": "We sang\x0b on.", "attribution": "The\x0b choir"}},
            {"type": "image", "value": {"image": picture.pk, "caption": "Again\x0b, later."}},
        ],
    )
    issue = IssueFactory(
        cover_date=datetime.date(2024, 5, 1), title="Water\x0b music", cover_image=picture, articles=[article]
    )

    outcomes = ensure_editions(issue.pk)

    assert {outcome.result for outcome in outcomes.values()} == {"built"}
    path = edition_file(issue, "epub").path
    assert epubcheck(path, tmp_path / "report.json")["messages"] == []
    book = Book(path.read_bytes())
    assert book.metadata("title") == ["The Masthead Review, Vol. 5, No. 9 (May 1, 2024): Water music"]
    assert book.table_of_contents() == [("Songs of the Flood", "article-01.xhtml")]
    chapter = book.document("article-01.xhtml")
    assert [text_of(element) for element in chapter.xpath("//x:section/x:*", namespaces=NS)][:7] == [
        "Culture Songs of the Flood The choir sang. By Grace Mwangi · "
        + chapter.xpath("//x:time", namespaces=NS)[0].text,
        "On the roof. Ana Ruiz",
        "They sang from the rooftops.",
        "The second verse",
        "We sang on.The choir",
        "Again, later. Ana Ruiz",
        "May 1, 2024 · Volume 5, number 9",
    ]
    assert [img.get("alt") for img in chapter.xpath("//x:img", namespaces=NS)] == ["A choir on a roof"] * 2
    assert "Cover: Ana Ruiz" in text_of(book.document("colophon.xhtml"))
