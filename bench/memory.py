#!/usr/bin/env python3
"""Memory and restart benchmark (issue 18): the web server as scripts/serve.sh starts it, under wrk's load.

For each set-up (serve.sh's knobs, e.g. WEB_SERVER=gunicorn) and each checkout (this one by default;
`--checkout DIR`, or `label@DIR` for one set-up, runs serve.sh from another, e.g. a `git worktree` of
an older commit, so before and after sit in one table):
1. starts `scripts/serve.sh` itself (web server, db_worker, scheduler) on a free port of 127.0.0.1;
2. warms the pages, then runs `wrk -t2 -c32 -d<duration>` against each page in turn (web.sh's pages:
   cached anonymous pages and a subscriber's rendered article), sampling memory meanwhile;
3. sums the RSS of every web server process (the parent and all its workers, not the db_worker or
   the scheduler) after the load, and their PSS from /proc/<pid>/smaps_rollup (RSS counts a page
   shared by several processes once in each; PSS divides it among them);
4. restarts serve.sh (SIGTERM to its process group, as Ctrl-C or a service manager stops it, then
   starts it again) and times SIGTERM -> the first 200 of `/`, with the CPU the new web processes
   used by then: `--restarts` times (3) with an idle worker, then as many with a busy one
   (narrations queued, the worker narrating when the restart begins; the new serve.sh's worker
   takes the next one as it starts).

Prints a markdown table with `uptime`'s load average and saves it as bench/results/memory-<date>.md.
The data folder is the benchmark's own (BENCH_DATA_DIR, default /tmp/masthead-memory), prepared as
web.sh prepares its own; SKIP_SETUP=1 reuses it as it is.

    bench/memory.py                                  # serve.sh's default set-up and the alternatives in SETUPS
    bench/memory.py --setup "granian 2x2" --setup "gunicorn preload:WEB_SERVER=gunicorn,WEB_PRELOAD=true"
    bench/memory.py --checkout /tmp/before --checkout .  # every set-up on two checkouts (git worktree add /tmp/before)
    bench/memory.py --setup "serve.sh default@/tmp/before" --setup "serve.sh default"   # one set-up on each
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ROOT, isolated_env, run_child, save_report  # noqa: E402

# label: serve.sh's environment for it. The first is serve.sh as shipped (with ACCESS_LOG=false,
# as web.sh measures it, so the rates compare with bench/README.md's).
SETUPS = {
    "serve.sh default": {},
    "granian 2x2": {"WEB_SERVER": "granian", "WEB_WORKERS": "2", "WEB_THREADS": "2"},
    "granian 1x4": {"WEB_SERVER": "granian", "WEB_WORKERS": "1", "WEB_THREADS": "4"},
    "gunicorn gthread 2x2": {"WEB_SERVER": "gunicorn", "WEB_WORKERS": "2", "WEB_THREADS": "2"},
}
SEED_ARTICLE = "/foreign-affairs/china-boasts-of-closer-ties-with-russia-after-envoys-moscow-visit/"
BUSY_NARRATIONS = 8


def production_env(data_dir: str) -> dict[str, str]:
    """web.sh's production settings on the benchmark's own data folder."""
    env = isolated_env(data_dir)
    env.update(
        DEBUG="false",
        REQUIRE_SECRET_KEY="true",  # noqa: S106 (a switch, not a secret)
        SECRET_KEY=os.environ.get("SECRET_KEY", "masthead-bench-not-a-real-secret-0123456789abcdef"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        LOG_LEVEL="WARNING",
        AUDIO_NARRATE_ON_PUBLISH="false",
        ACCESS_LOG="false",
    )
    return env


def prepare(env: dict[str, str]) -> dict[str, str]:
    """The data folder as web.sh builds it, and the subscriber's cookie and articles (bench/paywall_setup.py)."""
    if not os.environ.get("SKIP_SETUP"):
        print("== Preparing", env["DATA_DIR"], file=sys.stderr)
        run_child(env, "manage.py", "migrate", "--noinput", "--verbosity", "0")
        run_child(env, "manage.py", "load_demo")
        run_child(env, "manage.py", "update_index", "--verbosity", "0")
        run_child(env, "manage.py", "collectstatic", "--noinput", "--verbosity", "0")
    found = dict(line.split("=", 1) for line in run_child(env, "bench/paywall_setup.py").split() if "=" in line)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def descendants(pid: int) -> list[int]:
    found = [pid]
    for kid in children_of(pid):
        found += descendants(kid)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def kib(pid: int, path: str, field: str) -> int:
    try:
        match = re.search(rf"^{field}:\s+(\d+) kB", Path(f"/proc/{pid}/{path}").read_text(), re.M)
    except OSError:
        return 0
    return int(match.group(1)) if match else 0


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, exited and not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Restart(NamedTuple):
    """One restart: seconds from SIGTERM to the first 200 of `/`; of those, stopping the old serve.sh; the
    CPU seconds the new web processes had used by then (what other work on the machine cannot inflate);
    the seconds the request that got the 200 took; its X-Page-Cache (hit: `/` came from the page
    cache; miss: the new process rendered it, as after a narration changed the home page); and when the
    old worker had exited (one still narrating competes with the new site as it starts)."""

    total: float
    stop: float
    cpu: float
    request: float
    cached: str
    worker_left: float  # seconds from SIGTERM until the old worker process had exited (polled every 50 ms)


class Site:
    """One scripts/serve.sh in a process group of its own, so stopping it stops all it started."""

    def __init__(self, checkout: Path, env: dict[str, str], log: Path):
        self.checkout, self.env, self.log = checkout, env, log
        self.port = int(env["PORT"])
        self.proc: subprocess.Popen | None = None
        self.groups: list[int] = []

    def start(self) -> None:
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(  # noqa: S603 (our own script)
                [str(self.checkout / "scripts/serve.sh")],
                cwd=self.checkout,
                env=self.env,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        self.groups.append(self.proc.pid)

    def status(self, path: str = "/") -> int:
        return self.answer(path)[0]

    def answer(self, path: str = "/") -> tuple[int, str]:
        """The status of `path` (0 if nothing answered), and its X-Page-Cache header (hit, miss or "")."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:  # noqa: S310
                return response.status, response.headers.get("X-Page-Cache", "")
        except urllib.error.HTTPError as error:
            return error.code, ""
        except (OSError, urllib.error.URLError):
            return 0, ""

    def wait_for_first_200(self, timeout: float = 120) -> tuple[float, float, str]:
        """Seconds until `/` answered 200 (polled every 50 ms); how long that request took (the rest was
        the server starting); and whether the page came from the page cache (X-Page-Cache)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            asked = time.monotonic()
            status, cached = self.answer()
            if status == 200:
                answered = time.monotonic()
                return answered - start, answered - asked, cached
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve.sh exited ({self.proc.returncode}); see {self.log}")
            time.sleep(0.05)
        raise RuntimeError(f"no 200 from / within {timeout} s; see {self.log}")

    def web_pids(self) -> list[int]:
        """The web server's processes: serve.sh's child running granian or gunicorn, and all under it."""
        for kid in children_of(self.proc.pid):
            if re.search(r"granian|gunicorn", cmdline(kid)):
                return descendants(kid)
        return []

    def worker_pid(self) -> int | None:
        return next((kid for kid in children_of(self.proc.pid) if "db_worker" in cmdline(kid)), None)

    def memory(self) -> tuple[int, int, list[int]]:
        """Sum of RSS and of PSS (KiB) over the web processes, and each one's RSS."""
        pids = self.web_pids()
        rss = [kib(pid, "status", "VmRSS") for pid in pids]
        return sum(rss), sum(kib(pid, "smaps_rollup", "Pss") for pid in pids), rss

    def stop(self) -> None:
        """SIGTERM to the group, as a terminal's Ctrl-C or a service manager would; waits for serve.sh."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def restart(self) -> Restart:
        """SIGTERM, then start again, timed to the first 200 of `/` from the new serve.sh."""
        old_worker = self.worker_pid()
        left: list[float] = []

        def watch_the_old_worker() -> None:
            while old_worker and alive(old_worker) and time.monotonic() - start < 120:
                time.sleep(0.05)
            left.append(time.monotonic() - start)

        start = time.monotonic()
        watcher = threading.Thread(target=watch_the_old_worker)
        watcher.start()
        self.stop()
        stopped = time.monotonic() - start
        self.start()
        _, request, cached = self.wait_for_first_200()
        elapsed = time.monotonic() - start
        cpu = sum(cpu_ticks(pid) for pid in self.web_pids()) / os.sysconf("SC_CLK_TCK")
        watcher.join()
        return Restart(elapsed, stopped, cpu, request, cached, left[0] if old_worker else 0.0)

    def settle(self, timeout: float = 60) -> None:
        """Wait until every web process has loaded the site (together under a tenth of a core for a second).

        A restart is measured on a server that has finished starting, as a deploy finds it; a granian
        worker stopped while still loading never exits (see WEB_KILL_TIMEOUT in scripts/serve.sh).
        """
        hz = os.sysconf("SC_CLK_TCK")
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            pids = self.web_pids()
            before = sum(cpu_ticks(pid) for pid in pids)
            time.sleep(1)
            if len(pids) > 1 and (sum(cpu_ticks(pid) for pid in pids) - before) / hz < 0.1:
                return

    def kill_leftovers(self) -> None:
        """Whatever is still alive in the groups this benchmark started (an old worker finishing a task)."""
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)


def wrk(site: Site, path: str, duration: str, cookie: str = "") -> dict[str, float]:
    header = f"Cookie: {cookie}" if cookie else "X-Anonymous: 1"
    url = f"http://127.0.0.1:{site.port}{path}"
    done = subprocess.run(  # noqa: S603
        [
            "/usr/bin/wrk",
            "-t2",
            "-c32",
            f"-d{duration}",
            "--latency",
            "-s",
            str(ROOT / "bench/report.lua"),
            "-H",
            header,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    fields = {key: int(value) for key, value in (item.split("=") for item in line.split()[1:])}
    return {
        "rps": fields["requests"] / (fields["duration_us"] / 1e6),
        "p99_ms": fields["p99_us"] / 1000,
        "failures": fields["non2xx"] + fields["errors"],
    }


def load_one_page(site: Site, path: str, cookie: str, duration: str, peak: int) -> tuple[dict, int]:
    """wrk against one page (in a thread) while this thread samples the web processes' RSS twice a second."""
    figures: dict[str, float] = {}
    thread = threading.Thread(target=lambda: figures.update(wrk(site, path, duration, cookie)))
    thread.start()
    while thread.is_alive():
        peak = max(peak, site.memory()[0])
        time.sleep(0.5)
    thread.join()
    return figures, peak


def queue_narrations(env: dict[str, str], checkout: Path, count: int) -> None:
    """Queue narrations of articles not narrated yet, so the worker has minutes of work."""
    code = (
        "from masthead.audio.tasks import ensure_article_audio\n"
        "from masthead.content.models import ArticlePage\n"
        "ids = ArticlePage.objects.live().filter(narration__isnull=True).order_by('-pk').values_list('pk', flat=True)\n"
        f"for article_id in ids[:{count}]: ensure_article_audio.enqueue(article_id)\n"
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code], cwd=checkout, env=env, check=True
    )


def drop_queued_tasks(env: dict[str, str], checkout: Path) -> None:
    """Empty the benchmark's own task queue, so the next set-up starts with an idle worker."""
    code = (
        "from django_tasks_db.models import DBTaskResult\nDBTaskResult.objects.exclude(status='SUCCESSFUL').delete()\n"
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code], cwd=checkout, env=env, check=True
    )


def narrations_started(site: Site) -> int:
    """How many narrations the site's workers have begun, from their log lines (no process start to ask)."""
    return site.log.read_text().count("ensure_article_audio state=RUNNING")


def wait_until_busy(site: Site, already: int, timeout: float = 120) -> bool:
    """True once a worker has begun a narration since `already` were counted."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if narrations_started(site) > already:
            return True
        time.sleep(0.2)
    return False


def measure(checkout: Path, label: str, overrides: dict[str, str], base_env: dict, pages: list, options) -> dict:
    env = {**base_env, **overrides, "HOST": "127.0.0.1", "PORT": str(free_port())}
    log = Path(env["DATA_DIR"]) / f"serve-{checkout.name}-{re.sub(r'[^A-Za-z0-9.]+', '-', label)}.log"
    log.unlink(missing_ok=True)
    duration, restarts = options.duration, options.restarts
    site = Site(checkout, env, log)
    result = {"label": label, "checkout": describe(checkout), "load_before": load_average()}
    drop_queued_tasks(env, checkout)
    try:
        site.start()
        result["first_start"] = site.wait_for_first_200()[0]
        result["rss_started"] = site.memory()[0]
        for path, _cookie in pages:
            for _ in range(4):
                site.status(path)
        rates, peak = [], 0
        for name, (path, cookie) in zip(PAGE_NAMES, pages, strict=True):
            print(f"   wrk {label}: {name}", file=sys.stderr)
            figures, peak = load_one_page(site, path, cookie, duration, peak)
            rates.append((name, figures))
        result["rates"] = rates
        result["peak_rss"] = peak
        result["rss"], result["pss"], result["per_process"] = site.memory()
        idle = []
        for _ in range(restarts):
            site.settle()
            idle.append(site.restart())
        counted = narrations_started(site)
        queue_narrations(env, checkout, BUSY_NARRATIONS)
        busy = []
        for _ in range(restarts):
            site.settle()
            if not wait_until_busy(site, already=counted):
                print("   WARNING: no narration began; restart measured anyway", file=sys.stderr)
            counted = narrations_started(site)
            busy.append(site.restart())
        result["idle_restarts"], result["busy_restarts"] = idle, busy
    finally:
        site.stop()
        site.kill_leftovers()
        drop_queued_tasks(env, checkout)
    result["load_after"] = load_average()
    return result


PAGE_NAMES = [
    "Home",
    "Section",
    "Seed article",
    "Search",
    "Free article, anonymous",
    "Subscriber-only article, anonymous",
    "Subscriber-only article, subscriber",
]


def describe(checkout: Path) -> str:
    commit = subprocess.run(
        ["/usr/bin/git", "rev-parse", "--short", "HEAD"],
        cwd=checkout,
        capture_output=True,
        text=True,  # noqa: S607
    ).stdout.strip()
    if not commit:
        return checkout.name
    dirty = subprocess.run(["/usr/bin/git", "diff", "--quiet"], cwd=checkout).returncode  # noqa: S607
    return commit + (" + local changes" if dirty else "")


def mb(kib_value: int) -> str:
    return f"{kib_value / 1024:,.0f}"


def restart_cell(restarts: list[Restart]) -> str:
    """Median (max) seconds to the first 200; in brackets the medians of the stop and of the web processes' CPU."""
    totals, stops, cpus = [r.total for r in restarts], [r.stop for r in restarts], [r.cpu for r in restarts]
    return (
        f"{statistics.median(totals):.1f} ({max(totals):.1f}) "
        f"[stop {statistics.median(stops):.1f}, CPU {statistics.median(cpus):.1f}]"
    )


def report(results: list[dict], duration: str) -> str:
    lines = [
        f"# Memory and restart, {datetime.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"- {os.cpu_count()} cores, Python {sys.version.split()[0]}; wrk -t2 -c32 -d{duration} on the same cores,"
        " each page in turn",
        "- Web processes: the web server's parent and all its workers (not the db_worker or scheduler).",
        "- Restart: SIGTERM to serve.sh's process group -> first 200 of `/` from the new serve.sh;",
        "  median (max) [median seconds stopping the old one; median CPU seconds the new web processes",
        "  had used at the first 200, which other work on the machine does not inflate]. Busy: the worker narrating",
        "  when the restart begins, more narrations queued. Each restart begins once the web server has started.",
        "",
        "| Set-up | Checkout | RSS after load (MB) | PSS (MB) | peak RSS | per process (MB) | cached pages req/s | "
        "subscriber req/s (p99 ms) | restart, idle worker (s) | restart, busy worker (s) | load before/after |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        cached = [figures["rps"] for name, figures in r["rates"] if not name.endswith(", subscriber")]
        subscriber = r["rates"][-1][1]
        lines.append(
            f"| {r['label']} | {r['checkout']} | {mb(r['rss'])} | {mb(r['pss'])} | {mb(r['peak_rss'])} | "
            f"{' + '.join(mb(value) for value in r['per_process'])} | {statistics.mean(cached):,.0f} | "
            f"{subscriber['rps']:,.0f} ({subscriber['p99_ms']:.0f}) | "
            f"{restart_cell(r['idle_restarts'])} | {restart_cell(r['busy_restarts'])} | "
            f"{r['load_before']} / {r['load_after']} |"
        )
    lines += ["", "Requests/s per page (failures: non-2xx and socket errors):", ""]
    lines.append("| Set-up | Checkout | " + " | ".join(PAGE_NAMES) + " | failures |")
    lines.append("|---|---|" + "---:|" * len(PAGE_NAMES) + "---:|")
    for r in results:
        cells = " | ".join(f"{figures['rps']:,.0f}" for _, figures in r["rates"])
        failures = sum(figures["failures"] for _, figures in r["rates"])
        lines.append(f"| {r['label']} | {r['checkout']} | {cells} | {failures} |")
    lines += [
        "",
        "Each restart, seconds to the first 200 / of which stopping / CPU seconds of the new web processes /"
        " seconds the request that got the 200 took, and whether `/` came from the page cache / seconds from"
        " SIGTERM until the old worker had exited:",
        "",
    ]
    for r in results:
        for kind in ("idle", "busy"):
            runs = ", ".join(
                f"{one.total:.1f}/{one.stop:.1f}/{one.cpu:.1f}/{one.request:.2f} {one.cached or '-'}"
                f"/worker gone {one.worker_left:.1f}"
                for one in r[f"{kind}_restarts"]
            )
            lines.append(f"- {r['label']} ({r['checkout']}), {kind} worker: {runs}")
    return "\n".join(lines) + "\n"


def parse_setup(text: str, checkouts: list[Path]) -> list[tuple[str, dict[str, str], Path]]:
    """`label[@checkout][:KEY=VALUE,...]` (a name from SETUPS, or serve.sh's environment); all --checkouts if none."""
    head, _, assignments = text.partition(":")
    label, _, checkout = head.partition("@")
    overrides = dict(item.split("=", 1) for item in assignments.split(",")) if assignments else SETUPS[label]
    return [(label, overrides, path) for path in ([Path(checkout).resolve()] if checkout else checkouts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", action="append", help="a name from SETUPS, or label:KEY=VALUE,...")
    parser.add_argument("--checkout", action="append", type=Path, help="run serve.sh from this checkout")
    parser.add_argument("--duration", default=os.environ.get("DURATION", "10s"), help="wrk's -d for each page")
    parser.add_argument(
        "--restarts", type=int, default=3, help="restarts timed with an idle worker, and with a busy one"
    )
    parser.add_argument("--label", default="", help="added to the report's file name")
    args = parser.parse_args()
    checkouts = [path.resolve() for path in (args.checkout or [ROOT])]
    runs = [run for text in (args.setup or SETUPS) for run in parse_setup(text, checkouts)]
    data_dir = os.environ.get("BENCH_DATA_DIR", "/tmp/masthead-memory")  # noqa: S108 (as web.sh's)
    env = production_env(data_dir)
    Path(env["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    found = prepare(env)
    cookie = found["SUBSCRIBER_COOKIE"]
    pages = [
        ("/", ""),
        ("/politics/", ""),
        (SEED_ARTICLE, ""),
        ("/search/?q=Lavrov", ""),
        (found["FREE_ARTICLE"], ""),
        (found["GATED_ARTICLE"], ""),
        (found["GATED_ARTICLE"], cookie),
    ]
    results = []
    for label, overrides, checkout in runs:
        print(f"== {label} on {checkout} (load {load_average()})", file=sys.stderr)
        results.append(measure(checkout, label, overrides, env, pages, args))
        print(report(results[-1:], args.duration), file=sys.stderr)
    text = report(results, args.duration)
    print(text)
    save_report("memory", text, label=f"-{args.label}" if args.label else f"-{datetime.datetime.now():%H%M}")


if __name__ == "__main__":
    main()
