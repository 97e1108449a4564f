"""Circulation dashboard benchmark: 100,000 live subscribers and five years of ledger, on SQLite and PostgreSQL.

    .venv/bin/python bench/dashboard.py [--subscribers 100000] [--years 5] [--runs 30] [--databases sqlite,postgresql]
    .venv/bin/python bench/dashboard.py --against /tmp/masthead-before [--rounds 3]  # before and after a change

For each database it builds a ledger of its own once (SQLite under BENCH_DATA_DIR, default
/tmp/masthead-bench-dashboard; PostgreSQL as the database masthead_bench_dashboard on --postgres),
kept for the next run (--rebuild starts again). The ledger is written in bulk, row for row as the
services write it: readers, subscriptions on the four default plans and a euro one, every period's
payment, the event log (subscribed, payment_succeeded, renewed, canceled, ended,
refunded_under_guarantee, payment_failed, and the emails' email_sent rows), refunds, failed retries
for the readers who lapse, doors and articles for the newer subscriptions, 24 issues a year with
their stored print run (the mailing list's row count; its rows are not written: the dashboard reads
the count). Then, in a process of its own with production settings, it times:
- the first drawing of the kept days (`days.store_days`, as the hourly job does it once);
- the hourly job afterwards (the unsettled days drawn again);
- the dashboard page (GET /admin/circulation/ as circulation staff, through the test client: the
  view, its queries and the template), the 5-year span, the admin home with the panel, and the
  months table's CSV file (5 years);
each page `--runs` times after two warm-ups, p50 and p95. It prints a markdown table with the load
average (`uptime`) and saves it to bench/results/. See docs/circulation.md.

With `--against <another checkout>` (the code before a change: `git worktree add <dir> <commit>`),
it times the pages only, on the days kept already, with that checkout's code and this one's in
turns (`--rounds` processes each, `--runs` requests of each page in all), and reports both side by side.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, ChildFailed, isolated_env, last_json, run_child, save_report

DEFAULT_DATA_DIR = str(Path(tempfile.gettempdir()) / "masthead-bench-dashboard")
PG_NAME = "masthead_bench_dashboard"
STAFF = "bench-circulation"
BATCH = 5000
# Plans by share of subscribers: the four default plans and a euro one made here.
PLAN_SHARES = [
    ("digital-monthly", 0.38),
    ("digital-yearly", 0.24),
    ("digital-print-monthly", 0.15),
    ("digital-print-yearly", 0.15),
    ("digital-monthly-eur", 0.08),
]
DOOR_SHARES = [("paywall", 0.35), ("footer", 0.15), ("newsletter", 0.10), ("offer", 0.10), ("", 0.30)]
ARTICLES = 3000  # ids the paywall doors name (no pages behind them: the dashboard shows "deleted")
RETRY_DAYS = (1, 3, 5, 7)


def pick(rng: random.Random, shares):
    point, total = rng.random(), 0.0
    for value, share in shares:
        total += share
        if point < total:
            return value
    return shares[-1][0]


def build(subscribers: int, years: int) -> None:
    """In a child process: write the ledger in bulk (see the module docstring)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from masthead.circulation.models import MailingList
    from masthead.editions.models import Issue
    from masthead.subscriptions.models import Payment, Plan, Refund, Subscription, SubscriptionEvent, add_months

    user_model = get_user_model()
    rng = random.Random(16)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    begins = add_months(now, -12 * years)
    span = (now - begins).total_seconds()
    Plan.objects.get_or_create(
        slug="digital-monthly-eur",
        defaults={"name": "Digital, monthly (euro)", "interval": "month", "price_cents": 800, "currency": "EUR"},
    )
    plans = {plan.slug: plan for plan in Plan.objects.all()}

    ended_share = 0.4  # of all subscriptions: those that ended during the five years
    total = int(subscribers / (1 - ended_share))
    print_intervals: list[tuple[datetime.datetime, datetime.datetime]] = []
    counts = {"users": 0, "subscriptions": 0, "payments": 0, "events": 0, "refunds": 0}
    next_payment_id = 1

    def moment_in_history(fraction: float) -> datetime.datetime:
        return begins + datetime.timedelta(seconds=span * fraction)

    def event(subscription_id: int, kind: str, actor: str, detail: dict, at: datetime.datetime) -> SubscriptionEvent:
        """An event-log row as the ledger writes it."""
        return SubscriptionEvent(subscription_id=subscription_id, kind=kind, actor=actor, detail=detail, created_at=at)

    for chunk_start in range(0, total, BATCH):
        users, subscriptions, payments, events, refunds = [], [], [], [], []
        for index in range(chunk_start, min(total, chunk_start + BATCH)):
            live = index < subscribers
            plan = plans[pick(rng, PLAN_SHARES)]
            months_per_period = 12 if plan.interval == "year" else 1
            # The magazine grew: more of its subscribers started lately (density rising with time).
            started = moment_in_history(rng.random() ** 0.5)
            ending = None if live else rng.choices(["cancelled", "lapsed", "refunded"], weights=[60, 28, 12])[0]
            if ending:
                most = max(1, 12 * years // months_per_period - 1)
                mean = 12 if months_per_period == 1 else 1.5
                periods = 1 if ending == "refunded" else min(most, 1 + int(rng.expovariate(1 / mean)))
                # It ended before now (a refund within 60 days of the start): move its start back far enough.
                latest = add_months(now, -months_per_period * periods - 1)
                if started > latest:
                    started = moment_in_history(rng.random() * max((latest - begins).total_seconds(), 0) / span)
            else:
                periods = 0
                while add_months(started, months_per_period * (periods + 1)) <= now:
                    periods += 1
                periods += 1  # the period running now
            pk = index + 1
            reader_pk = index + 1
            users.append(
                user_model(
                    pk=reader_pk,
                    username=f"reader{reader_pk}",
                    email=f"reader{reader_pk}@example.com",
                    password="!",  # noqa: S106 (an unusable password)
                    date_joined=started,
                )
            )
            door = pick(rng, DOOR_SHARES)
            article = int(ARTICLES * rng.random() ** 3) + 1 if door == "paywall" else None
            status, ended_at, canceled_at, cancel_at_period_end, guarantee_claimed_at = (
                "active",
                None,
                None,
                False,
                None,
            )
            failed, next_retry_at = 0, None
            period_start = started
            starts = [add_months(started, months_per_period * k) for k in range(periods + 1)]
            # In dunning: the running period's renewal failed within the last week, retries still to come.
            due = starts[periods - 1]
            past_due = live and periods > 1 and now - datetime.timedelta(days=7) < due and rng.random() < 0.1
            paid_periods = periods - 1 if past_due else periods
            events.append(event(pk, "subscribed", "reader", {"plan": plan.slug}, started))
            events.append(event(pk, "email_sent", "system:mail", {"template": "welcome"}, started))
            for k in range(paid_periods):
                period_start, period_end = starts[k], starts[k + 1]
                payments.append(
                    Payment(
                        pk=next_payment_id,
                        subscription_id=pk,
                        period_start=period_start,
                        period_end=period_end,
                        amount_cents=plan.price_cents,
                        currency=plan.currency,
                        status="succeeded",
                        idempotency_key=f"bench:{pk}:{k}",
                        created_at=period_start,
                    )
                )
                next_payment_id += 1
                amount = f"{plan.price_cents / 100:.2f}"
                if k == 0:
                    events.append(event(pk, "payment_succeeded", "gateway:sandbox", {"amount": amount}, period_start))
                else:
                    events.append(
                        event(
                            pk,
                            "renewed",
                            "system:renewals",
                            {"amount": amount, "period_end": period_end.isoformat()},
                            period_start,
                        )
                    )
                events.append(event(pk, "email_sent", "system:mail", {"template": "receipt"}, period_start))
            last_end = starts[paid_periods]
            if ending == "cancelled" or (live and not past_due and rng.random() < 0.05):
                cancel_at_period_end = True
                canceled_at = starts[paid_periods - 1] + (last_end - starts[paid_periods - 1]) * rng.random()
                canceled_at = min(canceled_at, now - datetime.timedelta(minutes=1))
                events.append(event(pk, "canceled", "reader", {"reason": "too_expensive"}, canceled_at))
            if ending == "cancelled":
                status, ended_at = "ended", last_end
                events.append(event(pk, "ended", "system:renewals", {"reason": "period_over"}, ended_at))
            elif ending == "lapsed" or past_due:
                tries = [last_end] + [last_end + datetime.timedelta(days=day) for day in RETRY_DAYS]
                tries = [moment for moment in tries if moment <= now]
                for attempt, tried in enumerate(tries):
                    payments.append(
                        Payment(
                            pk=next_payment_id,
                            subscription_id=pk,
                            period_start=last_end,
                            period_end=add_months(last_end, months_per_period),
                            amount_cents=plan.price_cents,
                            currency=plan.currency,
                            status="failed",
                            idempotency_key=f"bench:{pk}:failed:{attempt}",
                            decline_code="card_declined",
                            created_at=tried,
                        )
                    )
                    next_payment_id += 1
                    events.append(
                        event(
                            pk,
                            "payment_failed",
                            "system:renewals",
                            {"attempt": attempt + 1, "decline": "card_declined"},
                            tried,
                        )
                    )
                failed = len(tries)
                if ending == "lapsed":
                    status, ended_at = "ended", tries[-1]
                    events.append(event(pk, "ended", "system:renewals", {"reason": "renewal_failed"}, ended_at))
                else:
                    status, next_retry_at = (
                        "past_due",
                        last_end + datetime.timedelta(days=RETRY_DAYS[min(failed - 1, 3)]),
                    )
            elif ending == "refunded":
                ended_at = guarantee_claimed_at = started + datetime.timedelta(
                    days=rng.uniform(1, min(59, 28 * months_per_period))
                )
                status = "refunded"
                paid = payments[-1]
                refunds.append(
                    Refund(
                        payment_id=paid.pk,
                        amount_cents=paid.amount_cents,
                        reason="guarantee",
                        idempotency_key=f"guarantee:{paid.pk}",
                        created_at=ended_at,
                    )
                )
                events.append(
                    event(pk, "refunded_under_guarantee", "reader", {"refunded_cents": paid.amount_cents}, ended_at)
                )
            subscriptions.append(
                Subscription(
                    pk=pk,
                    reader_id=reader_pk,
                    plan=plan,
                    status=status,
                    gateway="sandbox",
                    started_at=started,
                    current_period_start=starts[paid_periods - 1] if paid_periods else started,
                    current_period_end=last_end,
                    cancel_at_period_end=cancel_at_period_end,
                    canceled_at=canceled_at,
                    ended_at=ended_at,
                    failed_renewal_attempts=failed,
                    next_retry_at=next_retry_at,
                    guarantee_claimed_at=guarantee_claimed_at,
                    door=door,
                    door_article_id=article,
                )
            )
            if plan.includes_print:
                print_intervals.append((started, ended_at or datetime.datetime.max.replace(tzinfo=datetime.UTC)))
        with transaction.atomic():
            user_model.objects.bulk_create(users, batch_size=BATCH)
            Subscription.objects.bulk_create(subscriptions, batch_size=BATCH)
            Payment.objects.bulk_create(payments, batch_size=BATCH)
            SubscriptionEvent.objects.bulk_create(events, batch_size=BATCH)
            Refund.objects.bulk_create(refunds, batch_size=BATCH)
        for name, rows in [
            ("users", users),
            ("subscriptions", subscriptions),
            ("payments", payments),
            ("events", events),
            ("refunds", refunds),
        ]:
            counts[name] += len(rows)
        print(f"  {min(total, chunk_start + BATCH):,} of {total:,} subscriptions written", file=sys.stderr)

    # 24 issues a year, on the 1st and the 15th, a year ahead as the schedule makes them; the closed
    # ones carry their print run: print subscribers whose subscription ran at the close.
    starts_sorted = sorted(start for start, _ in print_intervals)
    ends_sorted = sorted(end for _, end in print_intervals)
    import bisect

    issues, lists = [], []
    cover = begins.date().replace(day=1)
    number, closed_by = 0, "system:close_due_issues"
    while cover <= (now + datetime.timedelta(days=365)).date():
        for day in (1, 15):
            cover_date = cover.replace(day=day)
            number = 1 if day == 1 and cover.month == 1 else number + 1
            issues.append(
                Issue(
                    volume=cover_date.year - 2000, number=number, year=cover_date.year, cover_date=cover_date, live=True
                )
            )
        cover = (cover + datetime.timedelta(days=32)).replace(day=1)
    Issue.objects.filter(cover_date__in=[issue.cover_date for issue in issues]).delete()
    Issue.objects.bulk_create(issues, batch_size=BATCH)
    for issue in Issue.objects.order_by("cover_date"):
        closes_at = datetime.datetime.combine(
            issue.close_date + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
        )
        if closes_at > now:
            continue
        running = bisect.bisect_right(starts_sorted, closes_at) - bisect.bisect_right(ends_sorted, closes_at)
        lists.append(
            MailingList(issue=issue, closes_at=closes_at, closed_at=closes_at, closed_by=closed_by, row_count=running)
        )
    MailingList.objects.bulk_create(lists, batch_size=BATCH)
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [user_model, Subscription, Payment]):
                cursor.execute(sql)
            # VACUUM as well: it marks the pages all-visible, without which PostgreSQL reads every row's
            # table page beside its index (no index-only scans). Autovacuum would do it on a server
            # that runs it; the test machine's PostgreSQL has it off.
            cursor.execute("VACUUM (ANALYZE)")
        user_model.objects.create_superuser(STAFF, f"{STAFF}@example.com", "bench")
    else:
        user_model.objects.create_superuser(STAFF, f"{STAFF}@example.com", "bench")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts["issues"], counts["closed_issues"] = len(issues), len(lists)
    print(json.dumps(counts))


PAGES = [
    ("Dashboard, last 24 months (the default)", "/admin/circulation/"),
    ("Dashboard, last 60 months", "/admin/circulation/?span=60"),
    ("Admin home with the circulation panel", "/admin/"),
    ("A table as CSV (months, 60)", "/admin/circulation/months.csv?span=60"),
]
PANEL = "The home panel's figures alone (reports.headline_figures)"


def time_pages(runs: int) -> None:
    """In a child process: the stored days' first drawing, the hourly job, then each page `runs` times."""
    import django

    django.setup()
    from masthead.circulation.days import store_days
    from masthead.circulation.models import CirculationDay
    from masthead.subscriptions.models import Payment, Subscription, SubscriptionEvent

    CirculationDay.objects.all().delete()
    started = time.perf_counter()
    drawn = store_days()
    first_drawing = time.perf_counter() - started
    started = time.perf_counter()
    store_days()
    hourly = time.perf_counter() - started
    print(
        json.dumps(
            {
                "first_drawing_s": first_drawing,
                "days": drawn,
                "hourly_s": hourly,
                "pages": {label: summary(samples) for label, samples in page_samples(runs).items()},
                "live": Subscription.objects.filter(status__in=("active", "past_due")).count(),
                "subscriptions": Subscription.objects.count(),
                "payments": Payment.objects.count(),
                "events": SubscriptionEvent.objects.count(),
            }
        )
    )


def page_samples(runs: int) -> dict[str, dict[str, list[float]]]:
    """Each page `runs` times after two warm-ups, then the panel's figures alone: wall and CPU seconds of each call.

    Works with the code of any checkout since the dashboard began (see --against): it uses only the
    pages' URLs and `reports.headline_figures`.
    """
    from django.contrib.auth import get_user_model
    from django.test import Client

    from masthead.circulation.reports import headline_figures

    client = Client()
    client.force_login(get_user_model().objects.get(username=STAFF))
    samples = {}
    for label, url in PAGES:
        for _ in range(2):
            assert client.get(url).status_code == 200
        samples[label] = timed_samples(runs, lambda url=url: client.get(url))
    samples[PANEL] = timed_samples(runs, headline_figures)
    return samples


def time_pages_only(runs: int, code: str) -> None:
    """In a child process, with the code of the checkout at `code`: the pages' samples, on the days kept already."""
    sys.path.insert(0, code)
    import django

    django.setup()
    import masthead

    assert Path(masthead.__file__).resolve().is_relative_to(Path(code).resolve()), masthead.__file__
    from masthead.subscriptions.models import Payment, Subscription, SubscriptionEvent

    counts = {
        "live": Subscription.objects.filter(status__in=("active", "past_due")).count(),
        "subscriptions": Subscription.objects.count(),
        "payments": Payment.objects.count(),
        "events": SubscriptionEvent.objects.count(),
    }
    print(json.dumps(page_samples(runs) | {"counts": counts}))


def timed_samples(runs: int, call) -> dict[str, list[float]]:
    """The wall-clock and CPU seconds of `runs` calls.

    On a shared machine the wall clock counts the time other work held the CPU; this process's own
    CPU time does not (it leaves out PostgreSQL's, which runs in its server's processes).
    """
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = call()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        assert getattr(response, "status_code", 200) == 200
    return {"wall": wall, "cpu": cpu}


def summary(samples: dict[str, list[float]]) -> dict[str, float]:
    """Wall-clock p50 and p95, and the median CPU time of this process (milliseconds)."""
    wall = sorted(samples["wall"])
    return {
        "p50": statistics.median(wall) * 1000,
        "p95": wall[max(0, round(0.95 * len(wall)) - 1)] * 1000,
        "cpu_p50": statistics.median(samples["cpu"]) * 1000,
        "runs": len(wall),
    }


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()  # noqa: S607


def bench(label: str, env: dict[str, str], args, *, fresh: bool) -> dict:
    if fresh:
        print(f"[{label}] migrating…", file=sys.stderr)
        run_child(env, "manage.py", "migrate", "--noinput", "-v0")
        print(f"[{label}] writing the ledger…", file=sys.stderr)
        began = time.perf_counter()
        run_child(env, __file__, "--build", f"--subscribers={args.subscribers}", f"--years={args.years}")
        print(f"[{label}] written in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    else:
        run_child(env, "manage.py", "migrate", "--noinput", "-v0")
    run_child(env, "manage.py", "collectstatic", "--noinput", "-v0")  # the admin's pages name hashed files
    if args.against:
        return compare(label, env, args)
    load_before = uptime()
    result = last_json(run_child(env, __file__, "--time", f"--runs={args.runs}"))
    result.update(database=label, load_before=load_before, load_after=uptime())
    return result


def compare(label: str, env: dict[str, str], args) -> dict:
    """The pages timed with the code at `--against` (before) and this checkout's (after), in turns on the same ledger.

    One process per variant and round, the variants alternating for `--rounds` rounds, so both meet
    the same load and the same day (today's part of each view is read live and grows through the day).
    """
    variants = {"before": args.against, "after": str(ROOT)}
    per_round = math.ceil(args.runs / args.rounds)
    samples: dict[str, dict[str, dict[str, list[float]]]] = {variant: {} for variant in variants}
    load_before, counts = uptime(), {}
    for round_number in range(args.rounds):
        for variant, code in variants.items():
            print(f"[{label}] round {round_number + 1} of {args.rounds}: {variant}", file=sys.stderr)
            result = last_json(run_child(env, __file__, "--pages", f"--runs={per_round}", f"--code={code}"))
            counts = result.pop("counts")
            for page, page_samples in result.items():
                kept = samples[variant].setdefault(page, {"wall": [], "cpu": []})
                kept["wall"] += page_samples["wall"]
                kept["cpu"] += page_samples["cpu"]
    return {
        "database": label,
        "load_before": load_before,
        "load_after": uptime(),
        "codes": {variant: describe_code(code) for variant, code in variants.items()},
        "compare": {
            page: {variant: summary(samples[variant][page]) for variant in variants} for page in samples["after"]
        },
        **counts,
    }


def describe_code(code: str) -> str:
    """A checkout's commit, and whether the dashboard's code (circulation, the ledger's reads) differs from it."""

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", code, *args], capture_output=True, text=True).stdout.strip()  # noqa: S603, S607

    commit = git("rev-parse", "--short", "HEAD")
    changed = git("status", "--porcelain", "--", "masthead/circulation", "masthead/subscriptions")
    return f"{commit} with uncommitted changes to the dashboard's code" if changed else commit


def bench_sqlite(args) -> dict:
    data_dir = Path(os.environ.get("BENCH_DATA_DIR", DEFAULT_DATA_DIR))
    database = data_dir / "masthead.sqlite3"
    if args.rebuild and data_dir.exists():
        for name in ("masthead.sqlite3", "masthead.sqlite3-wal", "masthead.sqlite3-shm"):
            (data_dir / name).unlink(missing_ok=True)
    fresh = not database.exists()
    data_dir.mkdir(parents=True, exist_ok=True)
    return bench(f"SQLite {sqlite3.sqlite_version}", isolated_env(str(data_dir)), args, fresh=fresh)


def bench_postgresql(args) -> dict:
    import psycopg

    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
        version = admin.execute("SHOW server_version").fetchone()[0].split()[0]
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]).fetchone() is not None
        if exists and args.rebuild:
            admin.execute(f'DROP DATABASE "{PG_NAME}" WITH (FORCE)')
            exists = False
        if not exists:
            admin.execute(f'CREATE DATABASE "{PG_NAME}"')
    data_dir = Path(os.environ.get("BENCH_DATA_DIR", DEFAULT_DATA_DIR)) / "postgresql"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = isolated_env(str(data_dir)) | {"DATABASE_URL": f"{args.postgres}/{PG_NAME}"}
    return bench(f"PostgreSQL {version}", env, args, fresh=not exists)


def report(results: list[dict], args) -> str:
    lines = [
        f"## Circulation dashboard: {args.subscribers:,} live subscribers, {args.years} years "
        f"({datetime.date.today():%Y-%m-%d})",
        "",
        f"{os.cpu_count()} CPUs; production settings; each page {args.runs} times after two warm-ups, "
        "in-process through the test client (view, queries, template; no HTTP server).",
        "",
    ]
    for r in results:
        if "compare" in r:
            lines += compared_lines(r)
            continue
        lines += [
            f"### {r['database']}: {r['live']:,} live of {r['subscriptions']:,} subscriptions, "
            f"{r['payments']:,} payments, {r['events']:,} events",
            "",
            f"- load before: `{r['load_before']}`",
            f"- load after: `{r['load_after']}`",
            f"- stored days, first drawing ({r['days']:,} days): {r['first_drawing_s']:.1f} s; "
            f"the hourly job after it: {r['hourly_s']:.2f} s",
            "",
            "| Page | p50 (ms) | p95 (ms) | Under 300 ms at p95 | CPU of this process, p50 (ms) |",
            "|---|---:|---:|---|---:|",
        ]
        for page, timing in r["pages"].items():
            met = "yes" if timing["p95"] < 300 else "no"
            lines.append(f"| {page} | {timing['p50']:.0f} | {timing['p95']:.0f} | {met} | {timing['cpu_p50']:.0f} |")
        lines.append("")
    return "\n".join(lines)


def compared_lines(r: dict) -> list[str]:
    lines = [
        f"### {r['database']}: {r['live']:,} live of {r['subscriptions']:,} subscriptions, "
        f"{r['payments']:,} payments, {r['events']:,} events; before and after in turns",
        "",
        f"Before: {r['codes']['before']}; after: {r['codes']['after']}. Milliseconds, wall p50 / p95 "
        "(this process's CPU, p50); the variants alternated, one process per variant and round.",
        "",
        f"- load before: `{r['load_before']}`",
        f"- load after: `{r['load_after']}`",
        "",
        "| Page | Runs | Before | After | After under 300 ms at p95 |",
        "|---|---:|---|---|---|",
    ]
    for page, variants in r["compare"].items():
        before, after = variants["before"], variants["after"]
        cells = [f"{t['p50']:.0f} / {t['p95']:.0f} ({t['cpu_p50']:.0f})" for t in (before, after)]
        met = "yes" if after["p95"] < 300 else "no"
        lines.append(f"| {page} | {after['runs']} | {cells[0]} | {cells[1]} | {met} |")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000, help="live subscribers now")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    parser.add_argument("--rebuild", action="store_true", help="write the ledger again even if one is kept")
    parser.add_argument("--label", default="", help="appended to the results file's name")
    parser.add_argument(
        "--against",
        default="",
        help="another checkout (the code before a change, e.g. a git worktree): its pages and this one's are timed "
        "in turns on the same ledger, --runs each",
    )
    parser.add_argument("--rounds", type=int, default=3, help="with --against: turns each variant takes")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--time", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pages", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", default=str(ROOT), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build(args.subscribers, args.years)
        return
    if args.time:
        time_pages(args.runs)
        return
    if args.pages:
        time_pages_only(args.runs, args.code)
        return
    results = []
    try:
        for database in args.databases.split(","):
            if database == "sqlite":
                results.append(bench_sqlite(args))
            elif database == "postgresql":
                results.append(bench_postgresql(args))
            else:
                sys.exit(f"Unknown database {database!r}: sqlite or postgresql")
    except ChildFailed as failure:
        sys.exit(str(failure))
    text = report(results, args)
    print(text)
    save_report("dashboard", text, label=args.label)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
