"""The one job mechanism (masthead.core.jobs) that narrations and edition builds share, tested once on a narration."""

from __future__ import annotations

import datetime
import os
import signal
import threading

import pytest
from django.utils import timezone

from masthead.audio.models import ArticleNarration
from masthead.core import jobs
from tests.factories import ArticleFactory

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def job(sections) -> ArticleNarration:
    return ArticleNarration.objects.create(article=ArticleFactory(section=sections["culture"]))


def reload(job: ArticleNarration) -> ArticleNarration:
    return ArticleNarration.objects.get(pk=job.pk)


def test_only_one_of_two_workers_claims_a_job(job):
    first = jobs.claim(ArticleNarration, job.pk, NOW)
    second = jobs.claim(ArticleNarration, job.pk, NOW + datetime.timedelta(seconds=1))

    assert first is not None and second is None
    assert (reload(job).status, reload(job).claim_token) == (jobs.Job.RUNNING, first)


def test_a_claim_older_than_the_lease_is_taken_over_and_the_first_worker_cannot_finish(job):
    dead_worker = jobs.claim(ArticleNarration, job.pk, NOW)
    assert jobs.claim(ArticleNarration, job.pk, NOW + ArticleNarration.LEASE - datetime.timedelta(seconds=1)) is None
    assert [row.pk for row in jobs.due(ArticleNarration, NOW + ArticleNarration.LEASE + datetime.timedelta(1))] == [
        job.pk
    ]

    successor = jobs.claim(ArticleNarration, job.pk, NOW + ArticleNarration.LEASE + datetime.timedelta(seconds=1))

    assert successor is not None
    with pytest.raises(jobs.ClaimLost):
        jobs.finish(ArticleNarration, job.pk, dead_worker, file_name="stale.mp3")
    assert (reload(job).status, reload(job).file_name) == (jobs.Job.RUNNING, "")
    jobs.finish(ArticleNarration, job.pk, successor, file_name="fresh.mp3")
    assert (reload(job).status, reload(job).file_name) == (jobs.Job.READY, "fresh.mp3")


def test_failures_in_a_row_back_off_four_times_longer_each_and_give_up_with_a_hint_for_staff(job):
    delays = []
    retry_at = NOW
    for attempt in range(1, ArticleNarration.MAX_ATTEMPTS + 1):
        token = jobs.claim(ArticleNarration, job.pk, retry_at)
        retry_at = jobs.record_failure(ArticleNarration, job.pk, token, OSError("disk full"), NOW)
        failed = reload(job)
        assert (failed.status, failed.attempts, failed.claim_token) == (jobs.Job.FAILED, attempt, "")
        if retry_at:
            delays.append((retry_at - NOW) / ArticleNarration.FIRST_RETRY_AFTER)
            assert list(jobs.due(ArticleNarration, retry_at - datetime.timedelta(seconds=1))) == []
            assert list(jobs.due(ArticleNarration, retry_at)) == [failed]
            assert failed.state_for_staff.endswith("will try again")

    assert delays == [1, 4, 16, 64]
    assert failed.next_attempt_at is None
    assert failed.error == "OSError: disk full (gave up after 5 attempts; re-narrate to try again)"
    assert failed.state_for_staff == "Failed 5 times; gave up"
    assert list(jobs.due(ArticleNarration, NOW + datetime.timedelta(days=365))) == []


def test_a_failed_job_asked_for_twice_when_due_is_tried_once_and_never_before_its_back_off_ends(job):
    """Its retry task and the periodic sweep both ask for it: the second must not make an attempt of its own."""
    retry_at = jobs.record_failure(
        ArticleNarration, job.pk, jobs.claim(ArticleNarration, job.pk, NOW), OSError("disk full"), NOW
    )
    assert jobs.claim(ArticleNarration, job.pk, retry_at - datetime.timedelta(seconds=1)) is None

    retry_task = jobs.claim(ArticleNarration, job.pk, retry_at)
    next_retry = jobs.record_failure(ArticleNarration, job.pk, retry_task, OSError("disk full"), retry_at)
    sweep = jobs.claim(ArticleNarration, job.pk, retry_at + datetime.timedelta(seconds=5))

    assert sweep is None
    assert (reload(job).status, reload(job).attempts, reload(job).next_attempt_at) == (jobs.Job.FAILED, 2, next_retry)
    jobs.requeue(ArticleNarration.objects.filter(pk=job.pk))  # an editor asks again: at once
    assert jobs.claim(ArticleNarration, job.pk, retry_at + datetime.timedelta(seconds=6)) is not None


def test_a_success_after_failures_clears_the_error_and_the_count(job):
    token = jobs.claim(ArticleNarration, job.pk, NOW)
    jobs.record_failure(ArticleNarration, job.pk, token, RuntimeError("voice missing"), NOW)
    token = jobs.claim(ArticleNarration, job.pk, NOW + datetime.timedelta(hours=1))

    previous = jobs.finish(ArticleNarration, job.pk, token, file_name="a.mp3")

    assert (previous.status, previous.attempts) == (jobs.Job.RUNNING, 1)
    done = reload(job)
    assert (done.status, done.attempts, done.error, done.next_attempt_at) == (jobs.Job.READY, 0, "", None)


def test_a_job_given_back_by_a_stopped_worker_is_queued_without_counting_a_failure(job):
    token = jobs.claim(ArticleNarration, job.pk, NOW)

    jobs.release(ArticleNarration, job.pk, token)

    released = reload(job)
    assert (released.status, released.attempts, released.claim_token) == (jobs.Job.QUEUED, 0, "")
    assert jobs.claim(ArticleNarration, job.pk, NOW) is not None


def test_asking_again_requeues_a_failed_job_afresh_but_leaves_a_running_one_to_finish(job, sections):
    running = ArticleNarration.objects.create(article=ArticleFactory(section=sections["politics"]))
    token = jobs.claim(ArticleNarration, job.pk, NOW)
    jobs.record_failure(ArticleNarration, job.pk, token, RuntimeError("x"), NOW)
    jobs.claim(ArticleNarration, running.pk, timezone.now())

    assert jobs.requeue(ArticleNarration.objects.all()) == 1

    assert (reload(job).status, reload(job).attempts, reload(job).next_attempt_at) == (jobs.Job.QUEUED, 0, None)
    assert reload(running).status == jobs.Job.RUNNING


def test_a_job_asked_to_stop_raises_at_its_next_check_and_the_workers_handler_hears_the_first_signal_only(
    signal_handlers,
):
    heard = []
    signal.signal(signal.SIGTERM, lambda number, frame: heard.append(number))  # a worker's own handler

    with jobs.stop_when_asked() as stop_here:
        stop_here()  # not asked yet: goes on
        os.kill(os.getpid(), signal.SIGTERM)  # a restart
        os.kill(os.getpid(), signal.SIGTERM)  # and scripts/serve.sh's trap right after: not a "force"
        with pytest.raises(jobs.Stopped):
            stop_here()

    assert heard == [signal.SIGTERM], "the worker hears it once, so it exits after the job"
    os.kill(os.getpid(), signal.SIGTERM)
    assert len(heard) == 2, "the worker's handler is back once the job is over"


def test_ctrl_c_during_a_job_lets_it_hand_its_work_back_then_interrupts_as_usual(signal_handlers):
    signal.signal(signal.SIGINT, signal.default_int_handler)
    handed_back = False

    with pytest.raises(KeyboardInterrupt), jobs.stop_when_asked() as stop_here:
        os.kill(os.getpid(), signal.SIGINT)
        with pytest.raises(jobs.Stopped):
            stop_here()
        handed_back = True  # what a job does once stopped: give its claim back, queue itself again

    assert handed_back


def test_an_ignored_signal_does_not_stop_a_job(signal_handlers):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as an RQ work horse ignores Ctrl-C (its worker hears it)

    with jobs.stop_when_asked() as stop_here:
        os.kill(os.getpid(), signal.SIGINT)
        stop_here()

    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_a_workers_word_to_its_work_horse_stops_a_job_that_listens_though_the_horse_ignores_it(signal_handlers):
    kept = signal.signal(jobs.STOP_AT_A_SAFE_POINT, signal.SIG_IGN)  # masthead/ops/rq_workers.py's horse
    try:
        with jobs.stop_when_asked() as stop_here:
            os.kill(os.getpid(), jobs.STOP_AT_A_SAFE_POINT)
            with pytest.raises(jobs.Stopped):
                stop_here()
        assert signal.getsignal(jobs.STOP_AT_A_SAFE_POINT) == signal.SIG_IGN, "other jobs ignore it again"
    finally:
        signal.signal(jobs.STOP_AT_A_SAFE_POINT, kept)


def test_a_workers_handler_that_sets_its_next_one_hears_the_first_signal_and_keeps_its_next_after_the_job(
    signal_handlers,
):
    heard = []

    def force_stop(number, frame):
        heard.append("force")

    def stop_after_the_job(number, frame):  # as RQ's worker does: its next signal, either, is a cold shutdown
        heard.append("warm")
        signal.signal(signal.SIGTERM, force_stop)
        signal.signal(signal.SIGINT, force_stop)

    signal.signal(signal.SIGTERM, stop_after_the_job)
    signal.signal(signal.SIGINT, stop_after_the_job)
    with jobs.stop_when_asked() as stop_here:
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)  # not a force while the job hands its work back
        os.kill(os.getpid(), signal.SIGINT)  # nor a Ctrl-C
        with pytest.raises(jobs.Stopped):
            stop_here()

    assert heard == ["warm"]
    assert signal.getsignal(signal.SIGTERM) is force_stop, "the worker's state goes on from where it was"
    assert signal.getsignal(signal.SIGINT) is force_stop


def test_off_the_main_thread_no_handler_is_set_and_the_check_lets_the_job_run():
    checked = []

    def job():
        with jobs.stop_when_asked() as stop_here:
            checked.append(signal.getsignal(signal.SIGTERM))
            stop_here()

    before = signal.getsignal(signal.SIGTERM)
    thread = threading.Thread(target=job)
    thread.start()
    thread.join()
    assert checked == [before]
