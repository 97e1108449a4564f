"""Background jobs of the audio app. Each takes ids and is safe to run twice."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from masthead.audio import services
from masthead.core import jobs
from masthead.core.tasks import NARRATIONS, at_priority


@task()
def ensure_article_audio(article_id: int) -> str:
    """Narrate the article unless audio of its current text exists; failures come back with back-off.

    A worker told to stop (a restart) makes the narration stop before its next sentence and queue it again,
    rather than finish it while the restarted site starts (docs/audio.md)."""
    with jobs.stop_when_asked() as stop_here:
        # Queued again inside the block: a stop signal that ends the process acts only once the block is left.
        return narrate_article(article_id, stop_here=stop_here)


def narrate_article(article_id: int, *, stop_here: Callable[[], None] = lambda: None) -> str:
    """The task's work, here or in `manage.py narrate` (which stops on Ctrl-C its own way): narrate, then
    queue the retry of a failure, a narration stopped part-way, or the text that changed meanwhile."""
    outcome = services.ensure_audio(article_id, stop_here=stop_here)
    if outcome.retry_at is not None:
        enqueue_narration(article_id, run_after=outcome.retry_at)
    if outcome.again:
        enqueue_narration(article_id)
    return outcome.result


@task()
def retry_due_narrations() -> int:
    """Periodic: narrations whose retry is due, or whose worker died, go back on the queue."""
    article_ids = services.due_retries(timezone.now())
    for article_id in article_ids:
        ensure_article_audio.enqueue(article_id)
    return len(article_ids)


@task()
def refresh_narrations() -> int:
    """After a lexicon change (or a new voice): queue every article whose audio is now out of date."""
    from masthead.audio.models import ArticleNarration

    queued = 0
    for narration in ArticleNarration.objects.select_related("article").iterator():
        article = services.live_article(narration.article_id)
        if article is not None and services.request_narration(article):
            enqueue_narration(article.pk)
            queued += 1
    return queued


def enqueue_narration(article_id: int, run_after: datetime.datetime | None = None) -> None:
    """Queue ensure_article_audio once the current transaction commits.

    A deferred retry needs a backend that can wait (the database and RQ backends can); with one
    that cannot, the failed row keeps its retry time and `retry_due_narrations` picks it up, and a
    stopped one stays queued for the next run (`manage.py narrate --all`, a publish).
    """
    job = at_priority(ensure_article_audio, NARRATIONS)
    if run_after is not None:
        if not job.get_backend().supports_defer:
            return
        if run_after > timezone.now():  # a time already come is queued as is: RQ would hold it for its scheduler
            job = job.using(run_after=run_after)
    transaction.on_commit(lambda: job.enqueue(article_id))
