"""Soak test of `make prod`: a mix of readers against nginx at 80% of the measured peak, while the
workers narrate; errors, p50/p99 per page kind, and the RSS of every profile process every 10 s.

    make prod                                   # in another shell, or before
    .venv/bin/python bench/soak.py              # 10 minutes at 80% of peak (the issue's soak)
    SOAK_SECONDS=120 .venv/bin/python bench/soak.py   # shorter, said so in the result

Phases: a 20 s warm-up (the same mix flat out, not counted: a fresh `make prod` renders every page
once), a 20 s peak probe (every client as fast as it can), then SOAK_SECONDS at 80% of that rate.
The mix (weights): anonymous readers of home, section and article pages 50, subscribers reading
articles (never cached, a fresh render each) 20, anonymous searches 10, a reader on the plans and
checkout pages 10, RSS and podcast feeds 10. Checkouts are page views, not payments: Pay is
limited to 30 presses an hour per address, and every client here is 127.0.0.1. Searches use 20
words, so after their first run they come from the caches (subscribers' searches would be counted
by the search rate limit, 30 a minute per address). Writes the result to bench/results/soak-<date>.md.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOAK_SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
PROBE_SECONDS = int(os.environ.get("SOAK_PROBE_SECONDS", "20"))
WARMUP_SECONDS = int(os.environ.get("SOAK_WARMUP_SECONDS", "20"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "16"))
NARRATIONS = int(os.environ.get("SOAK_NARRATIONS", "40"))  # articles published as the soak starts, for the workers
SAMPLE_EVERY = 10
WORDS = "grid energy minister election market climate court bank trade war vote law city art film data oil tax"

SETUP = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from masthead.content.models import ArticlePage, SectionPage
from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.models import Plan
from masthead.subscriptions.services import do_subscribe

def session(name, subscribed):
    user, created = get_user_model().objects.get_or_create(username=name, defaults={"email": f"{name}@example.com"})
    if created and subscribed:
        card = CardInput(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")
        do_subscribe(reader=user, plan=Plan.objects.get(slug="digital-monthly"), card=card, checkout_token=name)
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value

articles = [a.url for a in ArticlePage.objects.live().order_by("-first_published_at")[:60]]
print(json.dumps({
    "articles": articles,
    "sections": [s.url for s in SectionPage.objects.live()],
    "subscribers": [session(f"soak-sub-{n}", True) for n in range(8)],
    "readers": [session(f"soak-reader-{n}", False) for n in range(4)],
    "plans": list(Plan.objects.filter(active=True).values_list("slug", flat=True))[:3] if hasattr(Plan, "active")
             else list(Plan.objects.values_list("slug", flat=True))[:3],
}))
"""


def profile_env() -> dict[str, str]:
    dumped = subprocess.run(
        ["/bin/bash", "-c", "source scripts/prod/env.sh && env -0"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return dict(item.split("=", 1) for item in dumped.decode().split("\0") if "=" in item)


def setup(env: dict[str, str]) -> dict:
    return json.loads(django_shell(env, SETUP).strip().splitlines()[-1])


PUBLISH = """
import datetime, random
from masthead.content.models import SectionPage
from masthead.content.services import create_or_update_article

words = WORDS.split()
rng = random.Random(STAMP)
section = SectionPage.objects.live().first()
def paragraph():
    return " ".join(" ".join(rng.choice(words) for _ in range(6)).capitalize() + "." for _ in range(5))
for n in range(COUNT):
    create_or_update_article(  # publishing enqueues the narration on the audio queue
        section=section, slug=f"soak-{STAMP}-{n}", title=f"Soak article {n}", author_names=["Soak Writer"],
        date=datetime.date.today(), pages=[[paragraph() for _ in range(5)] for _ in range(2)],
    )
"""

NARRATED = """
import datetime, json
from masthead.audio.models import ArticleNarration
done = ArticleNarration.objects.filter(article__slug__startswith=f"soak-{STAMP}-", status="ready")
times = sorted(done.values_list("narrated_at", flat=True))
during = ArticleNarration.objects.filter(status="ready", narrated_at__gte=datetime.datetime.fromisoformat(STARTED))
print(json.dumps({"ready": len(times), "first": times[0].isoformat() if times else None,
                  "last": times[-1].isoformat() if times else None, "during": during.count()}))
"""


def django_shell(env: dict[str, str], script: str) -> str:
    out = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(out.stderr[-2000:])
    return out.stdout


def publish_articles_to_narrate(env: dict[str, str], stamp: str) -> None:
    script = PUBLISH.replace("STAMP", repr(stamp)).replace("COUNT", str(NARRATIONS)).replace("WORDS", repr(WORDS))
    django_shell(env, script)


def narrations_finished(env: dict[str, str], stamp: str, started: datetime.datetime) -> str:
    script = NARRATED.replace("STAMP", repr(stamp)).replace("STARTED", repr(started.isoformat()))
    found = json.loads(django_shell(env, script).strip().splitlines()[-1])
    # A fresh profile's demo articles are still queued for narration ahead of the soak's own.
    said = (
        f"Narration: the audio worker finished {found['during']} narrations during the soak; "
        f"{NARRATIONS} articles were published as it started, of which it finished "
    )
    if not found["ready"]:
        return said + "none (the queue ahead of them was not through)."
    first, last = ((datetime.datetime.fromisoformat(found[end]) - started).total_seconds() for end in ("first", "last"))
    return said + f"{found['ready']}, the first {first:.0f} s and the last {last:.0f} s after the start."


def pick(world: dict, rng: random.Random) -> tuple[str, str, str]:
    """(kind, path, session cookie) for the next request, by the mix's weights."""
    roll = rng.randrange(100)
    if roll < 50:
        path = rng.choice(["/", *world["sections"], *world["articles"], *world["articles"]])
        return "anonymous page", path, ""
    if roll < 70:
        return "subscriber article", rng.choice(world["articles"]), rng.choice(world["subscribers"])
    if roll < 80:
        return "search", f"/search/?q={rng.choice(WORDS.split())}", ""
    if roll < 90:
        plan = rng.choice(world["plans"])
        return "checkout page", rng.choice(["/subscribe/", f"/subscribe/{plan}/"]), rng.choice(world["readers"])
    return "feed", rng.choice(["/feed/", "/audio/feed.xml"]), ""


class Load:
    def __init__(self, host: str, port: int, world: dict):
        self.host, self.port, self.world = host, port, world
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.lock = threading.Lock()

    def run(self, seconds: float, rate: float | None) -> int:
        """Every client in a loop for `seconds`, together at most `rate` requests a second (None: flat out)."""
        self.latencies.clear()
        self.errors.clear()
        stop_at = time.monotonic() + seconds
        gap = CLIENTS / rate if rate else 0.0
        threads = [threading.Thread(target=self.client, args=(n, stop_at, gap)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(len(values) for values in self.latencies.values())

    def client(self, number: int, stop_at: float, gap: float) -> None:
        rng = random.Random(number)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        next_at = time.monotonic() + rng.random() * gap
        while time.monotonic() < stop_at:
            if gap:
                time.sleep(max(0.0, next_at - time.monotonic()))
                next_at += gap
            kind, path, session = pick(self.world, rng)
            headers = {"Cookie": f"sessionid={session}"} if session else {}
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
                problem = f"{response.status} {path}"
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                ok, problem = False, f"{type(error).__name__} {path}"
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies[kind].append(elapsed)
                if not ok:
                    self.errors[kind].append(problem)
        conn.close()


def profile_pids(env: dict[str, str]) -> dict[int, str]:
    """Every process of the profile: those in run/*.pid, and their children (gunicorn's and nginx's workers)."""
    run = Path(env["PROD_RUN"])
    roots = {int(p.read_text()): p.stem for p in run.glob("*.pid") if p.read_text().strip()}
    found = dict(roots)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent in roots:
            found[int(stat.parent.name)] = f"{roots[parent]}.{stat.parent.name}"
    return found


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    env = profile_env()
    host, port = env["PROD_HOST"], int(env["PROD_PORT"])
    world = setup(env)
    load = Load(host, port, world)
    started_at = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()

    load.run(WARMUP_SECONDS, None)  # not counted: each page's first render, the caches filling
    done = load.run(PROBE_SECONDS, None)
    peak = done / PROBE_SECONDS
    target = 0.8 * peak
    print(f"peak {peak:.0f} requests/s over {PROBE_SECONDS} s; soaking at {target:.0f}/s for {SOAK_SECONDS} s")
    stamp = started_at.strftime("%Y-%m-%d-%H%M%S")
    soak_started = datetime.datetime.now(datetime.UTC)
    publish_articles_to_narrate(env, stamp)

    samples: list[tuple[float, dict[str, float]]] = []
    stop = threading.Event()

    def sample() -> None:
        pids = profile_pids(env)
        t0 = time.monotonic()
        while not stop.is_set():
            samples.append((time.monotonic() - t0, {name: rss_mib(pid) for pid, name in pids.items()}))
            stop.wait(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample)
    sampler.start()
    done = load.run(SOAK_SECONDS, target)
    stop.set()
    sampler.join()
    load_after = os.getloadavg()
    narration = narrations_finished(env, stamp, soak_started)

    rows, errors = [], 0
    for kind in sorted(load.latencies):
        values = load.latencies[kind]
        errors += len(load.errors[kind])
        rows.append(
            f"| {kind} | {len(values)} | {len(load.errors[kind])} | {percentile(values, 0.5) * 1000:.1f} ms "
            f"| {percentile(values, 0.99) * 1000:.1f} ms |"
        )
    first, last = samples[: min(3, len(samples))], samples[-min(3, len(samples)) :]
    memory = []
    for name in sorted(samples[0][1]):
        start = [s[1][name] for s in first if s[1].get(name)]
        end = [s[1][name] for s in last if s[1].get(name)]
        if not start or not end:
            memory.append(f"| {name} | {statistics.mean(start) if start else 0:.0f} | gone | |")
            continue
        growth = (statistics.mean(end) - statistics.mean(start)) / statistics.mean(start) * 100
        memory.append(
            f"| {name} | {statistics.mean(start):.0f} | {statistics.mean(end):.0f} | {growth:+.1f}% "
            f"{'flat' if growth < 5 else 'GREW'} |"
        )
    report = "\n".join(
        [
            f"# Soak {stamp}",
            "",
            f"`make prod` (nginx, gunicorn {env['PROD_WEB_WORKERS']}x{env['PROD_WEB_THREADS']}, RQ workers narrating), "
            f"{CLIENTS} clients on the same 2 cores. After a {WARMUP_SECONDS} s warm-up, peak probe {PROBE_SECONDS} s: "
            f"{peak:.0f} requests/s; "
            f"soak {SOAK_SECONDS} s at 80% = {target:.0f}/s offered, {done / SOAK_SECONDS:.0f}/s served"
            + ("" if SOAK_SECONDS >= 600 else " (**shortened**: the issue asks for 600 s)")
            + ".",
            f"Load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (other work shares this machine).",
            "",
            narration,
            "",
            "| kind | requests | errors | p50 | p99 |",
            "| --- | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            f"Errors: {errors}" + (f" (first: {[e for v in load.errors.values() for e in v][:5]})" if errors else ""),
            "",
            f"RSS (MiB) of every profile process, sampled every {SAMPLE_EVERY} s ({len(samples)} samples); "
            "mean of the first three samples against the last three:",
            "",
            "| process | start | end | growth |",
            "| --- | ---: | ---: | --- |",
            *memory,
            "",
        ]
    )
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"soak-{stamp}.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
