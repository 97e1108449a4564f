"""Search benchmark: an archive of generated articles, searched the way the search page searches it.

    .venv/bin/python bench/search.py                                  # 100,000 articles, PostgreSQL and SQLite
    .venv/bin/python bench/search.py --articles 10000 --databases sqlite
    .venv/bin/python bench/search.py --queries 50 --rebuild

Each database is the benchmark's own: PostgreSQL `masthead_bench_search_<articles>` on --postgres,
SQLite under /tmp/masthead-bench-search-<articles>/ (never ./data). A database that already holds
the archive is reused (building 100,000 articles takes about 20 minutes on 2 cores); --rebuild makes
it again. bench/search_corpus.py says how the articles are made.

Then, in a process of its own with the production settings, it times the search page's view
(`masthead.content.views.search`, called with a request as the URL router would call it: form,
search, first page of results with snippets, template) for one-word, three-word and phrase
queries, for each reach: an entitled reader (every word), and readers without a subscription with
the archive rule off (`open`) and on (`teaser`). Queries are drawn from the generated articles, so
most have results. Prints a markdown table (p50/p95/p99 per kind, the median number of results,
the machine's load) and saves it to bench/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, ChildFailed, isolated_env, last_json, run_child, save_report

sys.path.insert(0, str(ROOT))

KINDS = ("one word", "three words", "phrase", "no match")  # "no match": the page's own cost, no results to show
COMMON_SHARE = 0.05  # one-word queries are also timed apart: words in this share of the articles or more, and rarer
COMMON_WORD, RARER_WORD = "one word, in 5%+ of articles", "one word, in fewer"
COMMONEST_SKIPPED = 150  # queries skip the commonest words, most of them stop words the search ignores
TARGET_P95_MS = 50


def sample_queries(articles: int, per_kind: int) -> dict[str, list[str]]:
    """Distinct queries of each kind, drawn from the generated articles' own words."""
    from search_corpus import Corpus

    corpus = Corpus(datetime.date.today())
    common = set(corpus.words[:COMMONEST_SKIPPED])
    rng = random.Random("masthead-search-bench:queries")
    queries: dict[str, dict[str, None]] = {kind: {} for kind in KINDS}  # ordered sets, in the order drawn
    while min(len(queries[kind]) for kind in KINDS[:3]) < per_kind:
        text = corpus.article(rng.randrange(articles))
        paragraph = rng.choice(text.paragraphs)
        words = re.findall(r"[a-z]+", paragraph.lower())  # as written, for phrases
        usable = [
            w for p in text.paragraphs for w in re.findall(r"[a-z]+", p.lower()) if len(w) > 2 and w not in common
        ]
        queries["one word"][rng.choice(usable)] = None
        queries["three words"][" ".join(rng.sample(sorted(set(usable)), 3))] = None
        start = rng.randrange(len(words) - 3)
        length = rng.choice((2, 3))
        phrase = words[start : start + length]
        if all(len(word) > 2 and word not in common for word in (phrase[0], phrase[-1])):
            queries["phrase"][f'"{" ".join(phrase)}"'] = None
    queries["no match"] = dict.fromkeys(f"zq{number}xv" for number in range(per_kind))
    return {kind: list(found)[:per_kind] for kind, found in queries.items()}


def build(articles: int) -> None:
    """In a child process: the archive, then a check of the index against Wagtail's own indexer."""
    import django

    django.setup()
    from django.db import connection
    from search_corpus import build_archive, check_index

    from masthead.content.models import ArticlePage

    if ArticlePage.objects.exists():
        sys.exit("the benchmark's database already has articles; run with --rebuild")
    started = time.perf_counter()
    build_archive(articles, progress=lambda done: print(f"  {done:,} articles", file=sys.stderr))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    differences = check_index()
    if differences:
        sys.exit("the bulk index differs from Wagtail's:\n" + "\n".join(differences))
    print(json.dumps({"seconds": time.perf_counter() - started}))


def time_searches(articles: int, per_kind: int, *, freeze: bool = True) -> None:
    """In a child process: each query through the search view, for each reach; timings and result counts."""
    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from masthead.access.models import PaywallSettings
    from masthead.content.models import ArticlePage
    from masthead.content.views import search
    from masthead.ops.gc_freeze import freeze_loaded_site

    time_reads_from_the_os()
    if freeze:  # as masthead/wsgi.py does once the site is loaded; --no-freeze shows what a full collection costs
        freeze_loaded_site()

    if ArticlePage.objects.count() != articles:
        sys.exit(f"the benchmark's database does not hold {articles:,} articles; run with --rebuild")
    editor, _ = get_user_model().objects.get_or_create(username="bench-editor", defaults={"is_staff": True})
    readers = {"entitled": editor, "open": AnonymousUser(), "teaser": AnonymousUser()}
    # One more query of each kind than are timed: the last warms each reach (a new process's first
    # search loads templates and fills Django's and PostgreSQL's caches; a running server has done so).
    queries = sample_queries(articles, per_kind + 1)
    warm_up = {kind: kind_queries.pop() for kind, kind_queries in queries.items()}
    common = {word: count >= COMMON_SHARE * articles for word, count in articles_holding(queries["one word"]).items()}
    factory = RequestFactory()

    def search_for(query, user):
        request = factory.get("/search/", {"q": query})
        request.user = user
        request.session = {}
        return search(request)

    results = []
    for reach, user in readers.items():
        settings = PaywallSettings.load()
        settings.archive_after_days = 365 if reach == "teaser" else None
        settings.save()
        for query in warm_up.values():
            search_for(query, user)
        for kind, kind_queries in queries.items():
            timings, cpu, counts = [], [], []
            for query in kind_queries:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = search_for(query, user)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                found = re.search(rb'class="result-count"[^>]*>(More than )?([\d,]+) result', response.content)
                counts.append(int(found.group(2).replace(b",", b"")) + bool(found.group(1)) if found else 0)
            results.append({"reach": reach, "kind": kind, "timings": timings, "cpu": cpu, "counts": counts})
            if kind == "one word":  # the same timings again, parted by how common the word is
                for part, is_common in ((COMMON_WORD, True), (RARER_WORD, False)):
                    picked = [n for n, query in enumerate(kind_queries) if common[query] == is_common]
                    if picked:
                        results.append(
                            {
                                "reach": reach,
                                "kind": part,
                                **{
                                    key: [values[n] for n in picked]
                                    for key, values in (("timings", timings), ("cpu", cpu), ("counts", counts))
                                },
                            }
                        )
    settings = PaywallSettings.load()
    settings.archive_after_days = None
    settings.save()
    print(json.dumps({"results": results, "examples": {kind: q[:3] for kind, q in queries.items()}}))


PHRASE_READS = ("the phrase", "then its words apart", "then any of its words")


def phrase_read_chain(query: str, findable, text_reach: str | None) -> list[tuple[str, float, float, int]]:
    """The reads the search runs for a phrase query, one by one, as far as it goes (`search_articles`): each
    one's name, wall and CPU ms and hits."""
    from masthead.content.search import SOME_WORDS, WORDS_APART, broader_searches, query_words
    from masthead.content.search_ranking import RankedHits

    names = dict(zip(("", WORDS_APART, SOME_WORDS), PHRASE_READS, strict=True))
    words = query_words(query)
    reads = []
    for step, step_words in [("", words), *broader_searches(words)]:
        started, started_cpu = time.perf_counter(), time.process_time()
        found = RankedHits(step_words, findable, reach=text_reach).count()
        reads.append(
            (
                names[step],
                (time.perf_counter() - started) * 1000,
                (time.process_time() - started_cpu) * 1000,
                found,
            )
        )
        if found:
            break
    return reads


def time_phrase_reads(articles: int, per_kind: int, *, freeze: bool = True) -> None:
    """In a child process: each phrase query's reads timed one by one, for each reach, in the chain the search
    runs: the phrase; if nothing has it, its words apart; if nothing has those, any of its words. Each read as
    the search reads a page and its count (`RankedHits`); no view, no template. A row per read holds only the
    queries that reached it, and one more row the whole chain of each query."""
    import django

    django.setup()
    from masthead.content.queries import published_articles
    from masthead.ops.gc_freeze import freeze_loaded_site

    time_reads_from_the_os()
    if freeze:
        freeze_loaded_site()
    findable = published_articles().select_related(None)
    queries = sample_queries(articles, per_kind + 1)["phrase"]
    warm_up = queries.pop()
    results = []
    for reach in ("entitled", "open", "teaser"):
        text_reach = None if reach == "entitled" else reach
        rows = {name: {"timings": [], "cpu": [], "counts": []} for name in [*PHRASE_READS, "all its reads"]}
        phrase_read_chain(warm_up, findable, text_reach)
        for query in queries:
            reads = phrase_read_chain(query, findable, text_reach)
            whole = ("all its reads", sum(read[1] for read in reads), sum(read[2] for read in reads), reads[-1][3])
            for name, wall, cpu, found in [*reads, whole]:
                rows[name]["timings"].append(wall)
                rows[name]["cpu"].append(cpu)
                rows[name]["counts"].append(found)
        results += [{"reach": reach, "kind": f"phrase: {name}", **row} for name, row in rows.items() if row["timings"]]
    print(json.dumps({"results": results, "examples": {"phrase": queries[:3]}}))


def articles_holding(words: list[str]) -> dict[str, int]:
    """How many articles' own index entries hold each word (every word of them, not a reach's)."""
    from masthead.content.models import ArticlePage
    from masthead.content.search_ranking import Words, matching_entries

    return {word: matching_entries(Words(loose=(word,)), ArticlePage).count() for word in words}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def table(runs: list[dict], articles: int, loads: tuple[str, str], *, phrase_reads: bool = False) -> str:
    timed = (
        "one read each (a page of 20 ranked and the count ahead, as the search reads them; no view, no template), "
        "and in the last row of a reach all of a query's reads; the target is the whole page's, so only a guide here"
        if phrase_reads
        else "the search view's (form, search, first page of 20 with snippets, template)"
    )
    lines = [
        f"## Search: {articles:,} articles ({datetime.date.today():%Y-%m-%d})",
        "",
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"uptime before: `{loads[0]}`; after: `{loads[1]}`. Times are {timed}, in ms; CPU is this process's "
        "own (not the database's), which the machine's other work moves less than the times.",
        "",
        "| Database | Reach | Query | Queries | Median results | p50 | p95 | p99 | max | CPU p50 | CPU max "
        "| p95 <= 50 ms |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        for row in run["results"]:
            t = row["timings"]
            p95 = percentile(t, 0.95)
            lines.append(
                f"| {run['database']} | {row['reach']} | {row['kind']} | {len(t)} "
                f"| {statistics.median(row['counts']):,.0f} | {percentile(t, 0.5):.1f} | {p95:.1f} "
                f"| {percentile(t, 0.99):.1f} | {max(t):.1f} | {statistics.median(row.get('cpu') or [0]):.1f} "
                f"| {max(row.get('cpu') or [0]):.1f} | {'met' if p95 <= TARGET_P95_MS else 'NOT met'} |"
            )
    for run in runs:
        if "os_reads" in run:
            blocks, read_ms = run["os_reads"]
            lines += [
                "",
                f"{run['database']}: {blocks:,} blocks read from the operating system during the run (not in shared "
                f"buffers), in {read_ms:,.0f} ms of read time (`pg_stat_database`, `track_io_timing` on for the "
                "timing connection; any other connection's reads count too).",
            ]
    examples = runs[0]["examples"] if runs else {}
    lines += ["", "Example queries: " + "; ".join(f"{kind}: {', '.join(q)}" for kind, q in examples.items())]
    return "\n".join(lines) + "\n"


def time_reads_from_the_os() -> None:
    """PostgreSQL: time this connection's reads of blocks not in shared buffers (`track_io_timing`, a superuser's
    setting, as the benchmark's default server URL has), for `reads_from_the_os`."""
    from django.db import DatabaseError, connection

    if connection.vendor == "postgresql":
        with contextlib.suppress(DatabaseError):  # not a superuser: blocks are counted, their read time is not
            connection.cursor().execute("SET track_io_timing = on")


def reads_from_the_os(server: str, database: str) -> tuple[int, float]:
    """The database's blocks read so far from the operating system (not found in shared buffers; from its
    page cache or the disk), and the milliseconds those reads took where they were timed (pg_stat_database)."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        blocks, read_ms = admin.execute(
            "SELECT blks_read, blk_read_time FROM pg_stat_database WHERE datname = %s", [database]
        ).fetchone()
    return blocks, read_ms


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607


def build_in_child(env: dict[str, str], articles: int) -> dict:
    """Run the build in a child whose progress goes to our stderr; its report."""
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, __file__, "--build", f"--articles={articles}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode:
        raise ChildFailed(f"building the archive failed:\n{done.stdout[-2000:]}")
    return last_json(done.stdout)


def postgres_env(server: str, articles: int, rebuild: bool) -> tuple[dict[str, str], bool, str]:
    """The environment for the benchmark's PostgreSQL database; whether it must be built; the server's version."""
    import psycopg

    name = f"masthead_bench_search_{articles}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        version = admin.execute("SHOW server_version").fetchone()[0].split()[0]
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or rebuild:
            admin.execute(f'CREATE DATABASE "{name}"')
    data_dir = str(Path(tempfile.gettempdir()) / f"masthead-bench-search-{articles}-postgresql")
    return isolated_env(data_dir) | {"DATABASE_URL": f"{server}/{name}"}, rebuild or not exists, version


def sqlite_env(articles: int, rebuild: bool) -> tuple[dict[str, str], bool, str]:
    data_dir = Path(tempfile.gettempdir()) / f"masthead-bench-search-{articles}"
    database = data_dir / "masthead.sqlite3"
    if rebuild:
        for path in data_dir.glob("masthead.sqlite3*"):
            path.unlink()
    return isolated_env(str(data_dir)), not database.exists(), sqlite3.sqlite_version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--queries", type=int, default=100, help="distinct queries of each kind")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    parser.add_argument("--rebuild", action="store_true", help="build the archive again even if it is there")
    parser.add_argument("--label", default="", help="appended to the results file's name")
    parser.add_argument(
        "--no-freeze", action="store_true", help="time without freezing the loaded site (masthead/ops/gc_freeze.py)"
    )
    parser.add_argument(
        "--phrase-reads",
        action="store_true",
        help="time each phrase query's reads one by one (the phrase, then its words apart, then any of them, as far "
        "as the search goes) instead of the view",
    )
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--time", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build(args.articles)
        return
    if args.time and args.phrase_reads:
        time_phrase_reads(args.articles, args.queries, freeze=not args.no_freeze)
        return
    if args.time:
        time_searches(args.articles, args.queries, freeze=not args.no_freeze)
        return

    runs = []
    load_before = uptime()
    try:
        for database in args.databases.split(","):
            if database == "postgresql":
                env, must_build, version = postgres_env(args.postgres, args.articles, args.rebuild)
                label = f"PostgreSQL {version}"
            else:
                env, must_build, version = sqlite_env(args.articles, args.rebuild)
                label = f"SQLite {version}"
            if must_build:
                print(f"[{label}] migrating and building {args.articles:,} articles…", file=sys.stderr)
                run_child(env, "manage.py", "migrate", "--noinput", "-v0")
                built = build_in_child(env, args.articles)
                print(f"[{label}] built in {built['seconds']:.0f} s", file=sys.stderr)
            else:  # an archive built by older code gets the migrations since (content/0008 fills the reaches)
                run_child(env, "manage.py", "migrate", "--noinput", "-v0")
            run_child(env, "manage.py", "collectstatic", "--noinput", "-v0")  # the production templates' files
            print(f"[{label}] searching…", file=sys.stderr)
            database_name = env["DATABASE_URL"].rsplit("/", 1)[1] if database == "postgresql" else ""
            os_reads_before = reads_from_the_os(args.postgres, database_name) if database_name else None
            run = last_json(
                run_child(
                    env,
                    __file__,
                    "--time",
                    f"--articles={args.articles}",
                    f"--queries={args.queries}",
                    *(["--no-freeze"] if args.no_freeze else []),
                    *(["--phrase-reads"] if args.phrase_reads else []),
                )
            )
            run["database"] = label
            if os_reads_before:
                time.sleep(1)  # the timing child's backend reports its counts as it exits
                after = reads_from_the_os(args.postgres, database_name)
                run["os_reads"] = (after[0] - os_reads_before[0], after[1] - os_reads_before[1])
            runs.append(run)
    except ChildFailed as failure:
        sys.exit(str(failure))
    report = table(runs, args.articles, (load_before, uptime()), phrase_reads=args.phrase_reads)
    print(report)
    save_report("search-phrase-reads" if args.phrase_reads else "search", report, label=args.label)


if __name__ == "__main__":
    main()
