"""Building the edition: on publish, again when an article changes, once per content, one worker at a time."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.conf import settings
from django.utils import timezone

from masthead.content.services import create_or_update_article
from masthead.editions import builds, epub
from masthead.editions.models import EditionFile
from tests.factories import ArticleFactory, IssueFactory


def chapter_titles(edition: EditionFile) -> list[str]:
    """The chapter headings of a built EPUB, in reading order."""
    book = zipfile.ZipFile(io.BytesIO(edition.path.read_bytes()))
    chapters = sorted(name for name in book.namelist() if name.startswith("OEBPS/article-"))
    titles = []
    for name in chapters:
        text = book.read(name).decode()
        titles.append(text.split("<h1", 1)[1].split(">", 1)[1].split("</h1>", 1)[0])
    return titles


def republish(article, **changes):
    """An editor's edit, published: the same article through the content services."""
    fields = {
        "section": article.get_parent().specific,
        "slug": article.slug,
        "title": article.title,
        "author_names": [author.name for author in article.byline_authors],
        "date": article.date,
        "body": article.body.raw_data,
        "standfirst": article.standfirst,
    }
    return create_or_update_article(**{**fields, **changes})


@pytest.fixture
def draft_issue(march_articles):
    return IssueFactory(
        cover_date=datetime.date(2024, 3, 15), live=False, has_unpublished_changes=True, articles=march_articles
    )


def test_publishing_an_issue_builds_its_epub_and_pdf_outside_media_root(
    draft_issue, edition_file, django_capture_on_commit_callbacks
):
    assert not EditionFile.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        draft_issue.save_revision().publish()

    for file_format, magic in [("epub", b"PK\x03\x04"), ("pdf", b"%PDF-")]:
        edition = edition_file(draft_issue, file_format)
        assert edition.status == EditionFile.READY
        assert edition.path.read_bytes().startswith(magic)
        assert edition.file_size == edition.path.stat().st_size
        assert edition.path.is_relative_to(settings.EDITIONS_ROOT)
        assert not edition.path.is_relative_to(settings.MEDIA_ROOT)
    assert chapter_titles(edition_file(draft_issue, "epub")) == [
        "The Harbour That Learned to Float",
        "Who Pays for the Tide",
        "Songs of the Flood",
    ]


def test_publishing_the_issue_again_unchanged_builds_nothing(
    draft_issue, edition_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft_issue.save_revision().publish()
    first = {file_format: edition_file(draft_issue, file_format) for file_format in ("epub", "pdf")}

    with django_capture_on_commit_callbacks(execute=True):
        draft_issue.save_revision().publish()

    for file_format, before in first.items():
        after = edition_file(draft_issue, file_format)
        assert (after.file_name, after.built_at, after.content_hash) == (
            before.file_name,
            before.built_at,
            before.content_hash,
        )
    assert builds.ensure_edition(draft_issue.pk, "epub").result == builds.UNCHANGED


def test_changing_an_article_of_a_live_issue_rebuilds_both_files_with_the_change(
    march_issue, march_articles, edition_file, django_capture_on_commit_callbacks
):
    before = {file_format: edition_file(march_issue, file_format) for file_format in ("epub", "pdf")}

    with django_capture_on_commit_callbacks(execute=True):
        republish(march_articles[2], title="Songs of the Flood, Sung Again")

    for file_format, old in before.items():
        new = edition_file(march_issue, file_format)
        assert new.content_hash != old.content_hash
        assert new.file_name != old.file_name
        assert new.path.exists() and not old.path.exists()
    assert chapter_titles(edition_file(march_issue, "epub"))[2] == "Songs of the Flood, Sung Again"


def test_republishing_an_article_unchanged_keeps_the_files(
    march_issue, march_articles, edition_file, django_capture_on_commit_callbacks
):
    before = edition_file(march_issue, "epub")

    with django_capture_on_commit_callbacks(execute=True):
        republish(march_articles[0])

    after = edition_file(march_issue, "epub")
    assert (after.file_name, after.built_at) == (before.file_name, before.built_at)


def test_withdrawing_an_article_rebuilds_the_edition_without_it(
    march_issue, march_articles, edition_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        march_articles[1].unpublish()

    assert chapter_titles(edition_file(march_issue, "epub")) == [
        "The Harbour That Learned to Float",
        "Songs of the Flood",
    ]


def test_publishing_an_article_outside_a_live_issue_builds_nothing(sections, django_capture_on_commit_callbacks):
    in_draft_issue = ArticleFactory(title="Early copy")
    IssueFactory(
        cover_date=datetime.date(2024, 6, 1), live=False, has_unpublished_changes=True, articles=[in_draft_issue]
    )

    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="A web-only piece")
        republish(in_draft_issue, title="Early copy, revised")

    assert not EditionFile.objects.exists()


def test_an_issue_whose_articles_are_all_withdrawn_offers_no_file(
    sections, edition_file, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    issue = IssueFactory(cover_date=datetime.date(2024, 6, 1), articles=[article])
    builds.ensure_editions(issue.pk)
    old_path = edition_file(issue, "epub").path

    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()

    assert edition_file(issue, "epub").file_name == ""
    assert not old_path.exists()


def test_a_failed_build_keeps_its_error_and_the_previous_file(
    march_issue, march_articles, edition_file, subscriber_client, monkeypatch
):
    before = edition_file(march_issue, "epub")

    def broken(issue):
        raise OSError("No space left on device")

    monkeypatch.setattr(epub, "build_issue_epub", broken)
    republish(march_articles[0], title="A new headline")
    outcome = builds.ensure_edition(march_issue.pk, "epub")

    assert outcome.result == builds.FAILED
    failed = edition_file(march_issue, "epub")
    assert (failed.status, failed.error) == (EditionFile.FAILED, "OSError: No space left on device")
    assert failed.file_name == before.file_name
    assert subscriber_client.get("/issues/2024/6/edition.epub").status_code == 200
    assert "EPUB: failed (OSError: No space left on device)" in march_issue.edition_status()

    monkeypatch.undo()
    assert builds.ensure_edition(march_issue.pk, "epub").result == builds.BUILT
    assert edition_file(march_issue, "epub").status == EditionFile.READY


def test_a_build_another_worker_holds_is_left_to_it_until_its_claim_goes_stale(
    march_issue, march_articles, edition_file
):
    republish(march_articles[0], title="A new headline")
    now = timezone.now()
    assert builds.claim(edition_file(march_issue, "pdf"), now) is not None

    assert builds.ensure_edition(march_issue.pk, "pdf", now=now + datetime.timedelta(minutes=5)).result == builds.BUSY
    # The first worker died: after half an hour another takes the job over.
    later = now + datetime.timedelta(minutes=31)
    assert builds.ensure_edition(march_issue.pk, "pdf", now=later).result == builds.BUILT


def test_a_worker_whose_claim_was_taken_over_throws_its_file_away(march_issue, edition_file):
    edition = edition_file(march_issue, "epub")
    stale_token = builds.claim(edition, timezone.now() - datetime.timedelta(hours=1))
    builds.claim(edition, timezone.now())  # taken over
    builds.write_file("2024/stale.epub", b"stale")

    with pytest.raises(builds.BuildLost):
        builds.install(edition.pk, stale_token, file_name="2024/stale.epub", file_size=5, content_hash="x")

    assert not (settings.EDITIONS_ROOT / "2024" / "stale.epub").exists()


def test_deleting_an_issue_removes_its_files(march_issue, edition_file):
    paths = [edition_file(march_issue, file_format).path for file_format in ("epub", "pdf")]

    march_issue.delete()

    assert not any(path.exists() for path in paths)


def test_the_admin_list_of_issues_shows_each_edition_status(march_issue, sections, admin_persona_client):
    IssueFactory(cover_date=datetime.date(2024, 4, 1), articles=[ArticleFactory()])

    response = admin_persona_client.get("/admin/snippets/editions/issue/")

    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "EPUB: ready; PDF: ready" in text
    assert "EPUB: not built; PDF: not built" in text
