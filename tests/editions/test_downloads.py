"""Who gets the EPUB and PDF: subscribers and staff download them; everyone else gets the offer and no file."""

from __future__ import annotations

import datetime
import io
import logging
import zipfile

import pytest
from django.template.defaultfilters import filesizeformat
from django.test import Client

from masthead.editions import epub, pdf
from masthead.editions.builds import ensure_edition, ensure_editions
from masthead.subscriptions.models import Subscription
from masthead.subscriptions.services import do_refund_under_guarantee
from tests.editions.conftest import GATED_SENTENCE
from tests.factories import ArticleFactory, IssueFactory
from tests.reading import link_targets, main_text, parsed, words


def words_of(text: str) -> str:
    return " ".join(text.split())


EPUB_URL = "/issues/2024/6/edition.epub"
PDF_URL = "/issues/2024/6/edition.pdf"
DOWNLOADS = [
    (EPUB_URL, "application/epub+zip", "The Masthead Review - Vol. 5 No. 6 (March 15, 2024).epub", b"PK\x03\x04"),
    (PDF_URL, "application/pdf", "The Masthead Review - Vol. 5 No. 6 (March 15, 2024).pdf", b"%PDF-"),
]


@pytest.fixture(params=["anonymous", "reader_client", "lapsed_subscriber_client"])
def outsider(request) -> Client:
    """A visitor, Rita (registered, never subscribed) and Lou (subscription ended), in turn."""
    return request.getfixturevalue(request.param)


@pytest.fixture(params=["subscriber_client", "editor_client", "admin_persona_client"])
def entitled(request) -> Client:
    """Sam (subscriber), Eddie (editor) and Ada (superuser), in turn."""
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("url", [EPUB_URL, PDF_URL])
def test_readers_without_the_digital_edition_get_the_offer_and_no_file(march_issue, outsider, url):
    response = outsider.get(url)

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    assert not response.content.startswith((b"PK", b"%PDF"))
    assert GATED_SENTENCE not in response.content.decode()
    text = main_text(response)
    assert "edition is for subscribers" in text
    assert "Subscribe to The Masthead Review" in text
    assert link_targets(parsed(response).select_one(".subscribe-box"), "Subscribe") == ["/subscribe/"]


def test_a_visitor_is_offered_to_log_in_and_come_back_to_the_file(march_issue, anonymous):
    response = anonymous.get(EPUB_URL)

    assert link_targets(parsed(response).select_one("main"), "Log in") == [f"/account/login/?next={EPUB_URL}"]


@pytest.mark.parametrize("url, content_type, filename, magic", DOWNLOADS, ids=["epub", "pdf"])
def test_subscribers_and_staff_download_the_file(
    march_issue, edition_file, entitled, url, content_type, filename, magic
):
    response = entitled.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body.startswith(magic)
    assert body == edition_file(march_issue, url.rsplit(".", 1)[1]).path.read_bytes()


def test_the_epub_a_subscriber_downloads_is_a_whole_book_with_the_subscribers_only_text(march_issue, subscriber_client):
    body = b"".join(subscriber_client.get(EPUB_URL).streaming_content)

    book = zipfile.ZipFile(io.BytesIO(body))
    assert book.read("mimetype") == b"application/epub+zip"
    assert GATED_SENTENCE in book.read("OEBPS/article-02.xhtml").decode()


def test_a_lapsed_subscriber_loses_the_download_at_once(march_issue, subscriber, subscriber_client):
    assert subscriber_client.get(PDF_URL).status_code == 200
    do_refund_under_guarantee(Subscription.objects.get(reader=subscriber), actor="reader")

    assert subscriber_client.get(PDF_URL).status_code == 403


def test_a_file_not_built_yet_is_being_prepared_for_subscribers_not_an_error(sections, subscriber_client):
    IssueFactory(cover_date=datetime.date(2024, 3, 15), articles=[ArticleFactory()])

    response = subscriber_client.get(EPUB_URL)

    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert "The EPUB edition is being prepared" in main_text(response)


def broken_build(issue, articles=None):
    raise OSError("No space left on device")


def test_when_the_build_failed_subscribers_are_told_the_file_is_not_available_and_an_error_is_logged(
    sections, subscriber_client, monkeypatch, caplog
):
    issue = IssueFactory(cover_date=datetime.date(2024, 3, 15), articles=[ArticleFactory()])
    monkeypatch.setattr(epub, "build_issue_epub", broken_build)
    monkeypatch.setattr(pdf, "build_issue_pdf", broken_build)
    ensure_editions(issue.pk)

    with caplog.at_level(logging.ERROR, logger="masthead.editions.views"):
        response = subscriber_client.get(EPUB_URL)

    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store"
    text = main_text(response)
    assert "The EPUB edition is not available right now" in text
    assert "Our staff have been told" in text
    assert "being prepared" not in text
    assert [record.getMessage() for record in caplog.records if record.name == "masthead.editions.views"] == [
        f"A subscriber asked for the EPUB of {issue}, whose build failed: OSError: No space left on device"
    ]
    panel = parsed(subscriber_client.get("/issues/2024/6/")).select_one("#digital-edition")
    assert "The EPUB and PDF of this issue are not available right now; our staff have been told." in words(panel)
    assert edition_rows(subscriber_client.get("/account/")) == [
        f"{issue}: EPUB not available right now · PDF not available right now"
    ]


def test_a_file_that_failed_beside_one_that_was_built_says_so_on_the_issue_page(
    sections, subscriber_client, monkeypatch
):
    issue = IssueFactory(cover_date=datetime.date(2024, 3, 15), articles=[ArticleFactory()])
    ensure_edition(issue.pk, "pdf")
    monkeypatch.setattr(epub, "build_issue_epub", broken_build)
    ensure_edition(issue.pk, "epub")

    panel = parsed(subscriber_client.get("/issues/2024/6/")).select_one("#digital-edition")

    assert "EPUB: not available right now; our staff have been told." in words(panel)
    assert link_targets(panel, "Download PDF") == [PDF_URL]


def test_a_draft_or_missing_issue_has_no_edition(sections, subscriber_client):
    IssueFactory(cover_date=datetime.date(2024, 3, 15), live=False, has_unpublished_changes=True)

    assert subscriber_client.get(EPUB_URL).status_code == 404
    assert subscriber_client.get("/issues/2023/6/edition.pdf").status_code == 404


# -- the issue page ------------------------------------------------------------------------------


def test_subscribers_find_both_downloads_on_the_issue_page(march_issue, edition_file, subscriber_client):
    page = parsed(subscriber_client.get("/issues/2024/6/"))

    panel = page.select_one("#digital-edition")
    assert link_targets(panel, "Download EPUB") == [EPUB_URL]
    assert link_targets(panel, "Download PDF") == [PDF_URL]
    size = filesizeformat(edition_file(march_issue, "epub").path.stat().st_size)
    assert f"Download EPUB ({words_of(size)})" in words(panel)
    assert page.select_one(".subscribe-box") is None


def test_others_see_the_cover_the_contents_and_the_offer_but_no_download(march_issue, outsider):
    response = outsider.get("/issues/2024/6/")

    page = parsed(response)
    assert page.select_one(".issue-header img")["alt"] == "Cover: a city afloat"
    assert [words(h3) for h3 in page.select("ol.toc h3")] == [
        "The Harbour That Learned to Float",
        "Who Pays for the Tide",
        "Songs of the Flood",
    ]
    assert "Subscribers download every issue as an EPUB for e-readers and as a PDF" in main_text(response)
    assert words(page.select_one(".subscribe-box h2")) == "Subscribe to The Masthead Review"
    assert not page.select('a[href$="edition.epub"], a[href$="edition.pdf"]')


def test_the_page_cache_never_serves_a_subscribers_issue_page_to_visitors(march_issue, subscriber_client, anonymous):
    assert link_targets(parsed(subscriber_client.get("/issues/2024/6/")), "Download EPUB") == [EPUB_URL]

    first, second = anonymous.get("/issues/2024/6/"), anonymous.get("/issues/2024/6/")

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert not parsed(second).select('a[href$="edition.epub"]')
    assert link_targets(parsed(subscriber_client.get("/issues/2024/6/")), "Download EPUB") == [EPUB_URL]


def test_a_subscriber_sees_which_file_is_still_being_prepared(sections, subscriber_client):
    IssueFactory(cover_date=datetime.date(2024, 3, 15), articles=[ArticleFactory()])

    assert "The EPUB and PDF of this issue are being prepared." in words(
        parsed(subscriber_client.get("/issues/2024/6/")).select_one("#digital-edition")
    )


# -- the account page ----------------------------------------------------------------------------


def test_the_account_page_lists_every_issue_newest_first_with_its_downloads(march_issue, subscriber_client):
    newer = IssueFactory(cover_date=datetime.date(2024, 4, 1), articles=[ArticleFactory()])
    IssueFactory(cover_date=datetime.date(2024, 4, 15), live=False, has_unpublished_changes=True)

    panel = parsed(subscriber_client.get("/account/")).select_one("#digital-editions")

    assert [words(item) for item in panel.select("li")] == [
        f"{newer}: EPUB being prepared · PDF being prepared",
        f"{march_issue}: EPUB · PDF",
    ]
    assert link_targets(panel, "EPUB") == [EPUB_URL]
    assert link_targets(panel, "PDF") == [PDF_URL]
    assert link_targets(panel, str(march_issue)) == ["/issues/2024/6/"]


def a_long_archive(count: int) -> list:
    """`count` published issues, two a month from January 2023, newest first."""
    issues = [
        IssueFactory(
            cover_date=datetime.date(2023 + n // 24, 1 + n % 24 // 2, 1 if n % 2 == 0 else 15), cover_image=None
        )
        for n in range(count)
    ]
    return issues[::-1]


def test_a_long_archive_shows_the_newest_issues_on_the_account_page_and_links_to_all_of_them(
    sections, subscriber_client, django_assert_max_num_queries
):
    a_long_archive(13)

    with django_assert_max_num_queries(40):
        panel = parsed(subscriber_client.get("/account/")).select_one("#digital-editions")

    assert len(panel.select("li")) == 12
    assert link_targets(panel, "All 13 issues") == ["/account/editions/"]


def test_a_short_archive_is_listed_whole_on_the_account_page(march_issue, subscriber_client):
    panel = parsed(subscriber_client.get("/account/")).select_one("#digital-editions")

    assert not panel.select('a[href="/account/editions/"]')


def edition_rows(response) -> list[str]:
    return [words(item) for item in parsed(response).select("#digital-editions li")]


def test_every_issue_is_listed_with_its_downloads_newest_first_a_page_per_year(
    sections, subscriber_client, django_assert_max_num_queries
):
    issues = a_long_archive(26)

    with django_assert_max_num_queries(25):
        first = subscriber_client.get("/account/editions/")
    second = subscriber_client.get("/account/editions/?page=2")

    assert first.status_code == 200
    assert edition_rows(first) == [f"{issue}: EPUB being prepared · PDF being prepared" for issue in issues[:24]]
    assert edition_rows(second) == [f"{issue}: EPUB being prepared · PDF being prepared" for issue in issues[24:]]
    assert "26 issues, each as an EPUB for e-readers and as a PDF." in main_text(first)
    assert link_targets(parsed(first).select_one(".pagination"), "Older →") == ["?page=2"]
    assert edition_rows(subscriber_client.get("/account/editions/?page=99")) == edition_rows(second)
    with django_assert_max_num_queries(25):  # the same cost for a page of 2 issues as of 24
        subscriber_client.get("/account/editions/?page=2")


def test_the_list_of_every_issue_links_each_file(march_issue, entitled):
    response = entitled.get("/account/editions/")

    page = parsed(response).select_one("#digital-editions")
    assert edition_rows(response) == [f"{march_issue}: EPUB · PDF"]
    assert link_targets(page, "EPUB") == [EPUB_URL]
    assert link_targets(page, "PDF") == [PDF_URL]
    assert link_targets(page, str(march_issue)) == ["/issues/2024/6/"]


def test_readers_without_the_digital_edition_are_offered_it_instead_of_the_list(
    march_issue, reader_client, lapsed_subscriber_client
):
    for client in (reader_client, lapsed_subscriber_client):
        response = client.get("/account/editions/")

        assert response.status_code == 200
        assert not parsed(response).select('a[href$="edition.epub"], a[href$="edition.pdf"]')
        assert str(march_issue) not in main_text(response)
        assert "Subscribers download every issue as an EPUB and a PDF." in main_text(response)
        assert link_targets(parsed(response).select_one(".subscribe-box"), "Subscribe") == ["/subscribe/"]


def test_visitors_are_asked_to_log_in_for_the_list_of_every_issue(march_issue, anonymous):
    response = anonymous.get("/account/editions/")

    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/account/editions/"


def test_readers_without_a_subscription_are_offered_the_plans_on_the_account_page(march_issue, reader_client):
    panel = parsed(reader_client.get("/account/")).select_one("#digital-editions")

    assert "Subscribers download every issue as an EPUB and a PDF." in words(panel)
    assert link_targets(panel, "See the plans") == ["/subscribe/"]
    assert not panel.select('a[href$="edition.epub"]')


def test_rebuilt_files_replace_the_old_ones_for_the_next_download(
    sections, march_issue, edition_file, subscriber_client, django_capture_on_commit_callbacks
):
    old = edition_file(march_issue, "epub")
    ArticleFactory(
        section=sections["environment"],
        slug="the-harbour-that-learned-to-float",
        title="The Harbour That Learned to Float (corrected)",
    )
    with django_capture_on_commit_callbacks(execute=True):
        ensure_editions(march_issue.pk)

    new = edition_file(march_issue, "epub")
    assert new.file_name != old.file_name
    assert not old.path.exists()
    body = b"".join(subscriber_client.get(EPUB_URL).streaming_content)
    assert b"(corrected)" in zipfile.ZipFile(io.BytesIO(body)).read("OEBPS/article-01.xhtml")
