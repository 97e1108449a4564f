"""`manage.py narrate --all` narrates the archive with the task's code, and carries on after a stop."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from masthead.audio import synthesis
from masthead.audio.models import ArticleNarration


def narrate_all() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("narrate", "--all", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_narrate_all_narrates_every_published_article_then_finds_nothing_to_do(
    seed_article, free_article, gated_article
):
    first = narrate_all()

    assert "Narration: 3 narrated." in first
    assert "3/3" in first  # the progress bar
    assert set(ArticleNarration.objects.values_list("status", flat=True)) == {ArticleNarration.READY}
    assert "Narration: 3 unchanged." in narrate_all()


def test_narrate_all_carries_on_where_a_stopped_run_left_off(free_article, gated_article, monkeypatch, quick_voice):
    calls = []

    class StoppedByHand:
        name, sample_rate = quick_voice.name, quick_voice.sample_rate

        def pcm(self, text):
            calls.append(text)
            if len(calls) > 1:
                raise KeyboardInterrupt
            yield from quick_voice.pcm(text)

    monkeypatch.setattr(synthesis, "load_synthesizer", StoppedByHand)
    assert "Stopped." in narrate_all()
    statuses = dict(ArticleNarration.objects.values_list("article__title", "status"))
    assert ArticleNarration.RUNNING not in statuses.values()  # the interrupted claim was given back

    monkeypatch.setattr(synthesis, "load_synthesizer", lambda: quick_voice)
    assert "Narration: 2 narrated." in narrate_all()


def test_narrate_needs_articles_or_all(db):
    with pytest.raises(CommandError):
        call_command("narrate")


def test_narrating_an_article_by_hand_tries_at_once_even_while_its_failure_backs_off(
    free_article, monkeypatch, quick_voice
):
    """The operator fixed what failed and names the article: the command narrates it now, not "busy"."""

    class BrokenVoice:
        name, sample_rate = quick_voice.name, quick_voice.sample_rate

        def pcm(self, text):
            raise RuntimeError("the voice model is missing")

    monkeypatch.setattr(synthesis, "load_synthesizer", BrokenVoice)
    call_command("narrate", str(free_article.pk), stdout=io.StringIO(), stderr=io.StringIO())
    assert ArticleNarration.objects.get(article=free_article).next_attempt_at is not None

    monkeypatch.setattr(synthesis, "load_synthesizer", lambda: quick_voice)
    out, err = io.StringIO(), io.StringIO()
    call_command("narrate", str(free_article.pk), stdout=out, stderr=err)

    assert "Narration: 1 narrated." in out.getvalue() + err.getvalue()
    assert ArticleNarration.objects.get(article=free_article).status == ArticleNarration.READY
