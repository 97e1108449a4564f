"""An import indexes what it wrote at the end of each batch: searchable at once, with nothing left for the workers.

These run with the production task backend (the database's queue, which no worker runs here), so an article
found by search was indexed by the import itself.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from wagtail.models import ReferenceIndex

from masthead.content.models import ArticlePage
from tests.migration.conftest import EXPORTS, run_import
from tests.reading import headlines

GHOST = EXPORTS / "ghost-5.json"


@pytest.fixture
def queued_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def imported(queued_tasks, sections, ghost_images):
    return run_import("import_ghost", GHOST, "--images", ghost_images, "--site-url", "https://old.example")


def test_an_imported_article_is_found_by_search_before_any_worker_runs(imported, anonymous):
    response = anonymous.get("/search/", {"q": "libraries"})

    assert headlines(response, ".search-results h3") == ["The City Votes on Its Budget"]


def test_an_imported_picture_lists_the_article_using_it_before_any_worker_runs(imported):
    article = ArticlePage.objects.get(slug="city-budget-vote")

    usage = ReferenceIndex.get_references_to(article.hero_image).group_by_source_object()
    assert [source.pk for source, _references in usage] == [article.pk]


def test_an_import_queues_no_index_update_per_save_of_its_pages(imported):
    articles = ArticlePage.objects.count()
    reference_updates = DBTaskResult.objects.filter(task_path="wagtail.tasks.update_reference_index_task")
    search_updates = DBTaskResult.objects.filter(task_path="modelsearch.tasks.insert_or_update_object_task")

    assert reference_updates.count() == 0
    # At most each article's two search texts, queued again by content's own index_article on publishing.
    assert search_updates.count() <= 2 * articles


def ghost_export_of(tmp_path, posts: int):
    """A Ghost 5 export of `posts` published posts by one author, tagged Politics."""
    rows = [
        {"id": f"p{n:023d}", "title": f"Budget Vote {n}", "slug": f"budget-vote-{n}", "type": "post",
         "status": "published", "visibility": "public", "html": f"<p>The council met for the {n}th time.</p>",
         "published_at": "2023-12-01T09:00:00.000Z"}
        for n in range(posts)
    ]  # fmt: skip
    data = {
        "posts": rows,
        "users": [{"id": "u1", "name": "Ada Okafor", "slug": "ada"}],
        "tags": [{"id": "t1", "name": "Politics", "slug": "politics"}],
        "posts_authors": [{"post_id": row["id"], "author_id": "u1"} for row in rows],
        "posts_tags": [{"post_id": row["id"], "tag_id": "t1"} for row in rows],
    }
    path = tmp_path / f"ghost-{posts}.json"
    path.write_text(json.dumps({"db": [{"meta": {"version": "5.101.3"}, "data": data}]}))
    return path


def queries_of_a_second_run(export) -> int:
    """Reads and writes of a second run (each record's savepoint aside)."""
    run_import("import_ghost", export)
    with CaptureQueriesContext(connection) as second:
        assert "Nothing changed" in run_import("import_ghost", export)
    return sum(1 for query in second if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))


def test_a_second_run_reads_nothing_more_for_each_unchanged_post(sections, tmp_path):
    few = queries_of_a_second_run(ghost_export_of(tmp_path, 3))
    ArticlePage.objects.filter(slug__startswith="budget-vote-").delete()

    assert queries_of_a_second_run(ghost_export_of(tmp_path, 13)) == few
