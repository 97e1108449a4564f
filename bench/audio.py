"""Audio benchmark: narrate the seed article end to end (script, synthesis, MP3, tags), as the task does.

Reports the real-time factor (processing seconds per second of audio) of the whole pipeline and
of Piper alone on the same text, where the time goes, peak memory (also after an article three
times as long, to show it stays flat), and the archive backfill rate in articles per hour.

Builds its own data folder (never ./data) with production settings, so nothing else is touched:
    .venv/bin/python bench/audio.py [--runs 3] [--long 3]
Knobs (environment): BENCH_DATA_DIR (default /tmp/masthead-bench-audio). Results are printed as
markdown and saved under bench/results/. See bench/README-audio.md.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "DATA_DIR", os.environ.get("BENCH_DATA_DIR", str(Path(tempfile.gettempdir()) / "masthead-bench-audio"))
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
os.environ.setdefault("TASK_BACKEND", "django_tasks_db.DatabaseBackend")  # publishing only queues jobs

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from masthead.audio import conf, services, synthesis  # noqa: E402
from masthead.audio.models import ArticleNarration  # noqa: E402
from masthead.audio.script import build_script  # noqa: E402
from masthead.audio.synthesis import speech_chunks  # noqa: E402
from masthead.content.importer import parse_path  # noqa: E402
from masthead.content.models import ArticlePage, SectionPage  # noqa: E402
from masthead.content.services import create_or_update_article  # noqa: E402

# The publisher's article when SEED_DIR is set (the figures in the README are for it), else our own fixture.
SEED = Path(settings.SEED_DIR or Path(settings.BASE_DIR) / "tests" / "fixtures" / "seed")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


class TimedVoice:
    """The configured voice, with the seconds spent inside Piper counted."""

    def __init__(self, voice):
        self.voice, self.name, self.sample_rate, self.seconds = voice, voice.name, voice.sample_rate, 0.0

    def pcm(self, text):
        blocks = self.voice.pcm(text)
        while True:
            started = time.perf_counter()
            try:
                block = next(blocks)
            except StopIteration:
                self.seconds += time.perf_counter() - started
                return
            self.seconds += time.perf_counter() - started
            yield block


def seed_article() -> ArticlePage:
    [parsed, *_] = parse_path(SEED)
    article = ArticlePage.objects.filter(slug=parsed.slug).first()
    if article is None:
        call_command("import_articles", SEED, "--section", "foreign-affairs", stdout=io.StringIO())
        article = ArticlePage.objects.get(slug=parsed.slug)
    return article


def long_article(seed: ArticlePage, times: int) -> ArticlePage:
    """The seed's body `times` over, as one article: the memory check."""
    body = []
    for copy in range(times):
        if copy:
            body.append({"type": "page_break", "value": None})
        body += [{"type": block.block_type, "value": block.block.get_prep_value(block.value)} for block in seed.body]
    return create_or_update_article(
        section=SectionPage.objects.get(slug="foreign-affairs"),
        slug=f"bench-long-article-{times}",
        title=f"{seed.title} (the long version)",
        author_names=[author.name for author in seed.byline_authors],
        date=seed.date,
        body=body,
    )


def narrate_once(article, voice: TimedVoice) -> dict:
    """One full narration (forced), timed: wall and CPU seconds, Piper's share, audio length."""
    services.request_renarration(article)
    voice.seconds = 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = services.ensure_audio(article.pk)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert outcome.result == services.NARRATED, outcome
    narration = ArticleNarration.objects.get(article=article)
    return {
        "wall": wall,
        "cpu": cpu,
        "piper": voice.seconds,
        "audio": narration.duration_ms / 1000,
        "size": narration.file_size,
        "chapters": len(narration.chapters),
    }


def piper_alone(article, voice) -> tuple[float, float]:
    """Piper on the same spoken text with nothing else: (seconds, seconds of audio)."""
    script = build_script(article)
    samples, started = 0, time.perf_counter()
    for segment in script.segments:
        for text in speech_chunks(segment.spoken):
            for block in voice.pcm(text):
                samples += len(block) // 2
    return time.perf_counter() - started, samples / voice.sample_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="narrations of the seed article (default 3)")
    parser.add_argument("--long", type=int, default=3, help="memory check: an article N times the seed (0: skip)")
    options = parser.parse_args()

    call_command("migrate", verbosity=0)
    article = seed_article()
    words = len(build_script(article).written_text.split())

    rss_start = peak_rss_mb()
    started = time.perf_counter()
    real_voice = synthesis.load_synthesizer()
    load_seconds = time.perf_counter() - started
    voice = TimedVoice(real_voice)
    synthesis.load_synthesizer = lambda: voice  # the pipeline gets the timed voice
    rss_voice = peak_rss_mb()

    script_started = time.perf_counter()
    build_script(article)
    script_seconds = time.perf_counter() - script_started

    piper_alone(article, real_voice)  # warm-up: first inferences are slower
    runs = [narrate_once(article, voice) for _ in range(options.runs)]
    rss_seed = peak_rss_mb()
    alone_seconds, alone_audio = piper_alone(article, real_voice)

    long = None
    if options.long > 1:
        long = narrate_once(long_article(article, options.long), voice)
        rss_long = peak_rss_mb()

    best = min(runs, key=lambda run: run["wall"])
    median_wall = statistics.median(run["wall"] for run in runs)
    audio = best["audio"]
    rtf_best, rtf_median = best["wall"] / audio, median_wall / audio
    rtf_piper = alone_seconds / alone_audio
    overhead = best["wall"] - best["piper"]
    per_hour = 3600 / median_wall
    load = os.getloadavg()

    lines = [
        f"# Audio benchmark, {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        "",
        f"Machine: {os.cpu_count()} cores, load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
        "(1/5/15 min) while it ran.",
        f"Voice: `{real_voice.name}` ({real_voice.sample_rate} Hz), MP3 {conf.bitrate_kbps()} kbps mono, "
        f"Piper chunks of at most {synthesis.MAX_CHUNK_CHARS} characters.",
        f"Seed article: {words} words read, {audio / 60:.1f} minutes of audio, {best['chapters']} chapters, "
        f"{best['size'] / 1e6:.2f} MB.",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| voice load (once per worker process) | {load_seconds:.2f} s |",
        f"| script build (text rules + lexicon) | {script_seconds * 1000:.0f} ms |",
        f"| end to end, best of {len(runs)} | {best['wall']:.2f} s (CPU {best['cpu']:.2f} s) |",
        f"| end to end, median | {median_wall:.2f} s |",
        f"| of which Piper (best run) | {best['piper']:.2f} s |",
        f"| of which the rest: encoding, tags, files, database | {overhead:.2f} s ({overhead / best['wall']:.0%}) |",
        f"| **real-time factor, pipeline** (best / median) | **{rtf_best:.3f}** / {rtf_median:.3f} (target ≤ 0.06) |",
        f"| real-time factor, Piper alone on the same text | {rtf_piper:.3f} |",
        f"| peak memory (RSS): start / voice loaded / after seed runs | {rss_start:.0f} / {rss_voice:.0f} / "
        f"{rss_seed:.0f} MB |",
    ]
    if long:
        lines.append(
            f"| peak memory after a {options.long}x article ({long['audio'] / 60:.1f} min audio, "
            f"RTF {long['wall'] / long['audio']:.3f}) | {rss_long:.0f} MB (+{rss_long - rss_seed:.0f} MB) |"
        )
    lines += [
        f"| **archive backfill, one worker** (seed-sized articles) | **{per_hour:.0f} articles per hour** |",
        "",
        "Runs (wall s, Piper s, audio s): "
        + "; ".join(f"{r['wall']:.2f}, {r['piper']:.2f}, {r['audio']:.1f}" for r in runs),
    ]
    report = "\n".join(lines)
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"audio-{datetime.datetime.now():%Y%m%d-%H%M%S}.md").write_text(report + "\n")


if __name__ == "__main__":
    main()
