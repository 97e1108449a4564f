"""Renewal benchmark: 100,000 due subscriptions renewed on the sandbox gateway, on SQLite and on PostgreSQL.

    .venv/bin/python bench/renewals.py [--count 100000] [--databases sqlite,postgresql]
    .venv/bin/python bench/renewals.py --databases postgresql-async-commit --label -async

For each database it builds a fresh one (SQLite in a temporary DATA_DIR, never ./data; PostgreSQL
as a throwaway database on --postgres, dropped afterwards), migrates it, bulk-creates `count`
subscribers whose monthly period ended an hour ago, then times `renew_due_subscriptions()` in a
process of its own, with the production settings (the database task queue, so each renewal's
receipt email is enqueued as it would be). It checks every subscription was charged exactly once,
prints a markdown table (renewals per second, peak memory) and saves it to bench/results/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time

from benchlib import ROOT, ChildFailed, isolated_env, last_json, peak_rss_mib, run_child, save_report


def run_renewals(shard: str | None) -> None:
    """In a child process: renew everything due (or one shard of it); report time, outcomes and memory."""
    import django

    django.setup()
    from masthead.subscriptions.services import parse_shard, renew_due_subscriptions

    rss_before = peak_rss_mib()
    started = time.perf_counter()
    outcomes = renew_due_subscriptions(shard=parse_shard(shard) if shard else None)
    seconds = time.perf_counter() - started
    peak = peak_rss_mib()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "outcomes": outcomes,
                "peak_rss_mib": peak,
                "rss_growth_mib": peak - rss_before,
            }
        )
    )


def count_charges() -> None:
    """In a child process, after the run: what the ledger and the sandbox gateway recorded."""
    import django

    django.setup()
    from masthead.subscriptions.models import Payment, SandboxCharge, Subscription

    paid = Payment.objects.filter(status=Payment.SUCCEEDED)
    print(
        json.dumps(
            {
                "subscriptions": Subscription.objects.count(),
                "paid_periods": paid.values("subscription_id", "period_start").distinct().count(),
                "succeeded_payments": paid.count(),
                "charges": SandboxCharge.objects.count(),
                "pending": Payment.objects.filter(status=Payment.PENDING).count(),
            }
        )
    )


def renew_in_workers(env: dict[str, str], workers: int) -> dict:
    """`workers` renewal processes side by side, one shard each (as `renew_subscriptions --shard i/n`)."""
    if workers == 1:
        return last_json(run_child(env, __file__, "--child"))
    started = time.perf_counter()
    processes = [
        subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, __file__, "--child", f"--shard={index}/{workers}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for index in range(1, workers + 1)
    ]
    reports = []
    for process in processes:
        output, _ = process.communicate()
        if process.returncode:
            sys.exit(f"a renewal worker failed:\n{output}")
        reports.append(last_json(output))
    outcomes: dict[str, int] = {}
    for report in reports:
        for outcome, n in report["outcomes"].items():
            outcomes[outcome] = outcomes.get(outcome, 0) + n
    return {
        "seconds": time.perf_counter() - started,
        "outcomes": outcomes,
        "peak_rss_mib": max(report["peak_rss_mib"] for report in reports),
        "rss_growth_mib": max(report["rss_growth_mib"] for report in reports),
    }


def bench(database: str, env: dict[str, str], count: int, workers: int) -> dict:
    print(f"[{database}] migrating…", file=sys.stderr)
    run_child(env, "manage.py", "migrate", "--noinput", "-v0")
    print(f"[{database}] creating {count:,} due subscriptions…", file=sys.stderr)
    run_child(env, "-m", "tests.ledger.due_subscriptions", str(count))
    print(f"[{database}] renewing with {workers} worker(s)…", file=sys.stderr)
    result = renew_in_workers(env, workers)
    result.update(last_json(run_child(env, __file__, "--count-charges")))
    result["database"] = database
    result["workers"] = workers
    return result


def bench_sqlite(count: int, workers: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="masthead-bench-renewals-") as data_dir:
        return bench("SQLite " + sqlite3.sqlite_version, isolated_env(data_dir), count, workers)


def bench_postgresql(count: int, workers: int, server: str, *, async_commit: bool = False) -> dict:
    import psycopg

    name = f"masthead_bench_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        version = admin.execute("SHOW server_version").fetchone()[0]
        admin.execute(f'CREATE DATABASE "{name}"')
        label = f"PostgreSQL {version.split()[0]}"
        if async_commit:
            # Commits stop waiting for the disk's fsync; a server crash may lose the last moments,
            # which the renewal keys make safe to redo (see bench/README-renewals.md).
            admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
            label += ", synchronous_commit=off"
        try:
            with tempfile.TemporaryDirectory(prefix="masthead-bench-renewals-") as data_dir:
                env = isolated_env(data_dir) | {"DATABASE_URL": f"{server}/{name}"}
                return bench(label, env, count, workers)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table(results: list[dict], count: int) -> str:
    lines = [
        f"## Renewals: {count:,} due subscriptions, sandbox gateway ({datetime.date.today():%Y-%m-%d})",
        "",
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end; production settings.",
        "",
        "| Database | Workers | Renewed | Seconds | Renewals/s | Peak RSS per worker (MiB) | RSS growth renewing (MiB) "
        "| Charged once |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        once = r["succeeded_payments"] == r["paid_periods"] == r["charges"] == r["subscriptions"] and r["pending"] == 0
        renewed = r["outcomes"].get("renewed", 0)
        lines.append(
            f"| {r['database']} | {r['workers']} | {renewed:,} | {r['seconds']:.1f} | {renewed / r['seconds']:,.0f} "
            f"| {r['peak_rss_mib']:.0f} | {r['rss_growth_mib']:.0f} | {'yes' if once else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql", help="also: postgresql-async-commit")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    parser.add_argument("--label", default="", help="appended to the results file's name")
    parser.add_argument("--workers", default="1", help="renewal processes side by side, e.g. 1,2,4 for a row each")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--shard", help=argparse.SUPPRESS)
    parser.add_argument("--count-charges", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_renewals(args.shard)
        return
    if args.count_charges:
        count_charges()
        return

    results = []
    try:
        run_all(args, results)
    except ChildFailed as failure:
        sys.exit(str(failure))
    report = table(results, args.count)
    print(report)
    save_report("renewals", report, label=args.label)


def run_all(args, results: list[dict]) -> None:
    for database in args.databases.split(","):
        for workers in (int(n) for n in args.workers.split(",")):
            if database == "sqlite":
                results.append(bench_sqlite(args.count, workers))
            elif database == "postgresql":
                results.append(bench_postgresql(args.count, workers, args.postgres))
            elif database == "postgresql-async-commit":
                results.append(bench_postgresql(args.count, workers, args.postgres, async_commit=True))
            else:
                sys.exit(f"Unknown database {database!r}: sqlite or postgresql")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
