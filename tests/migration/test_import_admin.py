"""The publisher reads each import's report in the admin; other staff may not (reports name readers)."""

from __future__ import annotations

from tests.migration.conftest import EXPORTS, run_import
from tests.reading import main_text


def test_an_administrator_sees_each_import_and_its_problems_by_line(sections, admin_persona_client):
    run_import("import_subscribers", EXPORTS / "subscribers.csv", "--gateway", "sandbox", "--dry-run")
    run_import("import_ghost", EXPORTS / "ghost-5.json")

    listing = main_text(admin_persona_client.get("/admin/imports/"))
    assert "Subscribers (dry run)" in listing and "Ghost" in listing
    assert "articles: 4 created" in listing

    from masthead.moving.models import ImportRun

    run = ImportRun.objects.get(kind="subscribers")
    report = main_text(admin_persona_client.get(f"/admin/imports/{run.pk}/"))
    assert "a dry run, nothing was saved" in report
    assert "row not-an-email 7 the email 'not-an-email' is not an address Skipped" in report


def test_a_report_holding_a_hostile_title_shows_it_as_text(sections, admin_persona_client, tmp_path):
    from masthead.moving.models import ImportRun

    run = ImportRun.objects.create(kind="ghost", source="<script>alert(1)</script>.json",
                                   problems=[{"record": "<img src=x onerror=alert(1)>", "line": 3,
                                              "message": "bad", "skipped": True}], problem_count=1)  # fmt: skip
    html = admin_persona_client.get(f"/admin/imports/{run.pk}/").content.decode()

    assert "<img src=x onerror" not in html and "&lt;img src=x onerror" in html


def test_editors_are_refused_the_import_reports(sections, editor_client):
    run_import("import_ghost", EXPORTS / "ghost-5.json")

    assert editor_client.get("/admin/imports/").status_code == 403
    from masthead.moving.models import ImportRun

    assert editor_client.get(f"/admin/imports/{ImportRun.objects.get().pk}/").status_code == 403
