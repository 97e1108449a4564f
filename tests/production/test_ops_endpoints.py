"""What an operator reads from a running site: /readyz, /metrics behind its token, JSON logs with a
request id, and which queue each kind of background work waits in."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import override_settings

from masthead.ops.logs import JsonFormatter
from masthead.ops.task_queues import queue_for

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_readyz_names_each_part_with_its_state(anonymous):
    response = anonymous.get("/readyz")

    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert {name: check["state"] for name, check in report["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "task_queue": "ok",
        "storage": "ok",
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_says_the_cache_is_down_and_the_rest_is_up(anonymous):
    caches = {
        "default": {"BACKEND": "masthead.ops.redis_cache.RedisCacheThatDegrades", "LOCATION": UNREACHABLE_REDIS},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
    }
    with override_settings(CACHES=caches):
        response = anonymous.get("/readyz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"]["state"] == "down"
    assert checks["cache"]["error"] == "ConnectionError"
    assert checks["database"]["state"] == "ok"


def test_metrics_are_not_there_without_a_token(anonymous, settings):
    settings.METRICS_TOKEN = ""

    assert anonymous.get("/metrics").status_code == 404


def test_metrics_refuse_a_wrong_token(anonymous, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"

    assert anonymous.get("/metrics").status_code == 401
    assert anonymous.get("/metrics", HTTP_AUTHORIZATION="Bearer guess").status_code == 401


def test_metrics_count_requests_by_view_and_status_and_show_payments(anonymous, subscriber, settings, seed_article):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    anonymous.get(seed_article.url)
    anonymous.get("/no-such-page/")

    response = anonymous.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")

    assert response.status_code == 200
    text = response.content.decode()
    assert 'masthead_http_requests_total{method="GET",status="200",view="wagtail_serve"}' in text
    assert 'status="404"' in text
    assert "masthead_http_request_duration_seconds_bucket" in text
    assert 'masthead_payments{status="succeeded"} 1.0' in text  # Sam's first month


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("masthead.requests")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_a_request_id_from_nginx_comes_back_and_is_in_the_json_log_line(anonymous, json_log, home_page):
    response = anonymous.get("/", HTTP_X_REQUEST_ID="5f2b9c0e8d7a41b6a3c2e1f0d9b8a7c6")

    assert response["X-Request-ID"] == "5f2b9c0e8d7a41b6a3c2e1f0d9b8a7c6"
    (line,) = json_log()
    assert line["request_id"] == "5f2b9c0e8d7a41b6a3c2e1f0d9b8a7c6"
    assert (line["method"], line["path"], line["status"], line["level"]) == ("GET", "/", 200, "INFO")
    assert line["ms"] >= 0


def test_a_malformed_request_id_is_replaced_not_logged(anonymous, json_log, home_page):
    response = anonymous.get("/", HTTP_X_REQUEST_ID='"}\n{"forged": true')

    assert len(response["X-Request-ID"]) == 32
    (line,) = json_log()
    assert line["request_id"] == response["X-Request-ID"]
    assert "forged" not in line


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("masthead.subscriptions.tasks.run_renewals", "billing"),
        ("masthead.subscriptions.emails.send_receipt", "email"),
        ("masthead.circulation.tasks.close_due_issues", "billing"),
        ("masthead.editions.tasks.build_issue_editions", "editions"),
        ("masthead.audio.tasks.ensure_article_audio", "audio"),
        ("wagtail.search.tasks.insert_or_update_object_task", "default"),
    ],
)
def test_each_kind_of_background_work_has_its_own_queue(task, queue):
    assert queue_for(task) == queue
