"""The demo loader that `make run` calls on every start: the seed article, a full home page, safe to rerun."""

import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Revision

from masthead.content.models import SUBSCRIBERS, ArticlePage, Author, CreditedImage
from masthead.demo.writing import draft_articles
from masthead.editions.models import Issue, IssueArticle
from tests.seed import SEED_CREDIT, SEED_TITLE, SEED_URL


@pytest.fixture
def demo_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def load_small_demo() -> str:
    output = io.StringIO()
    call_command("load_demo", articles=20, issues=4, stdout=output)
    return output.getvalue()


def database_counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "images": CreditedImage.objects.count(),
        "authors": Author.objects.count(),
        "live issues": Issue.objects.filter(live=True).count(),
        "issue entries": IssueArticle.objects.count(),
        "users": get_user_model().objects.count(),
    }


@pytest.mark.django_db
def test_demo_shows_the_imported_seed_article_over_three_pages_and_fills_the_home_page(client, demo_data_dir):
    load_small_demo()

    first_page = client.get(SEED_URL)
    assert first_page.status_code == 200
    assert SEED_TITLE in first_page.content.decode()
    assert "Page 1 of 3" in first_page.content.decode()
    assert SEED_CREDIT in first_page.content.decode()
    assert client.get(SEED_URL + "3/").status_code == 200
    assert client.get(SEED_URL + "4/").status_code == 404

    home = client.get("/").content.decode()
    newest = draft_articles(1, settings.MAGAZINE_NAME)[0]
    assert newest.title in home
    assert home.count('<article class="card">') >= 10
    assert "In the current issue" in home


@pytest.mark.django_db
def test_every_third_demo_article_is_for_subscribers_so_the_paywall_shows(client, demo_data_dir):
    load_small_demo()

    exclusive = ArticlePage.objects.live().filter(access_level=SUBSCRIBERS)
    assert exclusive.count() == 20 // 3
    page = client.get(exclusive.first().url).content.decode()
    assert 'href="/subscribe/"' in page
    assert '"isAccessibleForFree": false' in page


@pytest.mark.django_db
def test_second_run_creates_nothing_and_prints_the_same_admin_login(client, demo_data_dir):
    first_output = load_small_demo()
    counts = database_counts()

    second_output = load_small_demo()

    assert database_counts() == counts
    assert "already loaded" in second_output
    password = (demo_data_dir / "demo-admin-password.txt").read_text().strip()
    login = f"Admin: {settings.SITE_URL}/admin/  user admin  password {password}"
    assert login in first_output.splitlines()
    assert login in second_output.splitlines()
    assert client.login(username="admin", password=password)


@pytest.mark.django_db
def test_without_a_seed_folder_the_demo_loads_and_says_how_to_import_the_publishers_pages(
    client, demo_data_dir, settings
):
    settings.SEED_DIR = ""

    output = load_small_demo()

    assert "No seed folder (SEED_DIR is not set)" in output
    assert "manage.py import_articles FOLDER --section foreign-affairs" in output
    assert client.get(SEED_URL).status_code == 404
    assert client.get("/").content.decode().count('<article class="card">') >= 10
