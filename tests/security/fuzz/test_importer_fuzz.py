"""The article importer, fed mutated exports: it imports whole, or refuses naming the file and line, and writes nothing.

The files start as the publisher's export format (tests/fixtures/seed) and are then mutated:
random bylines and dates, empty pages, lines inserted, replaced or dropped, huge lines, control
characters, markdown-ish junk, other line endings, and bytes that are not UTF-8.
"""

from __future__ import annotations

import calendar
import re
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from hypothesis import event, example, given
from hypothesis import strategies as st
from wagtail.models import Page, Revision

from masthead.content.importer import ArticleImportError, parse_article_text
from masthead.content.models import ArticleAuthor, ArticlePage, Author, CreditedImage
from tests.security.fuzz.hostile_input import any_text, assert_not_a_server_error, fuzz, mostly, rolled_back, visitor

MONTHS = [*calendar.month_name[1:], "Jan.", "Feb.", "Sept.", "Sep", "Febtember", "february", "MAY", "Dec"]

# Each part of an export as the publisher writes it (usual) and as a broken export has it (unusual).
usual_dates = st.builds(
    "{} {}, {}".format,
    st.sampled_from(calendar.month_name[1:]),
    st.integers(min_value=1, max_value=28),
    st.integers(min_value=1900, max_value=2100),
)
unusual_dates = st.one_of(
    st.builds(
        "{} {}, {}".format,
        st.sampled_from(MONTHS),
        st.integers(min_value=0, max_value=99),
        st.sampled_from(["2023", "0000", "0001", "9999", "999", "20233"]),
    ),
    st.sampled_from(["yesterday", "1 May 2023", "2023-05-01", ""]),
    any_text,
)
usual_names = st.sampled_from(["Marta Lindqvist", "Ann Lee", "Jean-Luc O'Neil", "Noor Haddad"])
unusual_names = st.one_of(
    st.sampled_from(["李明", "Ελένη Παππά", "***", "and", "[Ann Lee](#)", "Ann Lee and Bo Chen", "A" * 300]),
    any_text,
)
usual_titles = st.sampled_from(
    ["Water Rights on the Jordan", "[A linked title](#)", "Café *Society*", "Ελληνικά 2024", "Rates: up 0.5%"]
)
markdown_junk = st.lists(
    st.sampled_from(["[", "]", "(", ")", "*", "**", "\\$", "\\*", "#", "`", "_", "[a](b)", "![x](y)", "<b>", "&amp;"]),
    max_size=30,
).map("".join)
control_text = st.text(st.characters(max_codepoint=0x9F, categories=("Cc",)), min_size=1, max_size=5)
huge_lines = st.sampled_from([300, 5_000, 60_000]).map(lambda n: ("Huge line of words. " * n)[:n])
unusual_titles = st.one_of(st.sampled_from(["***", "李明的文章"]), huge_lines, any_text, markdown_junk)
usual_paragraphs = st.sampled_from(
    [
        "Farmers along the river say the new quotas arrived without warning.",
        "A landmark \\$60 billion deal, reported by *Nordic Energy Review*.",
        "<script>alert('x')</script> and [a link](http://example.com)",
    ]
)
unusual_paragraphs = st.one_of(any_text, markdown_junk, control_text, huge_lines)
credits = st.sampled_from(["Jane Roe/Reuters", "Oskar Holm/Nordlys Photo/Getty Images Plus", "A/" + "b" * 200])


def byline(names: list[str], date: str, linked: bool) -> str:
    joined = ", ".join(f"[{name}](#)" if linked else name for name in names)
    return f"Written by {joined} on {date}"


odd_lines = st.one_of(
    any_text,
    markdown_junk,
    control_text,
    huge_lines,
    st.builds(byline, st.lists(st.one_of(usual_names, unusual_names), max_size=3), unusual_dates, st.booleans()),
    st.sampled_from(
        [
            "",
            "Written by",
            "Written by Ann Lee, yesterday",
            "Subscribe to The Northern Review",
            "[Subscribe](#)",
            "What's Included?",
            "Jane Roe/Reuters",
            "\ufeffWritten by Ann Lee on May 1, 2023",
        ]
    ),
)


@st.composite
def export_texts(draw) -> str:
    """An article in the export format; half the time with unusual parts and a few mutations."""
    hostile = draw(st.booleans())

    def part(usual, unusual):
        return draw(mostly(usual, unusual) if hostile else usual)

    names = [part(usual_names, unusual_names) for _ in range(draw(st.sampled_from([1, 1, 2])))]
    date, linked = part(usual_dates, unusual_dates), draw(st.booleans())
    lines = [byline(names, date, linked), "", part(usual_titles, unusual_titles), ""]
    for page in range(draw(st.sampled_from([1, 2, 3]))):
        if page:
            other = hostile and draw(st.sampled_from([False, False, True]))
            again = byline([part(usual_names, unusual_names)], part(usual_dates, unusual_dates), linked)
            lines += [again if other else byline(names, date, linked), ""]
        for _ in range(draw(st.sampled_from([1, 1, 2, 3, 0] if hostile else [1, 2, 3]))):
            lines += [part(usual_paragraphs, unusual_paragraphs), ""]
        if draw(st.sampled_from([False, False, False, True])):  # a credit makes a placeholder photo: slow
            lines += [draw(credits), ""]
    if draw(st.booleans()):
        lines += ["Subscribe to The Northern Review", "", "- 24 Issues Per Year"]
    for _ in range(draw(st.sampled_from([0, 1, 2, 4])) if hostile else 0):
        where = draw(st.integers(min_value=0, max_value=len(lines)))
        mutation = draw(st.sampled_from(["insert", "replace", "drop"]))
        if mutation == "insert":
            lines.insert(where, draw(odd_lines))
        elif where < len(lines):
            if mutation == "replace":
                lines[where] = draw(odd_lines)
            else:
                del lines[where]
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "\u2028"] if hostile else ["\n", "\r\n"]))
    return newline.join(lines)


@st.composite
def export_files(draw) -> bytes:
    """An export as a file's bytes: UTF-8, sometimes with a byte that is not."""
    data = draw(export_texts()).encode("utf-8")
    if draw(st.sampled_from([False, False, False, False, True])):
        where = draw(st.integers(min_value=0, max_value=len(data)))
        data = (
            data[:where]
            + draw(st.sampled_from([b"\xff", b"\xc3(", b"\xe2\x82", b"\x80", b"\xed\xa0\x80"]))
            + data[where:]
        )
    return data


def export(authors: str, title: str = "Water Rights on the Jordan", *, credit: str = "") -> bytes:
    """A one-page export, for the examples every run tries."""
    text = f"Written by {authors} on March 3, 2024\n\n{title}\n\nFarmers say the quotas came without warning.\n"
    return (text + (f"\n{credit}\n" if credit else "")).encode()


def rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Page, ArticlePage, Revision, Author, ArticleAuthor, CreditedImage)
    }


def line_count(text: str) -> int:
    return max(1, len(text.splitlines()), text.count("\n") + 1)


@fuzz(60)
@given(text=export_texts())
def test_parsing_any_export_text_gives_an_article_or_a_refusal_naming_its_line(text):
    try:
        article = parse_article_text(text, "export.txt")
    except ArticleImportError as refusal:
        assert refusal.source == "export.txt"
        assert 1 <= refusal.line <= line_count(text), refusal
        return
    assert article.title and article.slug and article.authors
    assert article.pages and all(article.pages), "every web page has text"
    for html in (paragraph for page in article.pages for paragraph in page):
        # The export's text is escaped: the only markup is the importer's own italics.
        assert "<" not in re.sub(r"</?i>", "", html), html


@fuzz(30)
@given(files=st.lists(export_files(), min_size=1, max_size=2), draft=st.booleans())
@example(files=[export("Marta Lindqvist, Marta Lindqvist")], draft=False)  # one author named twice
@example(files=[export("Ann Lee", title="Huge title " * 27)], draft=False)  # a title longer than a page's
@example(files=[export("A" * 300)], draft=False)  # an author's name longer than its column
@example(files=[export("Ann Lee", title="Word " * 44, credit="Jane Roe/Reuters")], draft=False)  # a long alt text
def test_importing_any_exports_imports_them_whole_or_refuses_naming_file_and_line_and_writes_nothing(
    sections, files, draft
):
    with rolled_back(), tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / f"{number:03}.txt" for number in range(1, len(files) + 1)]
        for path, data in zip(paths, files, strict=True):
            path.write_bytes(data)
        target = paths[0] if len(paths) == 1 else Path(folder)
        before = rows()
        output = StringIO()
        try:
            call_command(
                "import_articles", str(target), "--section", "culture", *(["--draft"] if draft else []), stdout=output
            )
        except CommandError as refusal:
            event("refused: " + str(refusal).split(": ", 1)[1][:40])
            names = "|".join(re.escape(str(path)) for path in paths)
            assert re.fullmatch(rf"(?s)({names}):([0-9]+): .+ \(nothing was imported\)", str(refusal)), refusal
            assert rows() == before, "a refused import wrote rows"
            return

        imported = output.getvalue().splitlines()
        event("imported")
        assert imported and all(re.fullmatch(r"Imported /culture/[^/]+/ \(\d+ pages?\)", line) for line in imported)
        new_authors = Author.objects.order_by("-pk")[: rows()["Author"] - before["Author"]]
        new_images = CreditedImage.objects.order_by("-pk")[: rows()["CreditedImage"] - before["CreditedImage"]]
        for article in ArticlePage.objects.child_of(sections["culture"]):
            article.full_clean()  # what the importer stored fits the columns (PostgreSQL would refuse it otherwise)
        for author in new_authors:
            author.full_clean()
        for image in new_images:
            image.full_clean(exclude=["file"])


@fuzz(30)
@given(files=st.lists(export_files(), min_size=1, max_size=2))
@example(files=[export("李明")])  # a name with no letters a web address can use
def test_every_article_the_importer_accepts_can_be_read_and_listed(sections, files):
    with rolled_back(), tempfile.TemporaryDirectory() as folder:
        for number, data in enumerate(files, start=1):
            (Path(folder) / f"{number:03}.txt").write_bytes(data)
        try:
            call_command("import_articles", folder, "--section", "culture", stdout=StringIO())
        except Exception:
            return  # refusals (and crashes) are the property above; this one is about what was imported
        reader = visitor()
        for article in ArticlePage.objects.child_of(sections["culture"]).specific():
            for url in (article.url, f"{article.url}all/", f"/api/articles/{article.pk}/"):
                assert_not_a_server_error(reader.get(url), f"GET {url}")
        for url in ("/culture/", "/feed/", "/api/articles/"):
            assert_not_a_server_error(reader.get(url), f"GET {url}")
