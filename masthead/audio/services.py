"""Writes of the audio app: asking for a narration, making it, retrying it, and readers' feed keys.

A narration is a job on its row (masthead.core.jobs: claimed by a conditional UPDATE, so two
workers never narrate one article; retried with back-off); the slow part (synthesis) runs outside
any transaction; the finished file replaces the old one only if the claim is still held. The same
text (script, lexicon entries, voice and bitrate) is never narrated twice: its fingerprint is
compared first.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from masthead.audio import conf, synthesis
from masthead.audio.models import ArticleNarration, ListeningPosition, PodcastFeedToken
from masthead.audio.mp3 import Chapter, EpisodeTags, Mp3Writer, write_tags
from masthead.audio.script import BYLINE, HEADING, PARAGRAPH, QUOTE, TITLE, NarrationScript, build_script
from masthead.audio.synthesis import speech_chunks, spoken_sentences
from masthead.audio.transcripts import transcript_cues
from masthead.core import jobs
from masthead.core.private_files import delete_quietly, save_whole

logger = logging.getLogger(__name__)

# Bump when the pauses or the encoding change: every article is then narrated anew. The text rules need
# no bump: the fingerprint hashes the spoken words (`NarrationScript.script_hash`), so a rule change
# narrates again the articles whose words it changes, and only those.
# "3": the front end's rules of 2026-12-04 (letters said by name, singular temperatures, ...: issue 17).
FORMAT_VERSION = "3"
COVER_RENDITION = "fill-600x600|format-jpeg|jpegquality-80"
# Silence before each kind of segment, and between sentences, in seconds.
PAUSE_BEFORE = {TITLE: 0.0, BYLINE: 0.5, HEADING: 0.9, PARAGRAPH: 0.45, QUOTE: 0.6}
PAGE_PAUSE = 0.9
SENTENCE_PAUSE = 0.12

NARRATED, RETAGGED, UNCHANGED, BUSY, FAILED, GONE = "narrated", "retagged", "unchanged", "busy", "failed", "gone"
STOPPED = "stopped"


@dataclass(frozen=True)
class Outcome:
    """What ensure_audio did; `retry_at`: when to try again, on a backend that can wait (a failure's back-off,
    or now for a narration stopped part-way); `again`: the text changed meanwhile."""

    result: str
    retry_at: datetime.datetime | None = None
    again: bool = False


# -- what a narration is made from ---------------------------------------------------------------


def live_article(article_id: int):
    from masthead.content.models import ArticlePage

    return (
        ArticlePage.objects.live()
        .select_related("hero_image")
        .prefetch_related("article_authors__author")
        .filter(pk=article_id)
        .first()
    )


def fingerprint_of(script: NarrationScript, voice: str, bitrate: int) -> str:
    key = f"{FORMAT_VERSION}|{script.script_hash}|{script.lexicon_version}|{voice}|{bitrate}"
    return hashlib.sha256(key.encode()).hexdigest()


def tags_key_of(article) -> str:
    """What the ID3 tags say apart from the spoken text: a change here re-tags without re-narrating."""
    image = article.hero_image
    parts = [
        article.title,
        article.byline_names,
        article.date.isoformat(),
        settings.MAGAZINE_NAME,
        settings.PUBLISHER_NAME,
        article.full_url or "",
        f"{image.pk}:{image.file.name}" if image else "",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def episode_tags(article, chapters: list[Chapter]) -> EpisodeTags:
    return EpisodeTags(
        title=article.title,
        artist=article.byline_names,
        album=settings.MAGAZINE_NAME,
        publisher=settings.PUBLISHER_NAME,
        date=article.date,
        url=article.full_url or "",
        cover_jpeg=cover_art(article),
        chapters=chapters,
    )


def cover_art(article) -> bytes | None:
    """The hero image as a square JPEG for the APIC frame; a broken image means no cover, not no audio."""
    if not article.hero_image:
        return None
    try:
        rendition = article.hero_image.get_rendition(COVER_RENDITION)
        with rendition.file.open("rb") as image_file:
            return image_file.read()
    except Exception:
        logger.warning("No cover art for article %s", article.pk, exc_info=True)
        return None


# -- asking for a narration ----------------------------------------------------------------------


def needs_narration(article, narration: ArticleNarration | None) -> bool:
    """Whether the article's audio is missing or made from other text, voice, bitrate or tags."""
    if narration is None or not narration.has_audio or narration.status == ArticleNarration.FAILED:
        return True
    script = build_script(article)
    fingerprint = fingerprint_of(script, synthesis.voice_name(), conf.bitrate_kbps())
    return narration.fingerprint != fingerprint or narration.tags_key != tags_key_of(article)


def request_narration(article) -> bool:
    """Mark the article's narration queued if its audio is out of date; True when a job should run."""
    narration = ArticleNarration.objects.filter(article=article).first()
    try:
        if not needs_narration(article, narration):
            return False
    except Exception:
        # A missing voice or a broken lexicon must never stop a publish: the job will record the error.
        logger.exception("Could not check the narration of article %s", article.pk)
    if narration is None:
        ArticleNarration.objects.get_or_create(article=article)
    else:
        jobs.requeue(ArticleNarration.objects.filter(pk=narration.pk))
    return True


def request_renarration(article) -> None:
    """An editor's "re-narrate": forget the fingerprint so the next job narrates even unchanged text."""
    narration, _ = ArticleNarration.objects.get_or_create(article=article)
    ArticleNarration.objects.filter(pk=narration.pk).update(fingerprint="", attempts=0, next_attempt_at=None)
    jobs.requeue(ArticleNarration.objects.filter(pk=narration.pk))


# -- making it -----------------------------------------------------------------------------------


def ensure_audio(
    article_id: int, *, now: datetime.datetime | None = None, stop_here: Callable[[], None] = lambda: None
) -> Outcome:
    """Narrate the article unless audio of its current text, lexicon, voice and bitrate exists.

    `stop_here` is called between sentences: once it raises `jobs.Stopped` (`jobs.stop_when_asked`), the
    narration is given back unfinished and the outcome asks for it again now."""
    now = now or timezone.now()
    article = live_article(article_id)
    if article is None:
        return Outcome(GONE)
    script = build_script(article)
    voice = synthesis.voice_name()
    bitrate = conf.bitrate_kbps()
    fingerprint = fingerprint_of(script, voice, bitrate)
    tags_key = tags_key_of(article)
    narration, _ = ArticleNarration.objects.get_or_create(article=article)

    same_audio = (
        narration.fingerprint == fingerprint
        and narration.has_audio
        and conf.audio_storage().exists(narration.file_name)
    )
    if same_audio and narration.tags_key == tags_key:
        # Queued by a publish that changed nothing we read, or failed at re-tagging: the audio is current.
        ArticleNarration.objects.filter(
            pk=narration.pk, status__in=[ArticleNarration.QUEUED, ArticleNarration.FAILED]
        ).update(status=ArticleNarration.READY, error="", next_attempt_at=None)
        return Outcome(UNCHANGED)

    token = jobs.claim(ArticleNarration, narration.pk, now)
    if token is None:
        return Outcome(BUSY)
    try:
        if same_audio:
            retag(narration, article, tags_key, token)
            return Outcome(RETAGGED)
        narrate(
            narration,
            article,
            script,
            token,
            fingerprint=fingerprint,
            voice=voice,
            bitrate=bitrate,
            stop_here=stop_here,
        )
    except jobs.ClaimLost:
        return Outcome(BUSY)
    except jobs.Stopped:
        jobs.release(ArticleNarration, narration.pk, token)
        # Run again by the next worker; not at once here, as an immediate backend would (tests, scripts).
        return Outcome(STOPPED, retry_at=now)
    except Exception as error:
        logger.exception("Narration of article %s failed", article_id)
        return Outcome(FAILED, retry_at=jobs.record_failure(ArticleNarration, narration.pk, token, error, now))
    except BaseException:
        jobs.release(ArticleNarration, narration.pk, token)  # stopped by hand (Ctrl-C): the next run takes it
        raise
    return Outcome(NARRATED, again=text_changed_meanwhile(article_id, fingerprint))


def file_name_for(article_id: int, fingerprint: str, tags_key: str, token: str) -> str:
    # The claim token in the name keeps a worker whose claim went stale from touching its successor's file.
    return f"{article_id}/{fingerprint[:16]}-{tags_key[:8]}-{token[:6]}.mp3"


def narrate(
    narration: ArticleNarration,
    article,
    script: NarrationScript,
    token: str,
    *,
    fingerprint,
    voice,
    bitrate,
    stop_here: Callable[[], None],
) -> None:
    """Synthesise, encode and tag the script into a new file, then make it the article's audio; `stop_here`
    before each piece of text the voice speaks (it raises to stop)."""
    synthesizer = synthesis.load_synthesizer()
    tags_key = tags_key_of(article)
    file_name = file_name_for(article.pk, fingerprint, tags_key, token)
    # Encoded and tagged in a folder of this machine (tags are written in place), then stored whole.
    with tempfile.TemporaryDirectory(prefix="narration-") as workdir:
        partial = Path(workdir) / "narration.mp3"
        with open(partial, "wb") as out:
            writer = Mp3Writer(out, synthesizer.sample_rate, bitrate)
            starts: list[tuple[str, int]] = []
            cues: list[dict] = []
            page = 1
            for number, segment in enumerate(script.segments):
                writer.pause(PAGE_PAUSE if segment.web_page != page else PAUSE_BEFORE[segment.kind])
                page = segment.web_page
                if segment.chapter:
                    starts.append((segment.chapter, writer.elapsed_ms))
                # Each sentence is timed on its own, for the transcript's cues.
                timings = []
                for sentence in spoken_sentences(segment.spoken):
                    start = writer.elapsed_ms
                    for text in speech_chunks(sentence):
                        stop_here()
                        for pcm in synthesizer.pcm(text):
                            writer.write(pcm)
                            writer.pause(SENTENCE_PAUSE)
                    timings.append((start, writer.elapsed_ms))
                cues.extend(transcript_cues(segment, number, timings))
            writer.pause(0.5)
            writer.close()
            duration_ms = writer.elapsed_ms
        ends = [start for _, start in starts[1:]] + [duration_ms]
        chapters = [Chapter(title, start, end) for (title, start), end in zip(starts, ends, strict=True)]
        write_tags(partial, episode_tags(article, chapters))
        file_size = partial.stat().st_size
        save_whole(conf.audio_storage(), file_name, partial, content_type="audio/mpeg")
    install(
        narration.pk,
        token,
        file_name=file_name,
        file_size=file_size,
        duration_ms=duration_ms,
        chapters=[chapter.as_dict() for chapter in chapters],
        fingerprint=fingerprint,
        script_hash=script.script_hash,
        lexicon_version=script.lexicon_version,
        voice=voice,
        bitrate_kbps=bitrate,
        tags_key=tags_key,
        script_text=script.spoken_text,
        cues=cues,
        narrated_at=timezone.now(),
    )


def retag(narration: ArticleNarration, article, tags_key: str, token: str) -> None:
    """New title, byline, date or hero image but the same speech: copy the file with new tags."""
    file_name = file_name_for(article.pk, narration.fingerprint, tags_key, token)
    storage = conf.audio_storage()
    chapters = [Chapter(**chapter) for chapter in narration.chapters]
    with tempfile.TemporaryDirectory(prefix="narration-") as workdir:
        partial = Path(workdir) / "narration.mp3"
        with open(partial, "wb") as out:
            for block in storage.stream(narration.file_name):
                out.write(block)
        write_tags(partial, episode_tags(article, chapters))
        file_size = partial.stat().st_size
        save_whole(storage, file_name, partial, content_type="audio/mpeg")
    install(narration.pk, token, file_name=file_name, file_size=file_size, tags_key=tags_key)


def install(narration_id: int, token: str, **fields) -> None:
    """Make a stored file the article's audio, if our claim still holds; the old file is removed."""
    from masthead.core.page_cache import forget_pages_showing
    from masthead.core.page_tags import NARRATIONS, page_tag

    storage = conf.audio_storage()
    installed = False
    try:
        with transaction.atomic():
            previous = jobs.finish(ArticleNarration, narration_id, token, **fields)
            old_file = previous.file_name
            if old_file and old_file != fields["file_name"]:
                # Readers mid-download keep their open file (or nginx its bucket request); new requests get the new one.
                transaction.on_commit(lambda: delete_quietly(storage, old_file))
            # The article's pages show the player now, and the feeds and playlists the episode.
            transaction.on_commit(lambda: forget_pages_showing(page_tag(previous.article_id), NARRATIONS))
        installed = True
    finally:
        if not installed:  # the claim was lost, or the row not written: no row will ever name the new file
            delete_quietly(storage, fields["file_name"])


def text_changed_meanwhile(article_id: int, narrated_fingerprint: str) -> bool:
    """Republished while we narrated? Then the job that came with it found us busy: go again."""
    article = live_article(article_id)
    if article is None:
        return False
    current = fingerprint_of(build_script(article), synthesis.voice_name(), conf.bitrate_kbps())
    if current == narrated_fingerprint:
        return False
    jobs.requeue(ArticleNarration.objects.filter(article_id=article_id, status=ArticleNarration.READY), afresh=False)
    return True


def due_retries(now: datetime.datetime) -> list[int]:
    """Articles whose failed narration is due another try, or whose worker died mid-narration."""
    return list(jobs.due(ArticleNarration, now).values_list("article_id", flat=True))


def delete_audio_files(narration: ArticleNarration) -> None:
    """Remove the deleted narration's file once its deletion is committed (a rollback keeps both)."""
    if narration.file_name:
        storage, file_name = conf.audio_storage(), narration.file_name
        transaction.on_commit(lambda: delete_quietly(storage, file_name))


# -- readers' private feeds ----------------------------------------------------------------------


def feed_token_for(reader) -> PodcastFeedToken:
    """The reader's private feed key, made on first use; re-hashed if SECRET_KEY changed since."""
    token, created = PodcastFeedToken.objects.get_or_create(reader=reader, defaults=new_token_fields())
    if not created and token.token_hash != PodcastFeedToken.hash_of(token.token):
        token.token_hash = PodcastFeedToken.hash_of(token.token)
        token.save(update_fields=["token_hash"])
    return token


def new_token_fields() -> dict:
    blank = PodcastFeedToken()
    blank.new_nonce()
    return {"nonce": blank.nonce, "token_hash": blank.token_hash}


def rotate_feed_token(reader) -> PodcastFeedToken:
    """A new private feed URL for the reader; the old one stops working at once."""
    with transaction.atomic():
        token = PodcastFeedToken.objects.select_for_update().filter(reader=reader).first()
        if token is None:
            return PodcastFeedToken.objects.create(reader=reader, **new_token_fields())
        token.new_nonce()
        token.rotated_at = timezone.now()
        token.save(update_fields=["nonce", "token_hash", "rotated_at"])
    return token


# -- where readers stopped listening -------------------------------------------------------------


class BadPosition(ValueError):
    """A position that is not a number of seconds within the narration."""


def save_listening_position(
    reader, narration: ArticleNarration, *, seconds: float, version: str, now: datetime.datetime | None = None
) -> ListeningPosition:
    """Remember where `reader` stopped in the narration (every few seconds while playing, from any device)."""
    if not math.isfinite(seconds) or seconds < 0:
        raise BadPosition("The position must be a number of seconds, 0 or more.")
    position_ms = min(round(seconds * 1000), narration.duration_ms)
    finished = position_ms >= narration.duration_ms - ListeningPosition.FINISHED_WITHIN_MS
    position, _ = ListeningPosition.objects.update_or_create(
        reader=reader,
        article_id=narration.article_id,
        defaults={
            "position_ms": position_ms,
            "version": version[:20],
            "finished": finished,
            "updated_at": now or timezone.now(),
        },
    )
    return position
