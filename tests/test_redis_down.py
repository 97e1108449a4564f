"""While Redis is down, readers keep reading and no background task is lost.

The production profile keeps its caches, sessions' copies and task queues in Redis. While it is down
pages render as if nothing were cached (signed-in readers too: their sessions come from the
database), /readyz says the cache is down, and a task enqueued meanwhile is held in the database and
runs once Redis answers again.

Redis "down" is a port nobody listens on (the client gets a refused connection, as from a stopped
server); "back" is the machine's real Redis, in a database of its own that starts empty. The
production profile's fault test stops its own Redis for real (tests/production/test_faults.py).
"""

from __future__ import annotations

import os
import socket
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_rq import get_queue, get_worker
from django_tasks_rq.backend import Job

from masthead.newsletters.models import Recipient
from masthead.newsletters.recipients import sign_up
from masthead.ops import task_queues
from masthead.ops.rq_workers import SimpleWorker
from masthead.settings import redis_url_with_timeouts
from masthead.subscriptions import emails
from tests.personas import logged_in_client
from tests.seed import SEED_PAGE_3_SENTENCE

pytestmark = pytest.mark.django_db

QUEUES = ["default", "billing", "email", "editions", "audio"]
# A Redis database per xdist worker (13 and 14 under -n 2): each test empties its own.
_DB = 13 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
# With the production profile's timeouts, as settings.RQ_QUEUES has them.
UP = redis_url_with_timeouts(f"redis://127.0.0.1:6379/{_DB}")
DOWN = redis_url_with_timeouts("redis://127.0.0.1:1/0")


@pytest.fixture
def routed_rq(settings):
    """The production set-up (RoutedRQBackend, one queue per kind of work) on a Redis that is down."""
    settings.TASKS = {
        "default": {"BACKEND": "masthead.ops.task_queues.RoutedRQBackend", "QUEUES": QUEUES},
        "held": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES},
    }
    settings.PERIODIC_TASKS = {}
    settings.RQ_QUEUES = {name: {"URL": UP} for name in QUEUES}
    get_queue("default").connection.flushdb()
    settings.RQ_QUEUES = {name: {"URL": DOWN} for name in QUEUES}
    yield settings
    settings.RQ_QUEUES = {name: {"URL": UP} for name in QUEUES}
    get_queue("default").connection.flushdb()


class SilentRedis:
    """A Redis host that takes connections and never answers, as one behind a link that drops packets.

    `patience` seconds after `wait()` it hangs up on everyone (a test waiting for it ends) and says it had to.
    """

    def __init__(self, patience: float = 4):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.server.getsockname()[1]}/0"
        self.had_to_hang_up = False
        self.timer = threading.Timer(patience, self.hang_up)

    def wait(self):
        self.timer.start()

    def hang_up(self):
        self.had_to_hang_up = True
        self.server.close()

    def close(self):
        self.timer.cancel()
        self.server.close()


@pytest.fixture
def silent_redis():
    redis = SilentRedis()
    yield redis
    redis.close()


def redis_comes_back(settings):
    settings.RQ_QUEUES = {name: {"URL": UP} for name in QUEUES}


def test_a_sign_up_while_redis_is_down_gets_its_confirmation_email_once_redis_is_back(
    routed_rq, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up("outage@example.com")

    assert mail.outbox == []
    assert task_queues.held_tasks().count() == 1
    call_command("scheduler", "--once")  # Redis still down: the scheduler keeps it and carries on
    assert task_queues.held_tasks().count() == 1

    redis_comes_back(routed_rq)
    call_command("scheduler", "--once")
    assert task_queues.held_tasks().count() == 0
    assert get_queue("email").count == 1
    # The email worker as scripts/prod/start.sh runs it, in this process.
    get_worker("email", worker_class=SimpleWorker, job_class=Job).work(burst=True)

    [message] = mail.outbox
    assert message.to == ["outage@example.com"]
    assert "Confirm your sign-up" in message.subject
    assert Recipient.objects.get(email="outage@example.com").confirmed_at is None


def test_a_held_task_goes_to_its_own_queue_with_its_arguments(routed_rq):
    emails.send_welcome.enqueue(4242)
    [held] = task_queues.held_tasks()
    assert held.task_path == "masthead.subscriptions.emails.send_welcome"
    assert held.args_kwargs == {"args": [4242], "kwargs": {}}

    redis_comes_back(routed_rq)
    assert task_queues.release_held_tasks() == 1
    [job] = get_queue("email").jobs
    assert (job.func_name, list(job.args)) == ("masthead.subscriptions.emails.send_welcome", [4242])
    assert get_queue("default").count == 0


def test_readiness_counts_the_held_tasks_beside_the_queues(routed_rq):
    emails.send_welcome.enqueue(1)
    redis_comes_back(routed_rq)
    assert task_queues.depths() == {name: 0 for name in QUEUES} | {"held": 1}


@pytest.fixture
def caches_down(settings):
    """The production profile's caches and sessions (ops/redis_cache.py, cached_db), with Redis down."""
    backend = "masthead.ops.redis_cache.RedisCacheThatDegrades"
    settings.CACHES = {
        "default": {"BACKEND": backend, "LOCATION": DOWN},
        "pages": {"BACKEND": backend, "LOCATION": DOWN, "KEY_PREFIX": "pages"},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    return settings


def test_a_subscriber_signs_in_and_reads_a_gated_page_while_redis_is_down(caches_down, gated_article, subscriber):
    reader = logged_in_client(subscriber)

    for _ in range(2):  # the second time too: nothing was kept, nothing is waited for
        response = reader.get(gated_article.url + "3/")
        assert response.status_code == 200
        assert SEED_PAGE_3_SENTENCE in response.content.decode()
    assert reader.get("/account/").status_code == 200


def test_an_anonymous_reader_still_gets_the_teaser_and_never_the_gated_text_while_redis_is_down(
    caches_down, gated_article
):
    response = Client().get(gated_article.url + "3/")
    assert response.status_code == 200
    assert SEED_PAGE_3_SENTENCE not in response.content.decode()


def test_readyz_says_the_cache_is_down_while_pages_serve(caches_down, anonymous):
    report = anonymous.get("/readyz").json()
    assert report["checks"]["cache"] == report["checks"]["cache"] | {"state": "down", "error": "ConnectionError"}
    assert report["checks"]["database"]["state"] == "ok"


def test_metrics_still_answer_while_redis_is_down_and_count_the_held_tasks(caches_down, routed_rq, anonymous):
    caches_down.METRICS_TOKEN = "scrape-token"
    emails.send_welcome.enqueue(7)

    response = anonymous.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token")

    assert response.status_code == 200
    assert 'masthead_task_queue_depth{queue="held"} 1.0' in response.content.decode()


def test_a_reader_who_logs_out_while_redis_is_down_stays_logged_out_once_it_is_back(routed_rq, subscriber):
    backend = "masthead.ops.redis_cache.RedisCacheThatDegrades"
    routed_rq.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    routed_rq.CACHES = {"default": {"BACKEND": backend, "LOCATION": UP}}
    browser = logged_in_client(subscriber)  # the session in the database, and its copy in Redis
    cookie = browser.cookies["sessionid"].value

    routed_rq.CACHES = {"default": {"BACKEND": backend, "LOCATION": DOWN}}
    assert browser.post(reverse("account_logout")).status_code == 302

    redis_comes_back(routed_rq)
    routed_rq.CACHES = {"default": {"BACKEND": backend, "LOCATION": UP}}
    call_command("scheduler", "--once")
    get_worker("default", worker_class=SimpleWorker, job_class=Job).work(burst=True)

    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    assert stolen.get("/account/").status_code == 302  # to the login page: Redis's old copy is gone


def test_one_copy_of_each_periodic_task_waits_however_long_redis_is_down(routed_rq):
    routed_rq.PERIODIC_TASKS = {"masthead.subscriptions.tasks.run_renewals": 3600}
    for _ in range(3):
        call_command("scheduler", "--once")

    assert task_queues.held_tasks().filter(task_path="masthead.subscriptions.tasks.run_renewals").count() == 1


def test_a_held_task_that_cannot_be_enqueued_any_more_is_marked_failed_and_the_others_still_go(routed_rq):
    emails.send_welcome.enqueue(1)
    emails.send_welcome.enqueue(2)
    first = task_queues.held_tasks().order_by("enqueued_at").first()
    first.task_path = "masthead.subscriptions.emails.renamed_by_a_deploy"
    first.save()

    redis_comes_back(routed_rq)
    call_command("scheduler", "--once")

    first.refresh_from_db()
    assert first.status == "FAILED" and "renamed_by_a_deploy" in first.traceback
    assert [list(job.args) for job in get_queue("email").jobs] == [[2]]


def test_a_sign_up_while_redis_takes_connections_and_never_answers_is_held_instead_of_waiting(
    routed_rq, silent_redis, django_capture_on_commit_callbacks
):
    """The queues' URLs carry the profile's timeouts (1 s to read): without them redis-py waits 5 s per try,
    and a Redis host that drops packets holds every sign-up, checkout and publish that long or longer."""
    routed_rq.RQ_QUEUES = {name: {"URL": redis_url_with_timeouts(silent_redis.url)} for name in QUEUES}

    silent_redis.wait()
    with django_capture_on_commit_callbacks(execute=True):
        sign_up("silent@example.com")

    assert not silent_redis.had_to_hang_up, "the sign-up waited for Redis until it hung up"
    assert [held.task_path for held in task_queues.held_tasks()] == ["masthead.newsletters.tasks.send_confirmation"]
