"""Import benchmark: a Ghost export of 10,000 posts read by `manage.py import_ghost`, then read again.

    .venv/bin/python bench/import_posts.py [--count 10000] [--batch-size 100] [--postgres postgres://postgres@127.0.0.1:5432]

Writes a Ghost 5 export of `count` posts (20 authors, 8 section tags, each post six paragraphs,
a heading, a quote, a list and a link: about 400 words) to a temporary folder, builds a fresh
SQLite database (in a temporary DATA_DIR, never ./data) or, with --postgres, a throwaway PostgreSQL
database, migrates it, and runs the importer in a process of its own with the production settings,
twice: the first run creates everything, the second must change nothing. For each run it reports
wall time, the child's CPU time (user + system: on a shared machine, what the import itself cost), posts
per second and the child's peak memory, and saves a markdown table to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchlib import ChildFailed, isolated_env, run_child, save_report

AUTHORS, TAGS = 20, 8
PARAGRAPH = (
    "The council met at dawn for the third time this month and read the whole budget aloud, line by line, "
    "while the public gallery filled with people who had come to hear what would happen to their libraries."
)


def ghost_export(count: int) -> dict:
    """A Ghost 5 export as Settings → Import/Export writes it, with `count` published posts."""
    stamp = "2023-12-01T09:00:00.000Z"
    users = [
        {"id": f"u{n:023d}", "name": f"Writer Number {n}", "slug": f"writer-{n}", "bio": f"Writer {n} covers the city."}
        for n in range(AUTHORS)
    ]
    tags = [
        {"id": f"t{n:023d}", "name": f"Section {n}", "slug": f"section-{n}", "visibility": "public"}
        for n in range(TAGS)
    ]
    posts, posts_authors, posts_tags = [], [], []
    for n in range(count):
        post_id = f"p{n:023d}"
        body = (
            f"<p>{PARAGRAPH} <strong>Post {n}.</strong></p><h2>What changed</h2>"
            + "".join(f'<p>{PARAGRAPH} <a href="https://example.org/{n}/{k}">Source {k}</a>.</p>' for k in range(5))
            + "<blockquote>We will not close a single branch.<cite>The mayor</cite></blockquote>"
            + "<ul><li>Parks: up 3%</li><li>Roads: down 2%</li></ul>"
        )
        posts.append({
            "id": post_id, "uuid": str(uuid.UUID(int=n)), "title": f"The City Votes on Budget Number {n}",
            "slug": f"budget-vote-{n}", "html": body, "plaintext": "", "feature_image": None, "type": "post",
            "status": "published" if n % 20 else "draft", "visibility": ("public", "paid", "members")[n % 3],
            "created_at": stamp, "updated_at": stamp, "published_at": stamp,
            "custom_excerpt": f"Standfirst of post {n}.",
        })  # fmt: skip
        posts_authors.append(
            {"id": f"pa{n:022d}", "post_id": post_id, "author_id": users[n % AUTHORS]["id"], "sort_order": 0}
        )
        posts_tags.append({"id": f"pt{n:022d}", "post_id": post_id, "tag_id": tags[n % TAGS]["id"], "sort_order": 0})
    data = {"posts": posts, "users": users, "tags": tags, "posts_authors": posts_authors, "posts_tags": posts_tags,
            "posts_meta": []}  # fmt: skip
    return {"db": [{"meta": {"exported_on": 1733220000000, "version": "5.101.3"}, "data": data}]}


def timed_import(env: dict[str, str], export: Path, batch_size: int) -> dict:
    """Run import_ghost in a child under /usr/bin/time; wall seconds, peak RSS and the report's lines."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        ["/usr/bin/time", "-f", "MAXRSS_KIB=%M CPU_SECONDS=%U %S", sys.executable, "manage.py", "import_ghost",
         str(export), "--batch-size", str(batch_size), "-v0"],
        cwd=Path(__file__).resolve().parents[1], env=env, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode:
        raise ChildFailed(f"import_ghost failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    timed = next(line for line in done.stderr.splitlines() if line.startswith("MAXRSS_KIB=")).split()
    rss_kib, user, system = int(timed[0][11:]), float(timed[1][12:]), float(timed[2])
    report = [line.strip() for line in done.stdout.splitlines() if line.startswith("  ")]
    return {"seconds": seconds, "cpu_seconds": user + system, "peak_rss_mib": rss_kib / 1024, "report": report,
            "nothing_changed": "Nothing changed" in done.stdout}  # fmt: skip


def bench(env: dict[str, str], export: Path, count: int, batch_size: int) -> list[dict]:
    run_child(env, "manage.py", "migrate", "--noinput", "-v0")
    first = timed_import(env, export, batch_size)
    second = timed_import(env, export, batch_size)
    return [{"run": "first (creates)", **first}, {"run": "second (changes nothing)", **second}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument(
        "--postgres", help="a PostgreSQL server URL without a database, e.g. postgres://postgres@127.0.0.1:5432"
    )
    args = parser.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="masthead-bench-import-") as data_dir:
        export = Path(data_dir) / "ghost-export.json"
        export.write_text(json.dumps(ghost_export(args.count)))
        env = isolated_env(data_dir) | {"SEED_DIR": ""}
        database = "SQLite"
        if args.postgres:
            name = f"masthead_bench_import_{os.getpid()}"
            subprocess.run(["psql", args.postgres + "/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)  # noqa: S603,S607
            env["DATABASE_URL"], database = f"{args.postgres}/{name}", "PostgreSQL"
        try:
            results = bench(env, export, args.count, args.batch_size)
        finally:
            if args.postgres:
                subprocess.run(["psql", args.postgres + "/postgres", "-qc", f"DROP DATABASE {name}"], check=False)  # noqa: S603,S607
        size_mib = export.stat().st_size / 2**20
    rows = [
        f"| {r['run']} | {r['seconds']:.0f} s | {r['cpu_seconds']:.0f} s | {args.count / r['seconds']:.0f} | "
        f"{r['peak_rss_mib']:.0f} MiB | "
        f"{'; '.join(r['report'])} |"
        for r in results
    ]
    report = "\n".join([
        f"# import_ghost, {args.count:,} posts ({size_mib:.0f} MiB export), {database}, batches of {args.batch_size}",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')}, load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "",
        "| run | wall time | CPU time | posts/s | peak RSS | report |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        *rows,
        "",
        f"Second run changed nothing: {'yes' if results[1]['nothing_changed'] else 'NO'}",
    ])  # fmt: skip
    print(report)
    save_report("import-posts", report, label=f"-{database.lower()}")


if __name__ == "__main__":
    main()
