"""Importing the publisher's text pages: the seed reads as the old site showed it; bad files are refused whole."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from masthead.content.importer import ArticleImportError, parse_path
from masthead.content.models import ArticlePage
from tests.reading import main_text, parsed, words
from tests.seed import SEED_BYLINE, SEED_CREDIT, SEED_FILE, SEED_LAST_WORDS, SEED_PAGE_OPENINGS, SEED_TITLE, SEED_URL

GOOD_ARTICLE = """\
Written by [Noor Haddad](#) on March 3, 2024

Water Rights on the Jordan

Farmers along the river say the new quotas arrived without warning.

Jane Roe/Reuters
"""


def import_file(path, section="foreign-affairs") -> str:
    """Run the import command as an editor would and return what it printed."""
    from io import StringIO

    out = StringIO()
    call_command("import_articles", str(path), "--section", section, stdout=out)
    return out.getvalue()


@pytest.fixture
def imported_seed(sections, anonymous):
    """The seed imported through the command, and its single-page view as a reader sees it."""
    output = import_file(SEED_FILE)
    return output, anonymous.get(SEED_URL + "all/")


def test_import_command_reports_the_public_address_and_page_count_of_the_seed(imported_seed):
    output, _ = imported_seed

    assert output.strip() == f"Imported {SEED_URL} (3 pages)"


def test_imported_seed_has_its_title_author_and_date(imported_seed, anonymous):
    response = anonymous.get(SEED_URL)

    assert response.status_code == 200
    page = parsed(response)
    assert words(page.select_one("main h1")) == SEED_TITLE
    byline = page.select_one(".byline")
    assert words(byline) == SEED_BYLINE
    assert byline.select_one("a")["href"] == "/authors/marta-lindqvist/"
    assert byline.select_one("time")["datetime"] == "2023-02-07"


def test_imported_seed_is_split_into_three_pages_where_the_byline_repeats(imported_seed, anonymous):
    for number, opening in enumerate(SEED_PAGE_OPENINGS, start=1):
        url = SEED_URL if number == 1 else f"{SEED_URL}{number}/"
        page = parsed(anonymous.get(url))
        body = words(page.select_one(".article-body"))
        assert body.startswith(opening)
        assert f"Page {number} of 3" in words(page.select_one(".page-position"))
        # The repeated bylines became page breaks, not text.
        assert "Written by" not in body


def test_imported_seed_credits_its_photo_instead_of_printing_the_credit_as_a_paragraph(imported_seed):
    _, single_page = imported_seed
    page = parsed(single_page)

    assert words(page.select_one("figure.hero .credit")) == SEED_CREDIT
    assert page.select_one("figure.hero img")["alt"]
    assert SEED_CREDIT not in words(page.select_one(".article-body"))


def test_imported_seed_leaves_out_the_old_sites_subscribe_box(imported_seed):
    _, single_page = imported_seed
    body = words(parsed(single_page).select_one(".article-body"))

    assert body.endswith(SEED_LAST_WORDS)
    for chrome in ("Subscribe to The Northern Review", "Nordic capital!", "What's Included?", "24 Issues Per Year"):
        assert chrome not in main_text(single_page)


def test_imported_seed_shows_dollar_amounts_without_the_export_backslash(imported_seed):
    _, single_page = imported_seed
    body = words(parsed(single_page).select_one(".article-body"))

    assert "landmark $60 billion undersea cable deal" in body
    assert "\\$" not in single_page.content.decode()


def test_imported_seed_sets_publication_names_in_italics(imported_seed):
    _, single_page = imported_seed
    italics = [words(element) for element in parsed(single_page).select(".article-body i")]

    assert italics == ["Nordic Energy Review"]
    assert "*Nordic Energy Review*" not in single_page.content.decode()


def test_importing_the_seed_twice_updates_the_one_article(imported_seed, anonymous):
    import_file(SEED_FILE)

    assert ArticlePage.objects.filter(slug=SEED_URL.split("/")[2]).count() == 1
    assert anonymous.get(SEED_URL + "3/").status_code == 200


def test_import_as_draft_keeps_the_article_from_readers(sections, anonymous):
    call_command("import_articles", str(SEED_FILE), "--section", "foreign-affairs", "--draft", stdout=None)

    assert anonymous.get(SEED_URL).status_code == 404


# -- malformed input ----------------------------------------------------------------------------


def write(folder, name: str, text: str):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param(
            "\nWritten by [Ann Lee](#) on Febtember 7, 2023\n\nA Title\n\nBody.\n",
            2,
            "cannot read the date 'Febtember 7, 2023'",
            id="unreadable date",
        ),
        pytest.param(
            "A stray line before any byline\n\nWritten by Ann Lee on May 1, 2023\n\nTitle\n\nBody.\n",
            1,
            "text before the first byline",
            id="text before the byline",
        ),
        pytest.param(
            "Written by Ann Lee on May 1, 2023\n\nTitle\n\nBody.\n\nWritten by Bo Chen on May 1, 2023\n\nMore.\n",
            7,
            "this page's byline differs from the first page's",
            id="second byline names another author",
        ),
        pytest.param(
            "Written by Ann Lee on May 1, 2023\n\nTitle\n\nBody.\n\nWritten by Ann Lee, yesterday\n",
            7,
            "cannot read the byline",
            id="garbled second byline",
        ),
        pytest.param(
            "Written by Ann Lee on May 1, 2023\n\n***\n\nBody.\n",
            3,
            "the title has nothing to make a web address from",
            id="title without letters",
        ),
        pytest.param("Just some notes.\nNo byline at all.\n", 1, "text before the first byline", id="no byline"),
        pytest.param("Written by Ann Lee on May 1, 2023\n\nTitle\n", 3, "no body text", id="no body"),
    ],
)
def test_malformed_file_is_refused_with_its_name_and_line(sections, tmp_path, text, line, message):
    path = write(tmp_path, "bad.txt", text)

    with pytest.raises(CommandError) as refused:
        import_file(path)

    assert str(refused.value).startswith(f"{path}:{line}: ")
    assert message in str(refused.value)
    assert "nothing was imported" in str(refused.value)
    assert not ArticlePage.objects.exists()


def test_file_that_is_not_utf8_is_refused_at_the_line_with_the_bad_byte(sections, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Written by Ann Lee on May 1, 2023\n\nCaf\xe9 Society\n".encode("latin-1"))

    with pytest.raises(CommandError, match=rf"^{path}:3: the file is not UTF-8 text"):
        import_file(path)


def test_folder_with_one_bad_file_imports_nothing_at_all(sections, tmp_path, anonymous):
    write(tmp_path, "001_good.txt", GOOD_ARTICLE)
    (tmp_path / "002_seed.txt").write_text(SEED_FILE.read_text())
    bad = write(tmp_path, "003_bad.txt", "Written by Ann Lee on 1 May 2023\n\nTitle\n\nBody.\n")

    with pytest.raises(CommandError, match=rf"^{bad}:1: cannot read the byline"):
        import_file(tmp_path)

    assert not ArticlePage.objects.exists()
    assert anonymous.get("/foreign-affairs/water-rights-on-the-jordan/").status_code == 404
    assert anonymous.get(SEED_URL).status_code == 404


def test_folder_of_good_files_imports_each_article(sections, tmp_path, anonymous):
    write(tmp_path, "001_good.txt", GOOD_ARTICLE)
    (tmp_path / "002_seed.txt").write_text(SEED_FILE.read_text())

    output = import_file(tmp_path)

    assert output.splitlines() == [
        "Imported /foreign-affairs/water-rights-on-the-jordan/ (1 page)",
        f"Imported {SEED_URL} (3 pages)",
    ]
    page = parsed(anonymous.get("/foreign-affairs/water-rights-on-the-jordan/"))
    assert words(page.select_one(".byline")) == "Written by Noor Haddad on March 3, 2024"
    assert words(page.select_one("figure.hero .credit")) == "Jane Roe/Reuters"


def test_empty_folder_and_missing_path_and_unknown_section_are_refused_clearly(sections, tmp_path):
    with pytest.raises(CommandError, match="no .txt files to import"):
        import_file(tmp_path)
    with pytest.raises(CommandError, match="no such file or folder"):
        import_file(tmp_path / "missing.txt")
    with pytest.raises(CommandError, match="No section 'sport'; known sections: politics, finance, foreign-affairs"):
        import_file(SEED_FILE, section="sport")


def test_parser_error_names_file_and_line_for_callers_other_than_the_command(tmp_path):
    path = write(tmp_path, "bad.txt", "Written by Ann Lee on May 1, 2023\n")

    with pytest.raises(ArticleImportError) as refused:
        parse_path(path)

    assert (refused.value.source, refused.value.line) == (str(path), 1)


def test_reimporting_as_draft_leaves_the_published_text_alone(imported_seed, tmp_path, anonymous):
    revised = write(tmp_path, "revised.txt", SEED_FILE.read_text().replace("no limits", "some limits"))

    call_command("import_articles", str(revised), "--section", "foreign-affairs", "--draft", stdout=None)

    text = main_text(anonymous.get(SEED_URL))
    assert "there would be “no limits” to their cooperation" in text
    assert "some limits" not in text
