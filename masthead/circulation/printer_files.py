"""The files the printer gets: the mailing list as CSV, and as sheets of address labels (PDF).

Both are written from the rows in list order (country, postal code, name), so the printer can
presort either. Labels are laid out to standard label stock with CSS paged media; an address too
long for its label is set smaller, then wrapped, and a label never spills onto its neighbour.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from masthead.circulation.models import MailingListFile, MailingListRow
from masthead.editions.models import Issue

CSV_HEADER = [
    "Sequence",
    "Subscriber",
    "Name",
    "Address line 1",
    "Address line 2",
    "City",
    "Region",
    "Postal code",
    "Country",
    "Country name",
]
# A cell starting with one of these runs as a formula when a spreadsheet opens the file; so does one
# where they follow leading spaces, and their full-width forms (＝ ＋ － ＠), which spreadsheets
# set in Japanese or Chinese read as the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
LEADING_SPACES = " \u00a0\u3000"  # space, no-break space, ideographic (full-width) space
# Excel reads a CSV without a byte order mark as the local code page, garbling accents.
UTF8_BOM = "\ufeff"

POINTS_PER_MM = 72 / 25.4
LINE_HEIGHT = 1.15  # in ems, as the label stylesheet sets it


def csv_cell(value: str) -> str:
    """The value as text a spreadsheet will not evaluate: a leading formula character is quoted with '."""
    return f"'{value}" if value.lstrip(LEADING_SPACES).startswith(FORMULA_STARTS) else value


def mailing_list_csv(rows: Iterable[MailingListRow]) -> str:
    """The list as CSV, one row per copy, with a header row the printer's mail merge can map (BOM first, for Excel)."""
    out = io.StringIO()
    out.write(UTF8_BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        values = [
            row.subscriber_reference,
            row.name,
            row.line1,
            row.line2,
            row.city,
            row.region,
            row.postal_code,
            row.country,
            row.country_name,
        ]
        writer.writerow([row.position + 1, *(csv_cell(value) for value in values)])
    return out.getvalue()


def file_name(issue: Issue, extension: str, *, provisional: bool) -> str:
    """mailing-list-vol8-no12-2027-06-15.csv; a provisional list says so in its name, where the printer looks."""
    stem = f"mailing-list-vol{issue.volume}-no{issue.number}-{issue.cover_date:%Y-%m-%d}"
    return f"{stem}-PROVISIONAL.{extension}" if provisional else f"{stem}.{extension}"


@dataclass(frozen=True)
class LabelSheet:
    """A sheet of label stock: page size, margins and label pitch in millimetres, as the maker prints them."""

    slug: str
    name: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    top_margin: float
    left_margin: float
    column_pitch: float  # left edge to left edge
    row_pitch: float
    padding_x: float
    padding_y: float
    font_pt: float  # the size an ordinary address is set in
    readable_pt: float  # below this, wrap long lines rather than shrink them further
    smallest_pt: float

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def label_box(self, index: int) -> tuple[float, float]:
        """The top-left corner (mm) of the `index`th label on its sheet, counted across then down."""
        column, row = index % self.columns, index // self.columns
        return self.left_margin + column * self.column_pitch, self.top_margin + row * self.row_pitch

    @property
    def text_width_pt(self) -> float:
        return (self.label_width - 2 * self.padding_x) * POINTS_PER_MM

    @property
    def text_height_pt(self) -> float:
        return (self.label_height - 2 * self.padding_y) * POINTS_PER_MM


INCH = 25.4
LABEL_SHEETS = {
    # 21 to an A4 sheet, 3 by 7 (Avery L7160 and its equivalents).
    "a4": LabelSheet(
        slug="a4",
        name="A4, 21 labels (3 × 7)",
        page_width=210,
        page_height=297,
        columns=3,
        rows=7,
        label_width=63.5,
        label_height=38.1,
        top_margin=15.15,
        left_margin=7.25,
        column_pitch=66.0,
        row_pitch=38.1,
        padding_x=3,
        padding_y=2.5,
        font_pt=10,
        readable_pt=7,
        smallest_pt=4,
    ),
    # 30 to a US Letter sheet, 3 by 10 (Avery 5160 and its equivalents).
    "letter": LabelSheet(
        slug="letter",
        name="US Letter, 30 labels (3 × 10)",
        page_width=8.5 * INCH,
        page_height=11 * INCH,
        columns=3,
        rows=10,
        label_width=2.625 * INCH,
        label_height=1 * INCH,
        top_margin=0.5 * INCH,
        left_margin=0.1875 * INCH,
        column_pitch=2.75 * INCH,
        row_pitch=1 * INCH,
        padding_x=2.5,
        padding_y=1.5,
        font_pt=8,
        readable_pt=6,
        smallest_pt=3.5,
    ),
}
DEFAULT_LABEL_SHEET = "a4"

# Advance widths (ems) a little wider than DejaVu Sans Condensed's, the labels' face, so the
# estimate errs towards a smaller size: wide letters, capitals, and everything else.
WIDE_LETTERS = set("MWmw@%&")


def text_width_em(text: str) -> float:
    """A generous estimate of `text`'s width in ems in the label face."""
    width = 0.0
    for char in text:
        if char in WIDE_LETTERS or ord(char) >= 0x2E80:  # CJK and other full-width scripts
            width += 1.0
        elif char.isupper():
            width += 0.72
        else:
            width += 0.62
    return width


def label_font(lines: Sequence[str], sheet: LabelSheet) -> tuple[float, bool]:
    """The size (pt) to set a label's lines in, and whether they must wrap, so that the text fits the label.

    First the largest size, no smaller than the sheet's readable size, at which every line fits
    unwrapped; failing that, the largest at which the lines fit wrapped (counting a tenth of each
    line lost to breaks between words). The label's own stylesheet clips whatever an estimate misses.
    """
    width, height = sheet.text_width_pt, sheet.text_height_pt
    ems = [text_width_em(line) for line in lines]
    steps = [sheet.font_pt - 0.25 * step for step in range(int((sheet.font_pt - sheet.smallest_pt) / 0.25) + 1)]
    for size in steps:
        if size < sheet.readable_pt:
            break
        if len(lines) * size * LINE_HEIGHT <= height and all(em * size <= width for em in ems):
            return size, False
    for size in steps:
        wrapped_lines = sum(max(1, math.ceil(em * size / (width * 0.9))) for em in ems)
        if wrapped_lines * size * LINE_HEIGHT <= height:
            return size, True
    return sheet.smallest_pt, True


@dataclass(frozen=True)
class Label:
    left: float
    top: float
    lines: list[str]
    font_pt: float
    wraps: bool


def label_pages(rows: Iterable[MailingListRow], sheet: LabelSheet) -> list[list[Label]]:
    """The labels sheet by sheet, each placed on its spot of the label stock."""
    pages: list[list[Label]] = []
    for index, row in enumerate(rows):
        if index % sheet.per_sheet == 0:
            pages.append([])
        lines = [row.subscriber_reference, *row.label_lines()]
        size, wraps = label_font(lines, sheet)
        left, top = sheet.label_box(index % sheet.per_sheet)
        pages[-1].append(Label(left, top, lines, size, wraps))
    return pages


def mailing_labels_pdf(rows: Iterable[MailingListRow], issue: Issue, *, sheet: LabelSheet, provisional: bool) -> bytes:
    """The list as sheets of address labels; a provisional list says so in every sheet's top margin."""
    html = render_to_string(
        "circulation/labels.html",
        {
            "sheet": sheet,
            "pages": label_pages(rows, sheet) or [[]],
            "issue": issue,
            "magazine_name": settings.MAGAZINE_NAME,
            "provisional": provisional,
            "line_height": LINE_HEIGHT,
        },
    )
    # WeasyPrint (some 20 MB) loads when labels are made, not in every web process, which imports
    # this module with the admin's hooks at start (tests/test_web_process_imports.py).
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Nothing on a label sheet is fetched: a refusing fetcher keeps it so.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=set()), media_type="print").write_pdf()


# The printer's files of a list, by kind: the CSV, then a `labels-<sheet>` for each label sheet.
FILE_KINDS = [kind for kind, _label in MailingListFile.KINDS]


def label_sheet_for(kind: str) -> LabelSheet:
    """The label stock a `labels-<sheet>` kind is laid out for."""
    return LABEL_SHEETS[kind.removeprefix("labels-")]


def render(kind: str, rows: Sequence[MailingListRow], issue: Issue, *, provisional: bool) -> bytes:
    """The file of `kind` (see FILE_KINDS) for these rows, as the printer gets it."""
    if kind == "csv":
        return mailing_list_csv(rows).encode("utf-8")
    return mailing_labels_pdf(rows, issue, sheet=label_sheet_for(kind), provisional=provisional)


def content_type(kind: str) -> str:
    return "text/csv; charset=utf-8" if kind == "csv" else "application/pdf"


def download_name(issue: Issue, kind: str, *, provisional: bool) -> str:
    """The name the printer sees: the same for both label sheets, as the sheet is in the file."""
    return file_name(issue, "csv" if kind == "csv" else "pdf", provisional=provisional)


def stored_file_name(issue: Issue, kind: str) -> str:
    """The name a stored file is kept under: the download's, with its kind, so each label sheet has its own."""
    stem, extension = download_name(issue, kind, provisional=False).rsplit(".", 1)
    return f"{stem}-{kind}.{extension}"
