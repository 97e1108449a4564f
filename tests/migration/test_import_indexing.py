"""An import indexes what it wrote at the end of each batch: searchable at once, with nothing left for the workers.

These run with the production task backend (the database's queue, which no worker runs here), so an article
found by search was indexed by the import itself.
"""

from __future__ import annotations

import pytest
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
