"""Through nginx, as readers reach `make prod`: cached anonymous pages purged on publish, gated MP3s and
editions sent by nginx after the app's entitlement check, pictures from the bucket, readiness, metrics."""

from __future__ import annotations

import json
import time

import pytest

from tests.production.conftest import wait_for

pytestmark = [pytest.mark.profile, pytest.mark.slow]

NEWEST_ARTICLE = """
import json
from masthead.content.models import ArticlePage
article = ArticlePage.objects.live().order_by("-first_published_at").first()
print(json.dumps({"id": article.pk, "url": article.url, "title": article.title}))
"""

RETITLE = """
import json
from masthead.content.models import ArticlePage
article = ArticlePage.objects.get(pk={pk})
article.title = {title!r}
article.save_revision().publish()
print(json.dumps(article.url))
"""


def test_anonymous_pages_come_from_nginx_and_a_publish_purges_them(profile):
    article = profile.python(NEWEST_ARTICLE)
    url = f"{article['url']}?from=test-{time.monotonic_ns()}"  # a page nginx has not kept before
    assert profile.get(url).headers["X-Front-Cache"] == "MISS"
    again = profile.get(url)
    assert again.status == 200
    assert again.headers["X-Front-Cache"] == "HIT"

    new_title = article["title"] + " (updated)"
    profile.python(RETITLE.format(pk=article["id"], title=new_title))

    after = profile.get(url)
    assert after.status == 200
    assert after.headers["X-Front-Cache"] != "HIT"
    assert new_title.replace("'", "&#x27;") in after.text
    profile.python(RETITLE.format(pk=article["id"], title=article["title"]))


def test_a_signed_in_reader_never_gets_the_shared_copy(profile, reader_session):
    profile.get("/")
    assert profile.get("/").headers["X-Front-Cache"] == "HIT"

    mine = profile.get("/", session=reader_session)

    assert mine.status == 200
    assert mine.headers["X-Front-Cache"] == "BYPASS"


def test_pictures_come_from_the_bucket_through_nginx_and_nothing_else_of_it(profile):
    page = profile.get("/").text
    picture = page.split(f'src="{profile.url}/media/images/', 1)[1].split('"', 1)[0]

    answer = profile.get(f"/media/images/{picture}")

    assert answer.status == 200
    assert answer.headers["Content-Type"] == "image/jpeg"
    assert profile.get("/media/circulation/mailing-lists/x/list.csv").status == 404


EDITION = """
import json
from masthead.editions.models import EditionFile
edition = EditionFile.objects.filter(status="ready", format="epub").select_related("issue").first()
print(json.dumps(edition and {"url": f"/issues/{edition.issue.year}/{edition.issue.number}/edition.epub",
                              "file": edition.file_name, "size": edition.path.stat().st_size}))
"""


def test_a_subscriber_gets_the_epub_from_nginx_and_a_reader_gets_the_offer(profile, subscriber_session, reader_session):
    edition = wait_for(lambda: profile.python(EDITION), seconds=600, every=5, what="an EPUB built by the worker")

    mine = profile.get(edition["url"], session=subscriber_session)
    theirs = profile.get(edition["url"], session=reader_session)

    assert mine.status == 200
    assert mine.headers["Content-Type"] == "application/epub+zip"
    assert mine.headers["Content-Disposition"].startswith("attachment;")
    assert mine.body[:4] == b"PK\x03\x04" and len(mine.body) == edition["size"]
    assert theirs.status == 403 and not theirs.body.startswith(b"PK")
    assert profile.get(f"/protected-editions/{edition['file']}").status == 404  # internal to nginx


NARRATION = """
import json
from django.urls import reverse
from masthead.audio.models import ArticleNarration
narration = ArticleNarration.objects.filter(status="ready").exclude(file_name="").first()
print(json.dumps(narration and {"url": reverse("audio:article_audio", args=[narration.article_id]),
                                "size": narration.path.stat().st_size}))
"""


def test_a_subscriber_hears_the_mp3_from_nginx_with_ranges(profile, subscriber_session):
    narration = wait_for(lambda: profile.python(NARRATION), seconds=900, every=10, what="a narration by the worker")

    whole = profile.get(narration["url"], session=subscriber_session)
    part = profile.get(narration["url"], session=subscriber_session, headers={"Range": "bytes=0-99"})

    assert whole.status == 200
    assert whole.headers["Content-Type"] == "audio/mpeg"
    assert len(whole.body) == narration["size"]
    assert part.status == 206 and len(part.body) == 100 and part.body == whole.body[:100]


def test_readyz_through_nginx_reports_every_part_up(profile):
    answer = profile.get("/readyz")

    assert answer.status == 200
    report = json.loads(answer.body)
    assert {name: check["state"] for name, check in report["checks"].items()} == dict.fromkeys(
        ("database", "cache", "task_queue", "storage"), "ok"
    )
    assert set(report["checks"]["task_queue"]["depth"]) == {"default", "billing", "email", "editions", "audio"}


def test_metrics_through_nginx_add_up_every_web_and_worker_process(profile):
    token = profile.env["METRICS_TOKEN"]
    assert profile.get("/metrics").status == 401

    text = profile.get("/metrics", headers={"Authorization": f"Bearer {token}"}).text

    assert 'masthead_task_queue_depth{queue="audio"}' in text
    assert 'view="wagtail_serve"' in text
    assert (
        'masthead_tasks_finished_total{status="successful",task="masthead.editions.tasks.build_issue_editions"}' in text
    )
