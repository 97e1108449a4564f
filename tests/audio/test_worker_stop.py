"""A restart while the worker narrates: the narration stops at its next sentence and goes back on the queue.

scripts/serve.sh's worker (db_worker) lets the task at hand finish when it is told to stop; a narration
takes most of a minute, and the old worker kept narrating beside the restarted site as it started
(bench/README.md, "Memory and restart"). masthead.core.jobs.stop_when_asked is tested on its own in
tests/test_jobs.py.
"""

from __future__ import annotations

import os
import signal

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from masthead.audio import synthesis
from masthead.audio.models import ArticleNarration
from masthead.audio.tasks import ensure_article_audio


@pytest.fixture
def not_narrated_on_publish(settings):
    """Articles published from here on wait for the worker to narrate them."""
    settings.AUDIO_NARRATE_ON_PUBLISH = False


def voice_signalling(voice, number: int, spoken: list[str]):
    """The stand-in voice, which sends this process `number` while it speaks the first piece: a restart
    (SIGTERM) or a Ctrl-C (SIGINT) arriving mid-narration. `spoken` collects what it was asked to say."""

    class Voice:
        name, sample_rate = voice.name, voice.sample_rate

        def pcm(self, text):
            spoken.append(text)
            if len(spoken) == 1:
                os.kill(os.getpid(), number)
            yield from voice.pcm(text)

    return Voice()


def run_the_worker() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


# transaction=True: the worker commits as it claims and finishes tasks (serialized_rollback, see test_soft_bounces).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_told_to_stop_mid_narration_gives_it_back_at_the_next_sentence_and_the_next_worker_narrates_it(
    not_narrated_on_publish, free_article, quick_voice, monkeypatch, settings, audio_root, signal_handlers
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    spoken = []
    monkeypatch.setattr(synthesis, "load_synthesizer", lambda: voice_signalling(quick_voice, signal.SIGTERM, spoken))
    ensure_article_audio.enqueue(free_article.pk)

    run_the_worker()

    narration = ArticleNarration.objects.get(article=free_article)
    assert len(spoken) == 1, "the worker went on narrating after it was told to stop"
    assert (narration.status, narration.has_audio, narration.claim_token) == (ArticleNarration.QUEUED, False, "")
    assert not any(audio_root.rglob("*.mp3")), "nothing half-made was kept"
    tasks = list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", "return_value", "run_after"))
    assert [task[:2] for task in tasks] == [("SUCCESSFUL", "stopped"), ("READY", None)], "queued again"
    assert tasks[1][2] == tasks[0][2], "to run at once, as the first was queued (no run_after)"

    monkeypatch.setattr(synthesis, "load_synthesizer", lambda: quick_voice)
    run_the_worker()  # the restarted site's worker

    narration.refresh_from_db()
    assert (narration.status, narration.has_audio) == (ArticleNarration.READY, True)
    assert len(quick_voice.texts) > 1, "the article has more than one piece to speak: there was a next one"


# transaction=True: a task queued on commit then runs at once, as it does outside a test's transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_a_backend_that_runs_tasks_at_once_a_stopped_narration_is_not_run_again_in_place(
    not_narrated_on_publish, free_article, quick_voice, monkeypatch, signal_handlers
):
    """Tests' settings run a task as it is queued: queued again there, the narration would start over at once,
    inside the stopped one, and Ctrl-C could never end it."""
    spoken = []
    monkeypatch.setattr(synthesis, "load_synthesizer", lambda: voice_signalling(quick_voice, signal.SIGINT, spoken))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    with pytest.raises(KeyboardInterrupt):  # once the narration is handed back, Ctrl-C does what it does
        ensure_article_audio.enqueue(free_article.pk)

    narration = ArticleNarration.objects.get(article=free_article)
    assert len(spoken) == 1
    assert (narration.status, narration.has_audio) == (ArticleNarration.QUEUED, False)
