"""The printer's files, read back as the printer would: the CSV parsed, the label sheets through pdftotext."""

from __future__ import annotations

import csv
import datetime
import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from masthead.circulation.models import MailingListRow
from masthead.circulation.printer_files import LABEL_SHEETS, POINTS_PER_MM, mailing_labels_pdf, mailing_list_csv
from masthead.circulation.services import close_issue, subscriber_reference
from masthead.editions.models import Issue
from masthead.subscriptions.models import PostalAddress

pytestmark = pytest.mark.django_db


def pdftotext(pdf: bytes, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def label_texts(pdf: bytes) -> list[str]:
    """Each label's words, in the order they were laid out (-raw keeps the content stream's order)."""
    return [" ".join(page.split()) for page in pdftotext(pdf, "-raw").split("\f") if page.strip()]


def row(position: int, **fields) -> MailingListRow:
    values = {
        "subscriber_reference": f"S-{position + 1:06d}",
        "name": "Sam Subscriber",
        "line1": "12 Court Street",
        "line2": "",
        "city": "Brooklyn",
        "region": "NY",
        "postal_code": "11201",
        "country": "US",
    }
    return MailingListRow(position=position, subscription_id=position + 1, **{**values, **fields})


def test_the_csv_has_one_row_per_copy_in_list_order_with_the_columns_a_mail_merge_maps(
    ledger, issue, circulation_client
):
    close_issue(issue)
    response = circulation_client.get(f"/admin/print-runs/{issue.pk}/mailing-list.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mailing-list-vol8-no12-2027-06-15.csv"'
    assert response.content.startswith("\ufeff".encode())  # the byte order mark Excel needs to read UTF-8
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == [
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
    yusuf = subscriber_reference(ledger.readers["yusuf"].pk)
    carla = subscriber_reference(ledger.readers["carla"].pk)
    assert table[1] == ["1", carla, "Carla Klein", "Unter den Linden 5", "", "Berlin", "", "10117", "DE", "Germany"]
    assert table[4] == [
        "4",
        yusuf,
        "Yusuf Young",
        "12 Court Street",
        "Apt 4",
        "Brooklyn",
        "NY",
        "11201",
        "US",
        "United States",
    ]
    assert [line[2] for line in table[1:]] == [
        "Carla Klein",
        "Alice Archer",
        "Paolo Rossi",
        "Yusuf Young",
        "Hank Hill",
        "Cody Comp",
    ]


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text(ledger, issue, circulation_client):
    address = PostalAddress.objects.filter(reader=ledger.readers["cody"]).get()
    address.name = '=HYPERLINK("http://evil.example","Cody")'
    address.save(update_fields=["name"])
    close_issue(issue)

    table = list(
        csv.reader(
            io.StringIO(
                circulation_client.get(f"/admin/print-runs/{issue.pk}/mailing-list.csv").content.decode("utf-8-sig")
            )
        )
    )

    assert table[-1][2] == '\'=HYPERLINK("http://evil.example","Cody")'


@pytest.mark.parametrize(
    "name",
    [
        '  =HYPERLINK("http://evil.example","Cody")',  # leading spaces
        "\u3000=1+2",  # an ideographic space
        '\uff1dHYPERLINK("http://evil.example")',  # full-width ＝
        "\uff0b1+2",  # ＋
        "\uff0d1+2",  # －
        "\uff20SUM(A1)",  # ＠
    ],
)
def test_a_formula_behind_spaces_or_in_full_width_characters_is_written_as_text_too(name):
    [line] = list(csv.reader(io.StringIO(mailing_list_csv([row(0, name=name)]).removeprefix("\ufeff"))))[1:]

    assert line[2] == f"'{name}"


def test_accented_names_reach_excel_intact(ledger, issue, circulation_client):
    address = PostalAddress.objects.filter(reader=ledger.readers["carla"]).get()
    address.name, address.city = "Carla Kle\u00efn-M\u00fcller", "K\u00f6ln"
    address.save(update_fields=["name", "city"])
    close_issue(issue)

    body = circulation_client.get(f"/admin/print-runs/{issue.pk}/mailing-list.csv").content

    assert body.startswith(b"\xef\xbb\xbfSequence,")  # UTF-8 with a BOM: Excel reads it as UTF-8, not cp1252
    assert "Carla Kle\u00efn-M\u00fcller,Unter den Linden 5,,K\u00f6ln" in body.decode("utf-8-sig")


def test_the_label_sheet_has_every_address_in_list_order(ledger, issue, circulation_client):
    close_issue(issue)
    response = circulation_client.get(f"/admin/print-runs/{issue.pk}/mailing-labels.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="mailing-list-vol8-no12-2027-06-15.pdf"'
    [sheet] = label_texts(response.content)
    carla = subscriber_reference(ledger.readers["carla"].pk)
    yusuf = subscriber_reference(ledger.readers["yusuf"].pk)
    assert sheet.startswith(f"{carla} Carla Klein Unter den Linden 5 10117 BERLIN GERMANY")
    assert f"{yusuf} Yusuf Young 12 Court Street Apt 4 BROOKLYN, NY 11201 UNITED STATES" in sheet
    assert sheet.endswith("Cody Comp 1 Infinite Loop CUPERTINO, CA 95014 UNITED STATES")
    order = [sheet.index(name) for name in ["Carla", "Alice", "Paolo", "Yusuf", "Hank", "Cody"]]
    assert order == sorted(order)
    assert "PROVISIONAL" not in sheet


def test_a_provisional_sheet_says_so_and_so_does_its_file_name(ledger, next_issue, circulation_client):
    response = circulation_client.get(f"/admin/print-runs/{next_issue.pk}/mailing-labels.pdf?sheet=letter")

    assert response["Content-Disposition"] == 'attachment; filename="mailing-list-vol8-no13-2027-07-01-PROVISIONAL.pdf"'
    [sheet] = label_texts(response.content)
    assert sheet.startswith("PROVISIONAL: Vol. 8, No. 13 has not closed. Not for the printer.")
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)  # US Letter


@pytest.mark.parametrize("sheet_name", ["a4", "letter"])
def test_labels_fill_the_sheet_across_then_down_and_start_a_new_sheet_when_full(sheet_name):
    sheet = LABEL_SHEETS[sheet_name]
    rows = [row(index, name=f"Reader Number{index + 1}") for index in range(sheet.per_sheet + 2)]

    pdf = mailing_labels_pdf(rows, _issue(), sheet=sheet, provisional=False)

    pages = label_texts(pdf)
    assert len(pages) == 2
    assert "Reader Number1 " in pages[0] and f"Reader Number{sheet.per_sheet} " in pages[0]
    assert f"Reader Number{sheet.per_sheet + 1} " in pages[1]
    words = words_with_boxes(pdf)
    first = next(word for word in words if word.text == "Number1")
    second = next(word for word in words if word.text == "Number2")
    below = next(word for word in words if word.text == f"Number{sheet.columns + 1}")
    assert second.page == first.page and abs(second.y_min - first.y_min) < 1  # across
    assert abs(below.x_min - first.x_min) < 1 and below.y_min > first.y_min  # then down


LONG = {
    "name": "Dr. Maximiliane Alexandra von Hohenzollern-Sigmaringen-Wittelsbach",
    "line1": "Apartment 1234, Building W, Floor 56, Mountainview Residential Complex",
    "line2": "c/o The International Organisation for Standardisation, Mailroom 7",
    "city": "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
    "region": "Isle of Anglesey",
    "postal_code": "LL61 5UJ",
    "country": "GB",
}
ABSURD = {
    "name": "W" * 120,
    "line1": " ".join(["Mountainview"] * 16),
    "line2": "M" * 90,
    "city": "Springfield",
    "region": "",
    "postal_code": "62701",
    "country": "US",
}


@pytest.mark.parametrize("sheet_name", ["a4", "letter"])
@pytest.mark.parametrize("address", [LONG, ABSURD], ids=["long", "absurd"])
def test_a_long_address_stays_inside_its_label(sheet_name, address):
    sheet = LABEL_SHEETS[sheet_name]
    rows = [row(0), row(1, **address), row(2), row(3, **address), row(4)]

    pdf = mailing_labels_pdf(rows, _issue(), sheet=sheet, provisional=False)

    labels = label_boxes(sheet)
    for word in words_with_boxes(pdf):
        assert any(word.inside(box) for box in labels), f"{word.text!r} spills out of its label"
    if address is LONG:
        # Shrunk or wrapped, but nothing is lost: every line of the address is printed whole.
        printed = "".join("".join(label_texts(pdf)).split())
        for line in row(1, **LONG).label_lines():
            assert "".join(line.split()) in printed


class Word:
    def __init__(self, page: int, text: str, x_min: float, y_min: float, x_max: float, y_max: float):
        self.page, self.text = page, text
        self.x_min, self.y_min, self.x_max, self.y_max = x_min, y_min, x_max, y_max

    def inside(self, box: tuple[float, float, float, float], slack: float = 0.5) -> bool:
        left, top, right, bottom = box
        return (
            self.x_min >= left - slack
            and self.x_max <= right + slack
            and self.y_min >= top - slack
            and self.y_max <= bottom + slack
        )


def words_with_boxes(pdf: bytes) -> list[Word]:
    """Every word pdftotext finds, with its bounding box in points from the page's top-left corner."""
    html = pdftotext(pdf, "-bbox")
    words = []
    for page_number, page in enumerate(html.split("<page ")[1:]):
        for match in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
        ):
            x_min, y_min, x_max, y_max = (float(value) for value in match.groups()[:4])
            words.append(Word(page_number, match.group(5), x_min, y_min, x_max, y_max))
    return words


def label_boxes(sheet) -> list[tuple[float, float, float, float]]:
    """Each label's rectangle on the stock, in points: (left, top, right, bottom)."""
    boxes = []
    for index in range(sheet.per_sheet):
        left, top = sheet.label_box(index)
        right, bottom = left + sheet.label_width, top + sheet.label_height
        boxes.append(tuple(value * POINTS_PER_MM for value in (left, top, right, bottom)))
    return boxes


def _issue() -> Issue:
    return Issue(volume=8, number=12, cover_date=datetime.date(2027, 6, 15))
