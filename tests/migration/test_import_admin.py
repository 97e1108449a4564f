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


def test_both_importers_name_each_record_whose_body_kept_links_or_lost_something_by_line(
    sections, admin_persona_client
):
    from masthead.moving.models import ImportRun
    from tests.migration.test_wordpress_import import item_line

    # No picture folders given: every picture in a body is kept as a link to the old site.
    run_import("import_wordpress", EXPORTS / "wordpress.xml", "--default-section", "culture")
    run_import("import_ghost", EXPORTS / "ghost-6-lexical.json", "--site-url", "https://old.example")

    wordpress = main_text(admin_persona_client.get(f"/admin/imports/{ImportRun.objects.get(kind='wordpress').pk}/"))
    assert "Kept as links or left out, by record (3)" in wordpress
    ferry = item_line("The Last Ferry to Inish Mór")
    assert f"item 12 “The Last Ferry to Inish Mór” {ferry} kept as links: 2 × picture" in wordpress
    festival = item_line("Harbour Festival in Pictures")
    assert (
        f"item 17 “Harbour Festival in Pictures” {festival} "
        "kept as links: 1 × audio, 3 × embed, 2 × picture, 1 × video; left out: 1 × form, 1 × script"
    ) in wordpress
    theatre = item_line("A Season at the Town Hall Theatre")
    assert f"Town Hall Theatre” {theatre} kept as links: 2 × picture; left out: 1 × iframe" in wordpress
    ghost = main_text(admin_persona_client.get(f"/admin/imports/{ImportRun.objects.get(kind='ghost').pk}/"))
    assert "Kept as links or left out, by record (2)" in ghost
    assert (
        "post 68c9a1f0c2b1a40001c3c001 “Forty Years of Logbooks” 11 kept as links: 1 × audio, 1 × picture; "
        "left out: 1 × button to Ghost's sign-up, 1 × script"
    ) in ghost
