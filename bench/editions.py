"""Editions benchmark: time and peak memory to build the PDF and the EPUB of a 30-article issue.

    .venv/bin/python bench/editions.py [--articles 30] [--words 1300] [--runs 3] [--keep DIR] [--label -60]

Builds a throwaway data folder (a temporary DATA_DIR, never ./data; deleted afterwards), migrates it
with the production settings, and writes an issue the way the demo does (masthead/demo/writing.py):
each article is a demo draft lengthened with further drafts of its section, as extra web pages,
until it has `--words` words (1,300: the seed article, a typical magazine piece), with their
headings, pull quotes and generated photographs. Every build then runs in a process of its own:
the first one also makes the picture renditions, the others find them made. Peak memory is that
process's ru_maxrss (WeasyPrint's Pango and image work is native, so tracemalloc would miss it).
Prints a table and saves it as bench/results/editions-<date>.txt. See bench/README-editions.md.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from benchlib import ROOT, ChildFailed, isolated_env, last_json, peak_rss_mib, run_child, save_report

COVER_DATE = datetime.date(2026, 1, 1)
FORMATS = {
    "pdf": ("masthead.editions.pdf", "build_issue_pdf"),
    "epub": ("masthead.editions.epub", "build_issue_epub"),
}


def words_in(body: list[dict]) -> int:
    from django.utils.html import strip_tags

    return sum(len(strip_tags(block["value"]).split()) for block in body if block["type"] == "paragraph")


def make_issue(article_count: int, words: int) -> None:
    """In the child process: write the articles and publish them as one issue; report what was made."""
    import django

    django.setup()
    from django.conf import settings

    from masthead.content.models import CreditedImage, SectionPage
    from masthead.demo.loader import create_article, publish_issue
    from masthead.demo.writing import draft_articles
    from masthead.editions.models import Issue

    magazine = settings.MAGAZINE_NAME
    # Spare drafts lengthen the lead ones; eight per article is more than 1,300 words ever needs.
    drafts = draft_articles(article_count * 8, magazine)
    leads, spares = drafts[:article_count], {}
    for spare in drafts[article_count:]:
        spares.setdefault(spare.section, []).append(spare)
    sections = {section.slug: section for section in SectionPage.objects.all()}
    articles, total_words = [], 0
    for number, draft in enumerate(leads):
        while words_in(draft.body) < words:
            extra = spares[draft.section].pop(0)
            draft.body += [{"type": "page_break", "value": None}, *extra.body]
        total_words += words_in(draft.body)
        date = COVER_DATE - datetime.timedelta(days=1 + number % 14)
        articles.append(create_article(draft, sections[draft.section], date))
        print(f"  article {number + 1}/{article_count}", file=sys.stderr, end="\r")
    volume = COVER_DATE.year - settings.FIRST_VOLUME_YEAR + 1
    issue = Issue.objects.create(
        volume=volume, number=1, cover_date=COVER_DATE, live=False, has_unpublished_changes=True
    )
    publish_issue(issue, articles, magazine)
    print(
        json.dumps(
            {
                "issue": issue.pk,
                "articles": len(articles),
                "words": total_words,
                "pictures": CreditedImage.objects.count(),
            }
        )
    )


def build(format_name: str, issue_id: int, keep: str) -> None:
    """In the child process: build one file of the issue, timed, and report its size and peak memory."""
    import django

    django.setup()
    module_name, function_name = FORMATS[format_name]
    builder = getattr(importlib.import_module(module_name), function_name)
    from masthead.editions.models import Issue

    issue = Issue.objects.get(pk=issue_id)
    rss_before = peak_rss_mib()
    wall, cpu = time.perf_counter(), time.process_time()
    data = builder(issue)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = peak_rss_mib()
    if keep:
        Path(keep, f"issue.{format_name}").write_bytes(data)
    print(
        json.dumps(
            {
                "seconds": wall,
                "cpu": cpu,
                "rss_before_mib": rss_before,
                "peak_rss_mib": peak,
                "bytes": len(data),
                "pages": count_pages(format_name, data),
            }
        )
    )


def count_pages(format_name: str, data: bytes) -> int:
    """PDF pages, or the EPUB's XHTML documents."""
    if format_name == "pdf":
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(data)).pages)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return sum(name.endswith((".xhtml", ".html")) for name in book.namelist())


def child(env: dict[str, str], *args: str) -> dict:
    return last_json(run_child(env, *args))


def available(format_name: str) -> str | None:
    """Why this format cannot be benchmarked, or None when its builder can be imported."""
    module_name, function_name = FORMATS[format_name]
    if importlib.util.find_spec(module_name) is None:
        return f"{module_name.replace('.', '/')}.py does not exist yet"
    return None


def table(made: dict, results: dict[str, list[dict]], skipped: dict[str, str], runs: int) -> str:
    load = os.getloadavg()
    lines = [
        f"## Editions: one issue of {made['articles']} articles ({datetime.datetime.now():%Y-%m-%d %H:%M})",
        "",
        f"{made['words']:,} words, {made['pictures']} pictures (cover, heroes, inline: the demo's generated JPEGs); "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} at the end.",
        f"Each build in a fresh process; the first also makes the renditions, then {runs - 1} more.",
        "",
        "| Edition | First build, s (CPU) | Later builds, median s (CPU) | Peak RSS (MiB) "
        "| of which the build (MiB) | Size (MB) | Pages |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for format_name, runs_made in results.items():
        first, later = runs_made[0], runs_made[1:] or runs_made
        peak = max(run["peak_rss_mib"] for run in runs_made)
        growth = max(run["peak_rss_mib"] - run["rss_before_mib"] for run in runs_made)
        wall, cpu = statistics.median(r["seconds"] for r in later), statistics.median(r["cpu"] for r in later)
        lines.append(
            f"| {format_name.upper()} | {first['seconds']:.1f} ({first['cpu']:.1f}) | {wall:.1f} ({cpu:.1f}) "
            f"| {peak:.0f} | {growth:.0f} | {first['bytes'] / 1e6:.1f} | {first['pages']} |"
        )
    for format_name, reason in skipped.items():
        lines.append(f"| {format_name.upper()} | skipped: {reason} | | | | | |")
    lines.append("")
    lines.append(
        "CPU is the build process's own CPU time: on a busy machine it stays put while wall time grows. "
        "Pages: PDF pages; for the EPUB, its XHTML documents."
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--words", type=int, default=1300, help="at least this many words per article")
    parser.add_argument("--runs", type=int, default=3, help="builds of each edition, each in a fresh process")
    parser.add_argument("--formats", default="pdf,epub")
    parser.add_argument("--keep", default="", help="save the last PDF and EPUB built into this folder")
    parser.add_argument("--label", default="", help="appended to the results file's name")
    parser.add_argument("--child", choices=["issue", "build"], help=argparse.SUPPRESS)
    parser.add_argument("--format", choices=list(FORMATS), help=argparse.SUPPRESS)
    parser.add_argument("--issue", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "issue":
        make_issue(args.articles, args.words)
        return
    if args.child == "build":
        build(args.format, args.issue, args.keep)
        return

    formats = args.formats.split(",")
    skipped = {name: reason for name in formats if (reason := available(name))}
    for name, reason in skipped.items():
        print(f"Skipping the {name.upper()}: {reason}.", file=sys.stderr)
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
        args.keep = str(Path(args.keep).resolve())

    with tempfile.TemporaryDirectory(prefix="masthead-bench-editions-") as data_dir:
        env = isolated_env(data_dir)
        print("Migrating a fresh database…", file=sys.stderr)
        child(env, "manage.py", "migrate", "--noinput", "-v0")
        print(f"Writing {args.articles} articles of {args.words:,}+ words…", file=sys.stderr)
        made = child(env, __file__, "--child", "issue", "--articles", str(args.articles), "--words", str(args.words))
        results: dict[str, list[dict]] = {}
        for name in formats:
            if name in skipped:
                continue
            try:
                for run in range(args.runs):
                    print(f"Building the {name.upper()}, run {run + 1}/{args.runs}…", file=sys.stderr)
                    result = child(
                        env, __file__, "--child", "build", "--format", name, "--issue", str(made["issue"]),
                        "--keep", args.keep,
                    )  # fmt: skip
                    results.setdefault(name, []).append(result)
            except ChildFailed as failure:
                skipped[name] = f"the build failed ({str(failure).strip().splitlines()[-1][:120]})"
                results.pop(name, None)
                print(failure, file=sys.stderr)

    report = table(made, results, skipped, args.runs)
    print(report)
    save_report("editions", report, label=args.label, suffix=".txt")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
