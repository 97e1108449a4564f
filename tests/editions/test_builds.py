"""Building the edition: on publish, again when an article changes, once per content, one worker at a time."""

from __future__ import annotations

import datetime
import io
import subprocess
import zipfile

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from wagtail.models import PageViewRestriction

from masthead.content.models import Author, CreditedImage
from masthead.content.services import create_or_update_article
from masthead.core import jobs
from masthead.editions import builds, epub
from masthead.editions.models import EditionFile
from masthead.editions.tasks import retry_failed_editions
from tests.factories import ArticleFactory, CreditedImageFactory, IssueFactory
from tests.personas import work_queued_on_commit
from tests.reading import parsed, words


def epub_document(edition: EditionFile, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(edition.path.read_bytes())).read(f"OEBPS/{name}").decode()


def pdf_text(edition: EditionFile) -> str:
    text = subprocess.run(["pdftotext", str(edition.path), "-"], capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())


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

    def broken(issue, articles=None):
        raise OSError("No space left on device")

    monkeypatch.setattr(epub, "build_issue_epub", broken)
    republish(march_articles[0], title="A new headline")
    outcome = builds.ensure_edition(march_issue.pk, "epub")

    assert outcome.result == builds.FAILED
    failed = edition_file(march_issue, "epub")
    assert (failed.status, failed.error) == (EditionFile.FAILED, "OSError: No space left on device")
    assert failed.file_name == before.file_name
    assert subscriber_client.get("/issues/2024/6/edition.epub").status_code == 200
    assert "EPUB: failed 1 time; will try again (OSError: No space left on device)" in march_issue.edition_status()

    monkeypatch.undo()  # the disk has room again: the retry, when due, builds
    assert builds.ensure_edition(march_issue.pk, "epub", now=failed.next_attempt_at).result == builds.BUILT
    assert edition_file(march_issue, "epub").status == EditionFile.READY


def test_a_build_another_worker_holds_is_left_to_it_until_its_claim_goes_stale(
    march_issue, march_articles, edition_file
):
    republish(march_articles[0], title="A new headline")
    now = timezone.now()
    assert jobs.claim(EditionFile, edition_file(march_issue, "pdf").pk, now) is not None

    assert builds.ensure_edition(march_issue.pk, "pdf", now=now + datetime.timedelta(minutes=5)).result == builds.BUSY
    # The first worker died: after half an hour another takes the job over.
    later = now + datetime.timedelta(minutes=31)
    assert builds.ensure_edition(march_issue.pk, "pdf", now=later).result == builds.BUILT


def test_a_worker_whose_claim_was_taken_over_throws_its_file_away(march_issue, edition_file):
    edition = edition_file(march_issue, "epub")
    stale_token = jobs.claim(EditionFile, edition.pk, timezone.now() - datetime.timedelta(hours=1))
    jobs.claim(EditionFile, edition.pk, timezone.now())  # taken over
    builds.write_file("2024/stale.epub", b"stale")

    with pytest.raises(jobs.ClaimLost):
        builds.install(edition.pk, stale_token, file_name="2024/stale.epub", file_size=5, content_hash="x")

    assert not (settings.EDITIONS_ROOT / "2024" / "stale.epub").exists()


def test_deleting_an_issue_removes_its_files_once_the_deletion_commits(
    march_issue, edition_file, django_capture_on_commit_callbacks
):
    paths = [edition_file(march_issue, file_format).path for file_format in ("epub", "pdf")]

    with django_capture_on_commit_callbacks(execute=True):
        march_issue.delete()
        assert all(path.exists() for path in paths)  # a deletion rolled back would leave the rows naming them

    assert not any(path.exists() for path in paths)


def test_the_admin_list_of_issues_shows_each_edition_status(march_issue, sections, admin_persona_client):
    IssueFactory(cover_date=datetime.date(2024, 4, 1), articles=[ArticleFactory()])

    response = admin_persona_client.get("/admin/snippets/editions/issue/")

    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "EPUB: ready; PDF: ready" in text
    assert "EPUB: not built; PDF: not built" in text


# -- failures are retried on a timer ---------------------------------------------------------------


def broken(issue, articles=None):
    raise OSError("No space left on device")


def test_a_failed_build_is_retried_with_back_off_and_given_up_after_the_last_attempt(
    march_issue, march_articles, edition_file, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(epub, "build_issue_epub", broken)
    republish(march_articles[0], title="A new headline")
    now = timezone.now()
    delays = []
    for attempt in range(1, EditionFile.MAX_ATTEMPTS + 1):
        assert builds.ensure_edition(march_issue.pk, "epub", now=now).result == builds.FAILED
        failed = edition_file(march_issue, "epub")
        assert failed.attempts == attempt
        if failed.next_attempt_at:
            delays.append((failed.next_attempt_at - now).total_seconds() / 60)
            assert builds.due_retries(failed.next_attempt_at) == [march_issue.pk]
            assert builds.due_retries(failed.next_attempt_at - datetime.timedelta(seconds=1)) == []
            early = failed.next_attempt_at - datetime.timedelta(seconds=1)
            assert builds.ensure_edition(march_issue.pk, "epub", now=early).result == builds.BUSY, "backing off"
            now = failed.next_attempt_at

    assert delays == [5, 20, 80, 320]
    assert failed.next_attempt_at is None
    assert "gave up after 5 attempts" in failed.error
    assert builds.due_retries(now + datetime.timedelta(days=2)) == []

    # An editor's next change is a new reason to build: its failure is retried on the timer again.
    with django_capture_on_commit_callbacks(execute=True):
        republish(march_articles[0], title="A newer headline")
    failed = edition_file(march_issue, "epub")
    assert (failed.status, failed.attempts) == (EditionFile.FAILED, 1)
    assert failed.next_attempt_at is not None


def test_the_periodic_task_builds_a_failed_file_again_once_its_retry_is_due(
    march_issue, march_articles, edition_file, monkeypatch
):
    monkeypatch.setattr(epub, "build_issue_epub", broken)
    republish(march_articles[0], title="A new headline")
    builds.ensure_editions(march_issue.pk)
    monkeypatch.undo()  # the disk has room again

    assert retry_failed_editions.call() == 0  # not due yet
    assert edition_file(march_issue, "epub").status == EditionFile.FAILED
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        assert retry_failed_editions.call() == 1

    rebuilt = edition_file(march_issue, "epub")
    assert (rebuilt.status, rebuilt.attempts, rebuilt.next_attempt_at, rebuilt.error) == (
        EditionFile.READY,
        0,
        None,
        "",
    )
    assert chapter_titles(rebuilt)[0] == "A new headline"


def test_a_build_whose_worker_died_is_taken_up_by_the_periodic_task(march_issue, march_articles, edition_file):
    republish(march_articles[0], title="A new headline")
    jobs.claim(EditionFile, edition_file(march_issue, "pdf").pk, timezone.now() - datetime.timedelta(hours=1))

    assert builds.due_retries(timezone.now()) == [march_issue.pk]
    assert retry_failed_editions.call() == 1
    assert edition_file(march_issue, "pdf").status == EditionFile.READY


# -- everything the edition shows triggers a build ---------------------------------------------------


def test_renaming_an_author_rebuilds_the_issues_with_their_byline(
    march_issue, edition_file, django_capture_on_commit_callbacks
):
    before = edition_file(march_issue, "pdf")
    author = Author.objects.get(name="Grace Mwangi")

    with django_capture_on_commit_callbacks(execute=True):
        author.name = "Grace W. Mwangi"
        author.save()

    assert "By Grace W. Mwangi" in epub_document(edition_file(march_issue, "epub"), "article-03.xhtml")
    assert edition_file(march_issue, "pdf").file_name != before.file_name


@pytest.mark.parametrize(
    "credit, field, corrected, document",
    [
        ("Ana Ruiz/Agency", "credit", "Ana Ruiz/Agence France", "article-01.xhtml"),  # inline picture
        ("Lee Park/Studio", "description", "Pontoons at first light", "article-01.xhtml"),  # hero picture
        ("Studio North", "credit", "Studio North/Harbour Press", "colophon.xhtml"),  # the cover
    ],
    ids=["inline credit", "hero alt text", "cover credit"],
)
def test_correcting_a_pictures_credit_or_alt_text_rebuilds_the_issues_showing_it(
    march_issue, edition_file, django_capture_on_commit_callbacks, credit, field, corrected, document
):
    image = CreditedImage.objects.get(credit=credit)

    with django_capture_on_commit_callbacks(execute=True):
        setattr(image, field, corrected)
        image.save()

    assert corrected in epub_document(edition_file(march_issue, "epub"), document)


def test_saving_a_picture_no_live_issue_shows_or_a_field_no_edition_shows_queues_nothing(
    march_issue, django_capture_on_commit_callbacks
):
    cover = CreditedImage.objects.get(credit="Studio North")

    with django_capture_on_commit_callbacks() as callbacks:
        CreditedImageFactory()
        unused = CreditedImageFactory()
        unused.credit = "Someone else"
        unused.save()
        cover.save(update_fields=["file_hash"])  # Wagtail stores a file's hash when it first needs it

    assert work_queued_on_commit(callbacks) == []


def test_moving_an_article_to_another_section_rebuilds_its_issue(
    march_issue, march_articles, sections, edition_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        march_articles[2].move(sections["finance"], pos="last-child")

    chapter = epub_document(edition_file(march_issue, "epub"), "article-03.xhtml")
    assert '<p class="kicker">Finance</p>' in chapter


def test_renaming_a_section_rebuilds_the_issues_with_its_articles(
    march_issue, sections, edition_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sections["culture"].title = "Arts and Culture"
        sections["culture"].save_revision().publish()

    assert '<p class="kicker">Arts and Culture</p>' in epub_document(
        edition_file(march_issue, "epub"), "article-03.xhtml"
    )


def test_an_article_behind_page_privacy_leaves_the_edition_and_the_issue_page(
    march_issue, march_articles, edition_file, anonymous, django_capture_on_commit_callbacks
):
    private = march_articles[1]

    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    assert chapter_titles(edition_file(march_issue, "epub")) == [
        "The Harbour That Learned to Float",
        "Songs of the Flood",
    ]
    assert private.title not in pdf_text(edition_file(march_issue, "pdf"))
    assert private.title not in words(parsed(anonymous.get("/issues/2024/6/")).select_one("main"))

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()

    assert chapter_titles(edition_file(march_issue, "epub"))[1] == private.title
    assert private.title in pdf_text(edition_file(march_issue, "pdf"))


def test_building_an_issue_by_hand_tries_at_once_even_while_its_failure_backs_off(
    march_issue, march_articles, edition_file, monkeypatch
):
    """The operator fixed what failed and names the issue: build_editions builds it now, not "busy"."""
    from django.core.management import call_command

    def broken(issue, articles=None):
        raise OSError("No space left on device")

    monkeypatch.setattr(epub, "build_issue_epub", broken)
    republish(march_articles[0], title="A new headline")
    assert builds.ensure_edition(march_issue.pk, "epub").result == builds.FAILED
    assert edition_file(march_issue, "epub").next_attempt_at is not None

    monkeypatch.undo()
    call_command(
        "build_editions", f"{march_issue.year}/{march_issue.number}", stdout=io.StringIO(), stderr=io.StringIO()
    )

    assert edition_file(march_issue, "epub").status == EditionFile.READY
