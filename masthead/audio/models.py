"""The audio app's rows: the pronunciation lexicon, each article's narration, readers' private feed keys
and where each reader stopped listening."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re
import secrets
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from masthead.audio import conf
from masthead.core.jobs import Job


class PronunciationEntry(index.Indexed, models.Model):
    """How the narrator says one word: a respelling ("Shee") or phonemes for Piper ("ɕˈi")."""

    word = models.CharField(max_length=100, unique=True, help_text="As it is written in articles, e.g. “Xi”.")
    respelling = models.CharField(
        max_length=200,
        blank=True,
        help_text="How to say it in plain letters, e.g. “Shee” or “LAV-rof”. Used when phonemes are empty.",
    )
    phonemes = models.CharField(
        max_length=200,
        blank=True,
        help_text="Optional, for experts: IPA phonemes as the voice writes them (espeak-ng), e.g. “ɕˈi”.",
    )
    match_case = models.BooleanField(
        default=False, help_text="Only when written exactly like this (so “US” does not change “us”)."
    )
    notes = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("word"),
        FieldPanel("respelling"),
        FieldPanel("phonemes"),
        FieldPanel("match_case"),
        FieldPanel("notes"),
    ]
    search_fields = [index.SearchField("word"), index.AutocompleteField("word")]

    class Meta:
        ordering = ["word"]
        verbose_name = "pronunciation"
        verbose_name_plural = "pronunciations"

    def __str__(self) -> str:
        return self.word

    def clean(self):
        super().clean()
        self.word = self.word.strip()
        self.phonemes = unicodedata.normalize("NFD", self.phonemes.strip())
        if not self.respelling.strip() and not self.phonemes:
            raise ValidationError("Give a respelling or phonemes.")
        if not re.search(r"\w", self.word):
            raise ValidationError({"word": "A word needs at least one letter or digit."})
        if self.phonemes:
            from masthead.audio.synthesis import unknown_phonemes

            unknown = unknown_phonemes(self.phonemes)
            if unknown:
                raise ValidationError(
                    {"phonemes": f"The voice does not know these symbols: {' '.join(sorted(unknown))}"}
                )

    @property
    def spoken_form(self) -> str:
        """What replaces the word in the narration: Piper's [[ phonemes ]] block, or the respelling."""
        if self.phonemes:
            return f"[[ {self.phonemes} ]]"
        return self.respelling.strip()


class ArticleNarration(Job):
    """One article's narration: the state of its job (core.jobs) and the MP3 last made for it.

    The file keeps being served while a newer narration is made; `fingerprint` says which script,
    lexicon, voice and bitrate made it, so the same text is never narrated twice.
    """

    FIRST_RETRY_AFTER = datetime.timedelta(minutes=2)  # then 8, 32 and 128 minutes
    GIVE_UP_HINT = "re-narrate to try again"

    article = models.OneToOneField("content.ArticlePage", on_delete=models.CASCADE, related_name="narration")
    # The audio on disk and what made it.
    file_name = models.CharField(max_length=200, blank=True, help_text="Relative to AUDIO_ROOT.")
    file_size = models.PositiveBigIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    chapters = models.JSONField(default=list, blank=True, help_text='[{"title", "start_ms", "end_ms"}, …]')
    fingerprint = models.CharField(max_length=64, blank=True)
    script_hash = models.CharField(max_length=64, blank=True)
    lexicon_version = models.CharField(max_length=64, blank=True)
    voice = models.CharField(max_length=200, blank=True)
    bitrate_kbps = models.PositiveSmallIntegerField(default=0)
    tags_key = models.CharField(max_length=64, blank=True, help_text="What the ID3 tags were written from.")
    script_text = models.TextField(blank=True, help_text="What the narrator read.")
    cues = models.JSONField(
        default=list, blank=True, help_text='The transcript: [{"start_ms", "end_ms", "text", "block"}, …], as written.'
    )
    narrated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="narration_retry_due")]

    def __str__(self) -> str:
        return f"Narration of article {self.article_id} ({self.status})"

    @property
    def has_audio(self) -> bool:
        return bool(self.file_name)

    @property
    def path(self) -> Path:
        """The file on this machine's disk (GATED_FILES_STORAGE=disk only; the S3 storage has no paths)."""
        return Path(conf.audio_storage().path(self.file_name))

    @property
    def duration(self) -> datetime.timedelta:
        return datetime.timedelta(milliseconds=self.duration_ms)

    @property
    def duration_seconds(self) -> float:
        return self.duration_ms / 1000

    @property
    def version(self) -> str:
        """Changes whenever the file does; added to file URLs so players fetch the new one."""
        return (self.fingerprint[:8] + self.tags_key[:4]) or "0"


class PodcastFeedToken(models.Model):
    """A reader's private podcast feed key. Rotating it makes the old feed URL stop at once.

    The URL's token is an HMAC of `nonce` under SECRET_KEY, so the account page can show it
    again, while the table alone (a leaked backup, say) holds no working URL: lookups go by the
    token's SHA-256. Changing SECRET_KEY changes every token; the account page then shows the
    new URL and the old one stops.
    """

    reader = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="podcast_feed")
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Podcast feed of {self.reader}"

    @staticmethod
    def hash_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def token(self) -> str:
        digest = hmac.new(settings.SECRET_KEY.encode(), f"masthead.audio.feed:{self.nonce}".encode(), "sha256")
        return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")

    def new_nonce(self) -> None:
        self.nonce = secrets.token_urlsafe(24)
        self.token_hash = self.hash_of(self.token)

    def matches(self, token: str) -> bool:
        return hmac.compare_digest(self.token, token)


class ListeningPosition(models.Model):
    """Where a logged-in reader stopped in an article's narration, kept so any of their devices resumes there."""

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listening_positions")
    article = models.ForeignKey("content.ArticlePage", on_delete=models.CASCADE, related_name="+")
    position_ms = models.PositiveIntegerField(default=0)
    version = models.CharField(max_length=20, blank=True, help_text="The narration's version the position is in.")
    finished = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    # The last seconds are credits and silence: stopping there is having heard it all.
    FINISHED_WITHIN_MS = 10_000
    # A position in the first seconds is a press of play, not a place to come back to.
    STARTED_AFTER_MS = 5_000

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reader", "article"], name="one_listening_position_per_article")]
        indexes = [models.Index(fields=["reader", "-updated_at"], name="listening_recent")]

    def __str__(self) -> str:
        return f"{self.reader} at {self.position_ms} ms of article {self.article_id}"

    @property
    def half_heard(self) -> bool:
        return not self.finished and self.position_ms >= self.STARTED_AFTER_MS
