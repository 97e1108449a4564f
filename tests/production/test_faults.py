"""Parts of the profile fail and come back: a worker killed during a narration, an edition build and a
renewal run; Redis stopped for 30 seconds; PostgreSQL restarted. Nothing is charged twice, every job
finishes after recovery, anonymous pages keep coming from nginx, and /readyz says what is down."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.production.conftest import wait_for

pytestmark = [pytest.mark.profile, pytest.mark.slow]

STATES = """
import json
from masthead.audio.models import ArticleNarration
from masthead.editions.models import EditionFile
model = {{"narration": ArticleNarration, "edition": EditionFile}}[{kind!r}]
print(json.dumps({{str(pk): status for pk, status in model.objects.values_list("pk", "status")}}))
"""

# The job's lease runs out after 30 minutes (core.jobs.Job.LEASE); the test moves its claim back
# instead of waiting, then runs the periodic retry the scheduler runs every 10 minutes.
LEASE_RUNS_OUT = """
import datetime, json
from django.utils import timezone
from masthead.audio.models import ArticleNarration
from masthead.editions.models import EditionFile
model = {{"narration": ArticleNarration, "edition": EditionFile}}[{kind!r}]
model.objects.filter(pk={pk}, status="running").update(claimed_at=timezone.now() - datetime.timedelta(minutes=31))
from masthead.audio.tasks import retry_due_narrations
from masthead.editions.tasks import retry_failed_editions
print(json.dumps({{"narration": retry_due_narrations, "edition": retry_failed_editions}}[{kind!r}].enqueue().id))
"""


KILL_WHEN_RUNNING = """
import contextlib, json, os, signal, time
from masthead.audio.models import ArticleNarration
from masthead.editions.models import EditionFile
model = {{"narration": ArticleNarration, "edition": EditionFile}}[{kind!r}]
deadline = time.monotonic() + 600
while not model.objects.filter(status="running").exists() and time.monotonic() < deadline:
    time.sleep(0.05)
# The whole worker, as systemd's stop of its unit would: RQ's work horse is its child, in a session of its own.
from tests.production.processes import children
for horse, _ in children({pid}):
    with contextlib.suppress(ProcessLookupError):  # its job may have just ended
        os.kill(horse, signal.SIGKILL)
os.kill({pid}, signal.SIGKILL)
time.sleep(1)
print(json.dumps([str(pk) for pk in model.objects.filter(status="running").values_list("pk", flat=True)]))
"""


def kill_worker_during(profile, kind: str, worker: str, start_job: str = "") -> str:
    """SIGKILL the worker the moment a job of `kind` runs (its supervisor starts another); returns the job's pk.

    A job seen running may still finish before the kill lands; then the next one is caught.
    """
    for _ in range(5):
        worker_pid = wait_for(lambda: profile.supervised_pid(worker), seconds=30, what=f"{worker} to run")
        abandoned = profile.python(start_job + KILL_WHEN_RUNNING.format(kind=kind, pid=worker_pid))
        # Its supervisor starts the worker again, as systemd would.
        wait_for(
            lambda killed=worker_pid: profile.supervised_pid(worker) not in (0, killed),
            seconds=30,
            what=f"{worker} to start again",
        )
        if abandoned:
            return abandoned[0]
    raise AssertionError(f"no {kind} was caught running by the kill in five tries")


# A narration to run for the kill to catch, whether or not the demo's are all done by now.
RENARRATE = """
from masthead.audio.services import request_renarration
from masthead.audio.tasks import enqueue_narration
from masthead.content.models import ArticlePage
article = ArticlePage.objects.live().order_by("-first_published_at").first()
request_renarration(article)
enqueue_narration(article.pk)
"""


def test_a_narration_whose_worker_is_killed_finishes_after_the_lease(profile):
    pk = kill_worker_during(profile, "narration", "worker-audio", start_job=RENARRATE)

    profile.python(LEASE_RUNS_OUT.format(kind="narration", pk=pk))

    wait_for(
        lambda: profile.python(STATES.format(kind="narration"))[pk] == "ready",
        seconds=900,
        every=5,
        what="the narration to finish on the new worker",
    )


REBUILD = """
import json
from masthead.editions.models import Issue
from masthead.editions.tasks import enqueue_edition_build
from masthead.editions.models import EditionFile
from masthead.core.jobs import requeue
issue = Issue.objects.filter(live=True).order_by("-cover_date").first()
requeue(EditionFile.objects.filter(issue=issue))
EditionFile.objects.filter(issue=issue).update(content_hash="")
enqueue_edition_build(issue.pk)
print(json.dumps(issue.pk))
"""


def test_an_edition_build_whose_worker_is_killed_finishes_after_the_lease(profile):
    pk = kill_worker_during(profile, "edition", "worker-editions", start_job=REBUILD)

    profile.python(LEASE_RUNS_OUT.format(kind="edition", pk=pk))

    wait_for(
        lambda: profile.python(STATES.format(kind="edition"))[pk] == "ready",
        seconds=600,
        every=2,
        what="the edition to be built on the new worker",
    )


DUE_RENEWALS = """
import datetime, json
from django.contrib.auth import get_user_model
from django.utils import timezone
from masthead.subscriptions.models import Subscription
from tests.personas import subscribe
ids = []
for n in range({count}):
    user = get_user_model().objects.create_user(f"renew-{{n}}-{stamp}", f"renew-{{n}}-{stamp}@example.com")
    ids.append(subscribe(user, checkout=f"renew-{{n}}-{stamp}").pk)
Subscription.objects.filter(pk__in=ids).update(current_period_end=timezone.now() - datetime.timedelta(minutes=5))
print(json.dumps(ids))
"""

CHARGES = """
import json
from masthead.subscriptions.models import GatewayCustomer, Payment, SandboxCharge, Subscription
ids = {ids!r}
payments = Payment.objects.filter(subscription_id__in=ids, status="succeeded")
customers = GatewayCustomer.objects.filter(reader__subscriptions__in=ids).values("customer_ref")
print(json.dumps({{
    "paid_periods": payments.count(),
    "distinct_periods": payments.values("subscription_id", "period_start").distinct().count(),
    "money_moved": SandboxCharge.objects.filter(customer_ref__in=customers, succeeded=True).count(),
}}))
"""

RENEW = """
import json
from masthead.subscriptions.tasks import run_renewals
print(json.dumps(run_renewals.enqueue().id))
"""


def test_a_renewal_run_whose_worker_is_killed_charges_each_subscription_once_after_recovery(profile):
    count = 60
    ids = profile.python(DUE_RENEWALS.format(count=count, stamp=time.monotonic_ns()))
    first_payments = profile.python(CHARGES.format(ids=ids))["paid_periods"]
    assert first_payments == count

    profile.python(RENEW)
    wait_for(
        lambda: profile.python(CHARGES.format(ids=ids))["paid_periods"] > count,
        seconds=300,
        every=0.2,
        what="the renewal run to be under way",
    )
    worker_pid = wait_for(lambda: profile.supervised_pid("worker-billing"), seconds=30, what="the billing worker")
    os.kill(worker_pid, signal.SIGKILL)  # its supervisor starts it again
    profile.python(RENEW)  # the scheduler's next hourly run

    charged = wait_for(
        lambda: (now := profile.python(CHARGES.format(ids=ids)))["paid_periods"] == 2 * count and now,
        seconds=600,
        every=2,
        what="every subscription to be renewed",
    )
    assert charged["distinct_periods"] == 2 * count  # one payment per period
    assert charged["money_moved"] == 2 * count  # and the gateway took each period's money once


def readiness(profile) -> dict:
    answer = profile.get("/readyz")
    return {"status": answer.status, **{name: c["state"] for name, c in json.loads(answer.body)["checks"].items()}}


SIGN_UP = """
import json
from masthead.newsletters.recipients import sign_up
from masthead.ops.task_queues import held_tasks
sign_up({email!r})
print(json.dumps(held_tasks().filter(task_path="masthead.newsletters.tasks.send_confirmation").count()))
"""


def mail_to(profile, address: str) -> list[Path]:
    """The messages the profile's email backend (files under DATA_DIR/mail) has sent to `address`."""
    return [path for path in (Path(profile.env["DATA_DIR"]) / "mail").glob("*") if f"To: {address}" in path.read_text()]


def test_with_redis_stopped_for_30_seconds_pages_still_serve_no_task_is_lost_and_readyz_says_the_cache_is_down(
    profile, subscriber_session
):
    article = profile.python(
        "import json; from masthead.content.models import ArticlePage; "
        "print(json.dumps(ArticlePage.objects.live().order_by('pk').first().url))"
    )
    article += f"?from=test-{time.monotonic_ns()}"  # a page nginx has not kept before
    profile.get(article)
    assert profile.get(article).headers["X-Front-Cache"] == "HIT"
    redis_pid = profile.pid("redis")
    newcomer = f"outage-{time.monotonic_ns()}@example.com"

    os.kill(redis_pid, signal.SIGTERM)
    wait_for(lambda: subprocess.run(["kill", "-0", str(redis_pid)], capture_output=True).returncode, seconds=30)
    stopped_at = time.monotonic()
    try:
        outage = readiness(profile)
        assert outage["status"] == 503
        assert (outage["cache"], outage["task_queue"], outage["database"]) == ("down", "down", "ok")
        answers = []
        while time.monotonic() - stopped_at < 30:
            answer = profile.get(article)
            answers.append((answer.status, answer.headers.get("X-Front-Cache")))
            time.sleep(1)
        assert {status for status, _ in answers} == {200}
        assert profile.get("/healthz").status == 200
        # Signed-in readers are rendered for (their sessions come from the database) ...
        assert profile.get("/account/", session=subscriber_session).status == 200
        assert profile.get(article, session=subscriber_session).status == 200
        # ... and a reader who signs up meanwhile has their confirmation email held, not lost.
        assert profile.python(SIGN_UP.format(email=newcomer)) >= 1
    finally:
        port = profile.env["PROD_REDIS_PORT"]
        profile.start_daemon(
            "redis", "redis-server", "--port", port, "--bind", "127.0.0.1", "--dir", profile.env["PROD_RUN"],
            "--dbfilename", "redis.rdb", "--appendonly", "yes", "--appendfilename", "redis.aof", "--save", "",
        )  # fmt: skip
    wait_for(lambda: readiness(profile)["status"] == 200, seconds=60, what="/readyz to be ok again")
    # The scheduler hands held tasks to RQ within its 30-second tick; the email worker sends it.
    wait_for(lambda: mail_to(profile, newcomer), seconds=120, what="the held confirmation email to be sent")
    assert len(mail_to(profile, newcomer)) == 1


def test_a_postgresql_restart_keeps_pages_serving_and_the_app_recovers(profile, subscriber_session):
    assert profile.env["PROD_PG"] == "private", "make test-prod runs PostgreSQL of its own to restart it"
    pg_bin = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))
    home = f"/?from=test-{time.monotonic_ns()}"  # a page nginx has not kept before
    profile.get(home)
    assert profile.get(home).headers["X-Front-Cache"] == "HIT"
    pg_ctl = ["runuser", "-u", "postgres", "--", f"{pg_bin}/pg_ctl", "-D", f"{profile.env['PROD_DIR']}/pg"]

    subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], check=True, capture_output=True)
    try:
        assert profile.get(home).status == 200  # nginx's copy
        down = readiness(profile)
        assert down["status"] == 503 and down["database"] == "down"
    finally:
        subprocess.run(
            [*pg_ctl, "-l", f"{profile.env['PROD_LOGS']}/postgresql.log", "-w", "-o",
             f"-p {profile.env['PROD_PG_PORT']} -k /tmp -c listen_addresses=127.0.0.1", "start"],
            check=True, capture_output=True,
        )  # fmt: skip

    wait_for(lambda: readiness(profile)["status"] == 200, seconds=60, what="/readyz to be ok again")
    # A signed-in page (never cached) works again once each web process has dropped its dead connection.
    wait_for(lambda: profile.get("/account/", session=subscriber_session).status == 200, seconds=30, what="/account/")
