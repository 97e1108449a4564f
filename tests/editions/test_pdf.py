"""The PDF edition of an issue, read back page by page with pdftotext, as a reader would see it."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from faker import Faker
from pypdf import PdfReader
from pypdf.generic import ContentStream

from masthead.content.models import SUBSCRIBERS, ArticlePage, SectionPage
from masthead.editions import pdf
from masthead.editions.models import Issue
from masthead.editions.pdf import build_issue_pdf
from tests.factories import ArticleFactory, AuthorFactory, CreditedImageFactory, IssueFactory

# A database test, so it runs before the transactional ones that empty the tables (pytest-django's order).
pytestmark = pytest.mark.django_db

SUBSCRIBER_SENTENCE = "Only subscribers learn that the keeper’s ledger of 1911 balanced to the penny."
INLINE_PICTURE_SIZE = (300, 400)  # no other picture in the issue has this size, so its page can be found


@dataclass
class Edition:
    issue: Issue
    articles: list[ArticlePage]
    draft: ArticlePage
    pdf: bytes
    pages: list[list[str]]  # each page's lines of text

    def words(self, number: int) -> str:
        """Page `number` (counted from 1) as one line of words; words hyphenated at a line end are joined."""
        text = " ".join(" ".join(self.pages[number - 1]).split())
        return text.replace("\u2010 ", "")  # WeasyPrint's hyphenation character, never typed by a writer

    def all_words(self) -> str:
        return " ".join(self.words(number) for number in range(1, len(self.pages) + 1))

    def start_page(self, article: ArticlePage) -> int:
        """The first page after the contents showing the article's title and standfirst: where it starts."""
        for number in range(self.first_page_after_contents, len(self.pages) + 1):
            if article.title in self.words(number) and article.standfirst in self.words(number):
                return number
        raise AssertionError(f"{article.title!r} is on no page")

    @property
    def first_page_after_contents(self) -> int:
        contents_head = f"{self.running_head} In this issue"
        return next(n for n in range(2, len(self.pages) + 1) if not self.words(n).startswith(contents_head))

    @property
    def running_head(self) -> str:
        cover_date = f"{self.issue.cover_date:%B} {self.issue.cover_date.day}, {self.issue.cover_date.year}"
        return f"{settings.MAGAZINE_NAME} · Vol. {self.issue.volume}, No. {self.issue.number} · {cover_date}"


def pdf_pages(pdf: bytes) -> list[list[str]]:
    """The lines of text on each page, in reading order."""
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return [[line for line in page.splitlines() if line.strip()] for page in text.split("\f")[:-1]]


def pictures_drawn(pdf: bytes) -> list[list[tuple[int, int]]]:
    """The pixel size of every picture drawn on each page (pages share one list of picture resources)."""
    reader = PdfReader(io.BytesIO(pdf))
    drawn = []
    for page in reader.pages:
        resources = page["/Resources"].get("/XObject")
        resources = resources.get_object() if resources else {}
        names = [
            operands[0]
            for operands, operator in ContentStream(page.get_contents(), reader).operations
            if operator == b"Do"
        ]
        pictures = [resources[name].get_object() for name in names]
        drawn.append(
            [(picture["/Width"], picture["/Height"]) for picture in pictures if picture["/Subtype"] == "/Image"]
        )
    return drawn


def long_text(fake: Faker, paragraphs: int) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{fake.paragraph(nb_sentences=9)}</p>"} for _ in range(paragraphs)]


@pytest.fixture(scope="module")
def edition(module_transaction) -> Edition:
    """An issue of three live articles and one draft, printed once for the whole module."""
    fake = Faker()
    fake.seed_instance(6)
    culture = SectionPage.objects.get(slug="culture")
    inline = CreditedImageFactory(credit="Tomás Ferreira/Harbour Pictures", size=INLINE_PICTURE_SIZE)
    harbour = ArticleFactory(
        section=culture,
        title="The harbour that learned to float",
        standfirst="A town rebuilt its quays on pontoons, and the sea came in anyway.",
        authors=[AuthorFactory(name="Alice Okafor"), AuthorFactory(name="Ben Tran")],
        date=datetime.date(2024, 3, 4),
        hero_image=CreditedImageFactory(credit="Mara Lindqvist/Northlight Agency", size=(640, 360)),
        hero_caption="The new quays at low tide.",
        body=[
            *long_text(fake, 3),
            {"type": "heading", "value": "What the tide tables say"},
            *long_text(fake, 1),
            {"type": "image", "value": {"image": inline.pk, "caption": "The pontoon workshop in March."}},
            *long_text(fake, 2),
            {
                "type": "pull_quote",
                "value": {"quote": "The sea does not read plans.", "attribution": "A harbourmaster"},
            },
            {"type": "page_break", "value": None},
            *long_text(fake, 14),
        ],
    )
    ledger = ArticleFactory(
        title="Who pays for the sea wall",
        standfirst="The council’s accounts, line by line.",
        authors=[AuthorFactory(name="Chidi Mensah")],
        hero_image=CreditedImageFactory(credit="Ines Duarte/Coastline Press", size=(480, 320)),
        body=[
            {"type": "paragraph", "value": "<p>The first paragraph is the teaser.</p>"},
            *long_text(fake, 2),
            {
                "type": "paragraph",
                "value": f"<p><i>{SUBSCRIBER_SENTENCE}</i> It was found in a drawer. Read"
                ' <a href="https://example.com/ledger">the ledger</a> and <a linktype="page" id="2">our report</a>.'
                '<img src="http://127.0.0.1:9/tracker.png"><script>alert("printed")</script></p>',
            },
        ],
    )
    ArticlePage.objects.filter(pk=ledger.pk).update(access_level=SUBSCRIBERS, teaser_paragraphs=1)
    notes = ArticleFactory(
        title="Short notes from the tide tables",
        standfirst="Three things the almanac got right.",
        authors=[AuthorFactory(name="Dora Quist")],
    )
    draft = ArticleFactory(title="An unfinished piece about currents", publish=False)
    issue = IssueFactory(
        title="Cities on the water",
        cover_image=CreditedImageFactory(credit="Cover illustration: Jun Park", size=(600, 800)),
        articles=[harbour, ledger, draft, notes],
    )
    pdf = build_issue_pdf(issue)
    return Edition(issue=issue, articles=[harbour, ledger, notes], draft=draft, pdf=pdf, pages=pdf_pages(pdf))


def test_cover_shows_the_magazine_the_issue_and_its_theme_without_running_head_or_page_number(edition):
    cover = edition.words(1)

    assert cover.startswith(f"{settings.MAGAZINE_NAME} Vol. {edition.issue.volume}, No. {edition.issue.number} · ")
    assert "Cities on the water" in cover
    assert "Cover illustration: Jun Park" in cover
    assert "The harbour that learned to float" in cover  # cover lines announce the lead articles
    assert edition.running_head not in cover
    assert edition.pages[0][-1] != "1"


def test_contents_give_each_live_article_the_page_where_it_starts(edition):
    contents = edition.words(2)
    assert contents.startswith(f"{edition.running_head} In this issue In this issue")

    for article in edition.articles:
        listed = re.search(re.escape(article.title) + r"[ .]*(\d+)", contents)
        assert listed, f"{article.title!r} is not in the contents"
        start = edition.start_page(article)
        assert int(listed[1]) == start, article.title
        assert edition.pages[start - 1][-1] == str(start)  # the page's own number agrees


def test_contents_list_the_articles_in_the_issue_order_with_their_bylines(edition):
    contents = edition.words(2)

    positions = [contents.index(article.title) for article in edition.articles]
    assert positions == sorted(positions)
    assert "CULTURE · Alice Okafor and Ben Tran" in contents  # the section and the byline under the title


def test_each_article_begins_at_the_top_of_a_new_page(edition):
    for article in edition.articles:
        start = edition.start_page(article)
        section = article.get_parent().title.upper()
        assert edition.words(start).startswith(
            f"{edition.running_head} {article.title} {section} {article.title} {article.standfirst} By "
        )
        if article != edition.articles[0]:
            assert edition.pages[start - 2][-2] == "■", "the page before ends with the previous article's end mark"


def test_every_page_after_the_cover_has_the_running_head_and_its_page_number(edition):
    assert len(edition.pages) == len(PdfReader(io.BytesIO(edition.pdf)).pages)
    for number in range(2, len(edition.pages) + 1):
        lines = edition.pages[number - 1]
        assert lines[0] == edition.running_head, f"page {number}"
        assert lines[-1] == str(number), f"page {number}"


def test_running_head_names_the_article_on_every_page_it_fills(edition):
    harbour = edition.articles[0]
    start, next_start = edition.start_page(harbour), edition.start_page(edition.articles[1])

    assert next_start - start >= 3  # a long read, set over several pages (page breaks are for the web)
    for number in range(start, next_start):
        assert edition.pages[number - 1][1] == harbour.title, f"page {number}"
    assert harbour.standfirst not in edition.words(start + 1)


def test_articles_carry_bylines_dates_and_every_picture_credit(edition):
    harbour = edition.words(edition.start_page(edition.articles[0]))
    assert "By Alice Okafor and Ben Tran · March 4, 2024" in harbour
    assert "The new quays at low tide. Mara Lindqvist/Northlight Agency" in harbour
    whole = edition.all_words()
    assert "The pontoon workshop in March. Tomás Ferreira/Harbour Pictures" in whole
    assert "The sea does not read plans. — A harbourmaster" in whole
    assert "What the tide tables say" in whole
    assert "By Chidi Mensah" in whole
    assert "Ines Duarte/Coastline Press" in whole


def tall_picture_issue() -> tuple[Issue, dict[tuple[int, int], str]]:
    """Articles of 11 to 18 one-line paragraphs, each followed by a picture drawn 120 mm tall.

    One line (5 mm) more text per article moves its picture down the page, so some picture fits
    above the page's foot while its caption would not: only `break-inside: avoid` keeps them together.
    """
    pictures, articles = {}, []
    for step, lines in enumerate(range(11, 19)):
        # 158 mm wide (the text column) at this ratio is 120 mm tall; each size is unique, to find its page.
        size = (632 + 8 * step, 480 + 6 * step)
        caption = (
            f"Figure {lines}: the pontoon workshop at the end of the quay, where the floats are welded in March and"
            " towed out at high water, one each week, by the two tugs the town bought from the ferry company when"
            " the old ferry route closed; the welders work in pairs and sign each float."
        )
        credit = f"Tomás Ferreira/Harbour Pictures {lines}"
        image = CreditedImageFactory(credit=credit, size=size)
        pictures[size] = f"{caption} {credit}"
        articles.append(
            ArticleFactory(
                title=f"Notes from the quay, part {lines}",
                standfirst="What the welders said.",
                body=[
                    *({"type": "paragraph", "value": f"<p>Line {n} of the notes.</p>"} for n in range(lines)),
                    {"type": "image", "value": {"image": image.pk, "caption": caption}},
                    {"type": "paragraph", "value": "<p>After the picture.</p>"},
                ],
            )
        )
    return IssueFactory(cover_image=None, articles=articles), pictures


def captions_apart(pdf: bytes, pictures: dict[tuple[int, int], str]) -> list[str]:
    """The captions (with credit) not printed whole on the page where their picture is drawn."""
    pages = pdf_pages(pdf)
    apart = []
    for number, sizes in enumerate(pictures_drawn(pdf), start=1):
        # Compared without spaces: a credit may wrap after its slash ("Ferreira/ Harbour").
        text = "".join("".join(pages[number - 1]).split())
        apart += [pictures[size] for size in sizes if "".join(pictures[size].split()) not in text]
    assert sum(len(sizes) for sizes in pictures_drawn(pdf)) == len(pictures)
    return apart


def test_a_picture_and_its_caption_are_printed_on_the_same_page(db, monkeypatch):
    issue, pictures = tall_picture_issue()

    assert captions_apart(build_issue_pdf(issue), pictures) == []

    # The same pages without the rule that keeps figures whole: some caption is cut from its picture,
    # so the assertion above is one the layout can fail.
    def without_whole_figures(template_name, context=None, *args, **kwargs):
        html = render_to_string(template_name, context, *args, **kwargs)
        return html.replace("</style>", "figure { break-inside: auto; }</style>")

    monkeypatch.setattr(pdf, "render_to_string", without_whole_figures)
    assert captions_apart(build_issue_pdf(issue), pictures) != [], "no picture lands at a page's foot any more"


def test_every_picture_is_embedded_from_storage_and_nothing_else_is_loaded(edition):
    drawn = pictures_drawn(edition.pdf)

    # The cover, two hero pictures and one inline picture; the tracker in the article's HTML is not among them.
    assert sum(len(sizes) for sizes in drawn) == 4
    assert "alert" not in edition.all_words()
    assert "It was found in a drawer. Read the ledger and our report." in edition.all_words()  # links print as text


def test_subscriber_only_text_is_printed_in_full(edition):
    ledger = edition.articles[1]
    pages = range(edition.start_page(ledger), edition.start_page(edition.articles[2]))

    assert any(SUBSCRIBER_SENTENCE in edition.words(number) for number in pages)


def test_draft_articles_stay_out_of_the_edition(edition):
    whole = edition.all_words()

    assert edition.draft.title not in whole


def test_pdf_is_titled_with_the_magazine_and_the_issue(edition):
    metadata = PdfReader(io.BytesIO(edition.pdf)).metadata

    assert metadata.title == f"{settings.MAGAZINE_NAME}, {edition.issue}"
    assert metadata.author == settings.MAGAZINE_NAME


def test_an_issue_without_live_articles_prints_its_cover_and_says_the_contents_are_coming(db):
    issue = IssueFactory(title="", cover_image=None)

    pages = pdf_pages(build_issue_pdf(issue))

    assert len(pages) == 2
    assert settings.MAGAZINE_NAME in pages[0]
    assert "The contents of this issue are being prepared." in pages[1]


def test_a_long_theme_and_long_headlines_still_fit_on_a_one_page_cover(db):
    headline = "Why the long argument over the harbour, the sea wall and the ferry timetable is not over yet"
    issue = IssueFactory(
        title="The water issue: harbours, sea walls, ferries, floods, and the people who keep the lights on",
        articles=[ArticleFactory(title=f"{headline}, part {part}") for part in (1, 2, 3)],
    )

    pages = pdf_pages(build_issue_pdf(issue))

    assert "In this issue" not in " ".join(pages[0])
    assert pages[1][1:3] == ["In this issue", "In this issue"]  # the running head's title, then the heading
    assert pages[1][-1] == "2"
