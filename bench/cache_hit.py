"""In one process, what a page served from the page cache costs: the whole request through the site's WSGI
application, answered in front of Django (ops/page_cache_wsgi.py) and by Django's handler alone (as with
MASTHEAD_WSGI_FAST_PATH=false), in turns, and the cache reads under it, with the embedded cache (diskcache)
and Redis side by side.

    .venv/bin/python bench/cache_hit.py            # 3,000 requests per row; BENCH_REQUESTS=... to change

It uses bench/web.sh's data folder (BENCH_DATA_DIR, default /tmp/masthead-bench), preparing it the same way
when it is missing (migrate, demo content, search index, static files), and bench/paywall_setup.py's readers and
articles. No server and no network: each request is a WSGI call in this process, so the figures are the
CPU a web process spends per cached request, which is what bench/web.sh's requests/s divide among cores.
Redis is the machine's (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, as web.sh). Writes the table
to bench/results/cache-hit-<date>.md.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

from benchlib import ROOT, isolated_env, last_json, run_child, save_report

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "3000"))
CLEAR_PAGES = "from masthead.core.page_cache import clear_page_cache; clear_page_cache()"
CACHES = {"diskcache": "", "Redis": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")}


def web_env(data_dir: str, redis_url: str) -> dict[str, str]:
    """bench/web.sh's production settings on its data folder; Redis for the caches when given."""
    env = isolated_env(data_dir)
    env.update(
        {
            "DEBUG": "false",
            "REQUIRE_SECRET_KEY": "true",
            "SECRET_KEY": env.get("SECRET_KEY", "masthead-bench-not-a-real-secret-0123456789abcdef"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": "http://127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "AUDIO_NARRATE_ON_PUBLISH": "false",
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def prepare(data_dir: str) -> None:
    env = web_env(data_dir, "")
    if not (Path(data_dir) / "db.sqlite3").exists():
        print(f"preparing {data_dir} (migrate, demo content, search index, static files)", file=sys.stderr)
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        run_child(env, "manage.py", "migrate", "--noinput", "--verbosity", "0")
        run_child(env, "manage.py", "load_demo")
        run_child(env, "manage.py", "update_index", "--verbosity", "0")
    if not (Path(data_dir) / "static" / "staticfiles.json").exists():
        run_child(env, "manage.py", "collectstatic", "--noinput", "--verbosity", "0")


def readers_and_articles(env: dict[str, str]) -> dict[str, str]:
    """bench/paywall_setup.py's assignments: SUBSCRIBER_COOKIE, FREE_ARTICLE, GATED_ARTICLE, ..."""
    output = run_child(env, "bench/paywall_setup.py")
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)


def measure(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "mean": statistics.fmean(ordered) * 1e6,
        "p50": ordered[len(ordered) // 2] * 1e6,
        "p99": ordered[int(len(ordered) * 0.99)] * 1e6,
    }


def child() -> None:
    """Runs in a process of its own with the settings given; prints its rows as JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import caches
    from django.test import RequestFactory

    from masthead.core.page_cache import cache_key, page_cache
    from masthead.core.page_readers import generation_key, record_key
    from masthead.wsgi import application, django_application

    apps = {"in front of Django": application, "Django's handler": django_application}
    subscriber_cookie = os.environ["SUBSCRIBER_COOKIE"]
    cases = [
        ("free article, anonymous", os.environ["FREE_ARTICLE"], ""),
        ("subscriber-only article, anonymous", os.environ["GATED_ARTICLE"], ""),
        ("subscriber-only article, subscriber", os.environ["GATED_ARTICLE"], subscriber_cookie),
    ]

    def call(app, path: str, cookie: str) -> tuple[str, dict[str, str]]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if cookie:
            environ["HTTP_COOKIE"] = cookie
        started = []
        body = app(environ, lambda status, headers, exc_info=None: started.append((status, dict(headers))))
        for _chunk in body:
            pass
        if hasattr(body, "close"):
            body.close()  # request_finished for Django's answers, as a server calls it
        return started[0]

    rows = []
    for name, path, cookie in cases:
        for app in apps.values():
            for _ in range(5):
                status, headers = call(app, path, cookie)
            if not status.startswith("200") or headers.get("X-Page-Cache") != "hit":
                raise SystemExit(f"{name}: {status}, X-Page-Cache {headers.get('X-Page-Cache')}: not a cached page")
        timings = {how: [] for how in apps}
        # In turns, 100 calls at a time, so the machine's other work falls on both alike.
        for _ in range(0, REQUESTS, 100):
            for how, app in apps.items():
                for _ in range(100):
                    started = time.perf_counter()
                    call(app, path, cookie)
                    timings[how].append(time.perf_counter() - started)
        for how, seconds in timings.items():
            rows.append({"what": f"whole request, {how}: {name}", **measure(seconds)})

    # The three reads under the subscriber's hit: their session's record, their generation, the page.
    default = caches["default"]
    digest = hashlib.sha256(subscriber_cookie.split("=", 1)[1].encode()).hexdigest()
    record = default.get(record_key(digest))
    request = RequestFactory(HTTP_HOST="127.0.0.1").get(os.environ["GATED_ARTICLE"])
    reads = [
        ("cache read: the session's record", lambda: default.get(record_key(digest))),
        ("cache read: the reader's generation", lambda: default.get(generation_key(record.user_id))),
        ("cache read: the audience's stored page", lambda: page_cache().get(cache_key(request, record.audience))),
    ]
    for name, read in reads:
        if read() is None:
            raise SystemExit(f"{name}: nothing stored")
        timings = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            read()
            timings.append(time.perf_counter() - started)
        rows.append({"what": name, **measure(timings)})
    print(json.dumps({"rows": rows}))


def main() -> None:
    data_dir = os.environ.get("BENCH_DATA_DIR", "/tmp/masthead-bench")  # noqa: S108 (web.sh's folder, shared on purpose)
    prepare(data_dir)
    load_before = os.getloadavg()
    results: dict[str, list[dict]] = {}
    for cache, redis_url in CACHES.items():
        env = web_env(data_dir, redis_url)
        env.update(readers_and_articles(env))
        run_child(env, "manage.py", "shell", "-v", "0", "-c", CLEAR_PAGES)
        results[cache] = last_json(run_child(env, "bench/cache_hit.py", "--child"))["rows"]
    load_after = os.getloadavg()

    lines = [
        f"# Cached pages in one process, {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        f"{REQUESTS} calls per row, one process, no server (bench/cache_hit.py); load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after. Microseconds:",
        "",
        "| what | " + " | ".join(f"{cache} mean | p50 | p99" for cache in CACHES) + " |",
        "| --- |" + " ---: | ---: | ---: |" * len(CACHES),
    ]
    for index, row in enumerate(results["diskcache"]):
        cells = []
        for cache in CACHES:
            figures = results[cache][index]
            cells += [f"{figures['mean']:.0f}", f"{figures['p50']:.0f}", f"{figures['p99']:.0f}"]
        lines.append(f"| {row['what']} | " + " | ".join(cells) + " |")
    report = "\n".join(lines) + "\n"
    save_report("cache-hit", report)
    print(report)


if __name__ == "__main__":
    if "--child" in sys.argv:
        os.chdir(ROOT)
        child()
    else:
        main()
