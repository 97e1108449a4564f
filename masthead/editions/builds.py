"""Writes of the digital edition: building an issue's EPUB and PDF files, once per content, one worker at a time.

A build is a job on its row (masthead.core.jobs: claimed with a conditional UPDATE, so two workers
never build the same file); the slow part (rendering) runs outside any transaction; the finished
file replaces the old one only if the claim still holds. The content hash (issue, articles,
images, site names and the renderer's version) is compared first, so an unchanged issue is never
built twice and `build_editions --all` carries on where a stopped run left off. A failed build is
tried again with back-off (`due_retries`, run by the periodic task `tasks.retry_failed_editions`)."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from masthead.content.blocks import IMAGE
from masthead.core import jobs
from masthead.core.private_files import delete_quietly, save_whole
from masthead.editions import conf
from masthead.editions.models import EditionFile, Issue
from masthead.editions.queries import issue_contents

logger = logging.getLogger(__name__)

BUILT, UNCHANGED, BUSY, FAILED, GONE, EMPTY = "built", "unchanged", "busy", "failed", "gone", "empty"


@dataclass(frozen=True)
class Outcome:
    """What ensure_edition did; `again`: the issue changed while its file was being built."""

    result: str
    again: bool = False


def renderer(file_format: str) -> tuple[Callable[[Issue, list], bytes], str]:
    """The function that renders a format, and its version (part of the content hash)."""
    if file_format == EditionFile.EPUB:
        from masthead.editions import epub

        return epub.build_issue_epub, epub.FORMAT_VERSION
    from masthead.editions import pdf

    return pdf.build_issue_pdf, pdf.FORMAT_VERSION


def live_issue(issue_id: int) -> Issue | None:
    return Issue.objects.filter(pk=issue_id, live=True).select_related("cover_image").first()


# -- what a file is built from -------------------------------------------------------------------


def image_key(image) -> list | None:
    return None if image is None else [image.pk, image.file.name, image.description, image.credit]


def content_key(issue: Issue, articles: list) -> str:
    """Everything the edition shows, in order; any change to it (and only that) means a new build."""
    data = {
        "site": [settings.MAGAZINE_NAME, settings.PUBLISHER_NAME, settings.SITE_URL, settings.LANGUAGE_CODE],
        "issue": [issue.volume, issue.number, issue.cover_date.isoformat(), issue.title, image_key(issue.cover_image)],
        "articles": [
            {
                "id": article.pk,
                "url": article.url_path,
                "title": article.title,
                "standfirst": article.standfirst,
                "date": article.date.isoformat(),
                "section": article.section.title if getattr(article, "section", None) else "",
                "byline": [author.name for author in article.byline_authors],
                "hero": [image_key(article.hero_image), article.hero_caption],
                # Block values without their ids: the importer gives every block a new id on each save.
                "body": [
                    [
                        block.block_type,
                        block.block.get_prep_value(block.value),
                        image_key(block.value["image"]) if block.block_type == IMAGE else None,
                    ]
                    for block in article.body
                ],
            }
            for article in articles
        ],
    }
    return json.dumps(data, sort_keys=True, default=str)


def content_hash_of(file_format: str, version: str, key: str) -> str:
    return hashlib.sha256(f"{file_format}|{version}|{key}".encode()).hexdigest()


# -- building ------------------------------------------------------------------------------------


def ensure_editions(issue_id: int, *, force: bool = False) -> dict[str, Outcome]:
    """Build the issue's EPUB and PDF unless files of its current content exist."""
    return {file_format: ensure_edition(issue_id, file_format, force=force) for file_format, _ in EditionFile.FORMATS}


def ensure_edition(issue_id: int, file_format: str, *, force: bool = False, now=None) -> Outcome:
    """Build one file of the issue's edition unless one of its current content exists (`force`: build anyway)."""
    now = now or timezone.now()
    issue = live_issue(issue_id)
    if issue is None:
        return Outcome(GONE)
    articles = issue_contents(issue)
    edition, _ = EditionFile.objects.get_or_create(issue=issue, format=file_format)
    if not articles:
        withdraw(edition)
        return Outcome(EMPTY)
    render, version = renderer(file_format)
    content_hash = content_hash_of(file_format, version, content_key(issue, articles))
    current = (
        edition.content_hash == content_hash and edition.has_file and conf.editions_storage().exists(edition.file_name)
    )
    if current and not force:
        # Queued by a publish that changed nothing the edition shows, or a failed retry of it.
        EditionFile.objects.filter(pk=edition.pk, status__in=[EditionFile.QUEUED, EditionFile.FAILED]).update(
            status=EditionFile.READY, error="", attempts=0, next_attempt_at=None
        )
        return Outcome(UNCHANGED)

    token = jobs.claim(EditionFile, edition.pk, now)
    if token is None:
        return Outcome(BUSY)
    try:
        data = render(issue, articles)  # the articles the hash was taken of, not a second read
        file_name = f"{issue.year}/{issue.year}-{issue.number:02d}-{content_hash[:12]}-{token[:8]}.{file_format}"
        write_file(file_name, data)
        install(edition.pk, token, file_name=file_name, file_size=len(data), content_hash=content_hash)
    except jobs.ClaimLost:
        return Outcome(BUSY)
    except Exception as error:
        logger.exception("Building the %s of issue %s failed", file_format, issue_id)
        jobs.record_failure(EditionFile, edition.pk, token, error, now)
        return Outcome(FAILED)
    except BaseException:
        jobs.release(EditionFile, edition.pk, token)  # stopped (Ctrl-C, or SIGTERM in build_editions)
        raise
    return Outcome(BUILT, again=changed_meanwhile(issue_id, file_format, content_hash))


def write_file(file_name: str, data: bytes) -> None:
    """Store the file whole (on disk: written beside its name, then renamed): a reader never downloads half a file."""
    content_type = EditionFile.CONTENT_TYPES[file_name.rsplit(".", 1)[-1]]
    save_whole(conf.editions_storage(), file_name, data, content_type=content_type)


def install(edition_id: int, token: str, **fields) -> None:
    """Make a stored file the issue's edition, if our claim still holds; the old file is removed."""
    storage = conf.editions_storage()
    installed = False
    try:
        with transaction.atomic():
            previous = jobs.finish(EditionFile, edition_id, token, built_at=timezone.now(), **fields)
            old_file = previous.file_name
            if old_file and old_file != fields["file_name"]:
                # Readers mid-download keep their open file (or nginx its bucket request); new requests get the new one.
                transaction.on_commit(lambda: delete_quietly(storage, old_file))
        installed = True
    finally:
        if not installed:  # the claim was lost, or the row not written: no row will ever name the new file
            delete_quietly(storage, fields["file_name"])


def withdraw(edition: EditionFile) -> None:
    """No live articles left: the issue has no edition to offer until it has some again."""
    # The row first, then the file (once committed): a row never names a file that is gone.
    withdrawn = (
        EditionFile.objects.filter(pk=edition.pk)
        .exclude(status=EditionFile.RUNNING)
        .update(
            status=EditionFile.QUEUED,
            file_name="",
            file_size=0,
            content_hash="",
            error="",
            attempts=0,
            next_attempt_at=None,
        )
    )
    if withdrawn:
        delete_edition_file(edition)


def due_retries(now: datetime.datetime) -> list[int]:
    """Live issues with a file whose failed build is due another try, or whose worker died mid-build."""
    due = jobs.due(EditionFile, now).filter(issue__live=True)
    return list(due.order_by("issue_id").values_list("issue_id", flat=True).distinct())


def start_retries_afresh(*issue_ids: int) -> None:
    """A publish, a change or a person asking is a new reason to build: at once, with the whole back-off again."""
    failed = EditionFile.objects.filter(issue_id__in=issue_ids, status=EditionFile.FAILED)
    failed.update(attempts=0, next_attempt_at=None)


def changed_meanwhile(issue_id: int, file_format: str, built_hash: str) -> bool:
    """Republished while we built? The job that came with it found us busy: build again."""
    issue = live_issue(issue_id)
    if issue is None:
        return False
    articles = issue_contents(issue)
    if not articles:
        return True
    return content_hash_of(file_format, renderer(file_format)[1], content_key(issue, articles)) != built_hash


def delete_edition_file(edition: EditionFile) -> None:
    """Remove the file a row no longer names, once that change is committed (a rollback keeps both)."""
    if edition.file_name:
        storage, file_name = conf.editions_storage(), edition.file_name
        transaction.on_commit(lambda: delete_quietly(storage, file_name))
