"""The dashboard's tables: what each chart draws, shown on the page and written to CSV from the same rows.

A table's HTML is written here rather than by template loops: a five-year dashboard has thousands
of cells, and the template engine took longer over them than the database over the figures.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeData, SafeString

from masthead.circulation.printer_files import UTF8_BOM, csv_cell
from masthead.subscriptions.money import format_money, format_units

# A number as the numeric columns write one (-3, 1250, 12.50): nothing a spreadsheet runs.
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def plain(value) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Column:
    """A table's column: how a value is shown on the page and written to the CSV file."""

    heading: str
    shown: Callable[[object], str] = plain
    written: Callable[[object], str] = plain
    numeric: bool = True


def text_column(heading: str) -> Column:
    return Column(heading, numeric=False)


def count_column(heading: str) -> Column:
    return Column(heading, shown=lambda value: "" if value is None else f"{value:,}")


def signed_count_column(heading: str) -> Column:
    """A change: +12, −3 (a true minus sign on the page), no change."""

    def shown(value) -> str:
        if value is None:
            return ""
        return f"+{value:,}" if value > 0 else ("no change" if value == 0 else f"\u2212{-value:,}")

    return Column(heading, shown=shown)


def money_column(heading: str, currency: str) -> Column:
    return Column(
        heading,
        shown=lambda value: "" if value is None else format_money(value, currency),
        written=lambda value: "" if value is None else format_units(value, currency),
    )


def percent_column(heading: str) -> Column:
    return Column(
        heading,
        shown=lambda value: "" if value is None else f"{value:.1f}%",
        written=lambda value: "" if value is None else f"{value:.2f}",
    )


@dataclass
class Table:
    """Rows of raw values (counts, minor units, per cents) under their columns; the first column names the row."""

    slug: str
    title: str
    columns: list[Column]
    rows: list[list]
    note: str = ""
    numbered: bool = False  # rows numbered as their chart's bars are

    def column_named(self, heading: str) -> list:
        index = [column.heading for column in self.columns].index(heading)
        return [row[index] for row in self.rows]

    def html(self) -> SafeString:
        """The table as the page shows it: a caption, column headings, a heading cell per row."""
        number = [SafeString('<th scope="col" class="numeric">#</th>')] if self.numbered else []
        headings = format_html_join(
            "",
            '<th scope="col"{}>{}</th>',
            ((numeric_class(column.numeric), column.heading) for column in self.columns),
        )
        body = format_html_join(
            "", "<tr>{}</tr>", ((self.row_html(index, row),) for index, row in enumerate(self.rows))
        )
        if not self.rows:
            body = format_html('<tr><td colspan="{}">Nothing yet.</td></tr>', len(self.columns) + len(number))
        return format_html(
            '<table class="listing circulation-table" id="table-{}"><caption>{}</caption>'
            "<thead><tr>{}{}</tr></thead><tbody>{}</tbody></table>",
            self.slug,
            self.title,
            SafeString("".join(number)),
            headings,
            body,
        )

    def row_html(self, index: int, row: list) -> SafeString:
        # Joined as plain strings, each cell's text escaped once: format_html per cell was most of a
        # five-year table's cost.
        cells = [f'<td class="numeric">{index + 1}</td>'] if self.numbered else []
        for position, (column, value) in enumerate(zip(self.columns, row, strict=True)):
            opening, closing = ('<th scope="row"', "</th>") if position == 0 else ("<td", "</td>")
            cells.append(f"{opening}{numeric_class(column.numeric)}>{escaped(column.shown(value))}{closing}")
        return SafeString("".join(cells))

    def written_rows(self) -> Iterable[list[str]]:
        yield [column.heading for column in self.columns]
        for row in self.rows:
            yield [column.written(value) for column, value in zip(self.columns, row, strict=True)]

    def csv(self) -> str:
        """The table as CSV for a spreadsheet: UTF-8 with a byte order mark, no cell that runs as a formula.

        Text (headings, names) is quoted when it could run; a numeric column's plain numbers are left as
        they are so that a fall of 3 stays the number -3 (anything else in it is treated as text).
        """
        out = io.StringIO()
        out.write(UTF8_BOM)
        writer = csv.writer(out, lineterminator="\r\n")
        rows = iter(self.written_rows())
        writer.writerow([csv_cell(heading) for heading in next(rows)])
        for row in rows:
            writer.writerow(
                [
                    cell if column.numeric and PLAIN_NUMBER.fullmatch(cell) else csv_cell(cell)
                    for column, cell in zip(self.columns, row, strict=True)
                ]
            )
        return out.getvalue()


def escaped(text: str) -> str:
    """`text` for HTML, as format_html would write it (text already marked safe is left as it is)."""
    return text if isinstance(text, SafeData) else html.escape(text)


def numeric_class(numeric: bool) -> SafeString:
    return SafeString(' class="numeric"' if numeric else "")
