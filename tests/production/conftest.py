"""The production profile for `make test-prod`: the tests marked `profile` talk to nginx in front of
gunicorn, PostgreSQL, Redis, the RQ workers and moto's S3, as `make prod` starts them.

They run only when TEST_PROD=1 (`make test-prod` sets it and starts the profile with
scripts/prod/start.sh on ports of its own, with a private PostgreSQL cluster the fault tests may
restart); elsewhere they are deselected, not skipped: `make test` has no such stack.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.production.processes import children

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    if os.environ.get("TEST_PROD") == "1":
        return
    kept = [item for item in items if not item.get_closest_marker("profile")]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker("profile")])
        items[:] = kept


def pytest_configure(config):
    config.addinivalue_line("markers", "profile: needs the production profile running (make test-prod)")


def profile_environment() -> dict[str, str]:
    """The environment every part of the profile runs with (scripts/prod/env.sh), as the tests' shell sees it."""
    dumped = subprocess.run(
        ["bash", "-c", "source scripts/prod/env.sh && env -0"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    env = dict(item.split("=", 1) for item in dumped.decode().split("\0") if "=" in item)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@dataclass
class Profile:
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://{self.env['PROD_HOST']}:{self.env['PROD_PORT']}"

    def pid(self, name: str) -> int:
        return int((Path(self.env["PROD_RUN"]) / f"{name}.pid").read_text())

    def supervised_pid(self, name: str) -> int:
        """The process a supervisor (start.sh's `supervise`) runs now, the worker itself; 0 between runs."""
        # Between two runs the supervisor's child is its `sleep 2`, which is not the worker.
        workers = [pid for pid, command in children(self.pid(name)) if command != "sleep"]
        return workers[0] if workers else 0

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        assert done.returncode == 0 or not check, f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}"
        return done

    def python(self, code: str):
        """Run `code` in Django against the profile's database; it prints one JSON value, returned here."""
        lines = self.manage("shell", "-v", "0", "-c", code).stdout.strip().splitlines()
        return json.loads(lines[-1])

    def start_daemon(self, name: str, *command: str) -> None:
        """Start one part again the way start.sh does (own session, log, pid file)."""
        log = open(Path(self.env["PROD_LOGS"]) / f"{name}.log", "ab")  # noqa: SIM115 (the child keeps it)
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)
        (Path(self.env["PROD_RUN"]) / f"{name}.pid").write_text(str(process.pid))

    def get(self, path: str, *, session: str = "", headers: dict | None = None) -> HTTPAnswer:
        return self.get_absolute(self.url + path, session=session, headers=headers)

    def head(self, path: str, *, session: str = "", headers: dict | None = None) -> HTTPAnswer:
        return self.get_absolute(self.url + path, session=session, headers=headers, method="HEAD")

    def get_absolute(self, url: str, *, session: str = "", headers: dict | None = None, method="GET") -> HTTPAnswer:
        """A request to any server of the profile (nginx, the bucket) by its full URL."""
        request = urllib.request.Request(url, headers=headers or {}, method=method)  # noqa: S310 (127.0.0.1)
        if session:
            request.add_header("Cookie", f"sessionid={session}")
        opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPCookieProcessor(CookieJar()))
        try:
            with opener.open(request, timeout=30) as response:
                return HTTPAnswer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return HTTPAnswer(error.code, dict(error.headers), error.read())


@dataclass
class HTTPAnswer:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_for(condition, *, seconds: float, every: float = 1.0, what: str = "the condition"):
    """Poll until `condition()` is truthy (returned), or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(every)


@pytest.fixture(scope="session")
def profile() -> Profile:
    """The running profile (make test-prod started it); its URL, environment and processes."""
    found = Profile(profile_environment())
    wait_for(lambda: found.get("/healthz").status == 200, seconds=60, what="the profile's /healthz")
    return found


SESSION_FOR = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from tests.personas import subscribe
user, created = get_user_model().objects.get_or_create(username={name!r}, defaults={{"email": "{name}@example.com"}})
if created and {subscribed!r}:
    subscribe(user, checkout="{name}")
client = Client()
client.force_login(user)
print(json.dumps(client.cookies["sessionid"].value))
"""


@pytest.fixture(scope="session")
def subscriber_session(profile) -> str:
    """A session cookie of Sam, who pays for Digital monthly (sandbox), on the profile."""
    return profile.python(SESSION_FOR.format(name="prod-sam", subscribed=True))


@pytest.fixture(scope="session")
def reader_session(profile) -> str:
    """A session cookie of Rita, registered, no subscription."""
    return profile.python(SESSION_FOR.format(name="prod-rita", subscribed=False))
