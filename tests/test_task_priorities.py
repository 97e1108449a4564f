"""Background jobs keep their order where the backend can order them, and still queue where it cannot (RQ)."""

from __future__ import annotations

import pytest
from django_rq import get_queue
from django_tasks_db.models import DBTaskResult

from masthead.audio.tasks import enqueue_narration
from masthead.editions.tasks import enqueue_edition_build
from masthead.subscriptions.tasks import run_renewals

RQ = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def rq_queue(settings):
    """The scale-out set-up: RQ on the machine's Redis, in a database of its own that starts empty."""
    settings.TASKS = RQ
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/12"}}
    queue = get_queue("default")
    queue.connection.flushdb()
    yield queue
    queue.connection.flushdb()


def test_narrations_and_edition_builds_are_queued_on_rq_which_has_no_priorities(
    rq_queue, seed_article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_narration(seed_article.pk)
        enqueue_edition_build(1)

    queued = [job.func_name.rsplit(".", 1)[-1] for job in rq_queue.jobs]
    assert queued.count("ensure_article_audio") == 1
    assert queued.count("build_issue_editions") == 1


def test_on_the_database_backend_the_worker_takes_billing_then_edition_builds_then_narrations(
    settings, seed_article, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE
    # Queued in the worst order: the backfill first, the renewal run last.
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_narration(seed_article.pk)
        enqueue_edition_build(1)
    run_renewals.enqueue()

    taken = []
    while (job := DBTaskResult.objects.ready().get_locked()) is not None:
        taken.append(job.task_path.rsplit(".", 1)[-1])
        job.delete()

    assert taken == ["run_renewals", "build_issue_editions", "ensure_article_audio"]
