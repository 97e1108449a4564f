"""Nothing in an export is trusted: pictures come only from the folder named, bad records are named and skipped."""

from __future__ import annotations

from masthead.content.models import ArticlePage, CreditedImage
from masthead.moving.html_body import body_from_html
from masthead.moving.images import ImageFolder
from tests.migration.conftest import EXPORTS, picture, run_import


def test_a_picture_path_cannot_climb_out_of_the_export_folder(db, ghost_images):
    folder = ImageFolder(ghost_images, "/content/images/")

    for sneaky in [
        "__GHOST_URL__/content/images/../../secret.jpg",
        "__GHOST_URL__/content/images/%2e%2e/%2e%2e/secret.jpg",
        "__GHOST_URL__/content/images//etc/passwd",
    ]:
        assert folder.image_for(sneaky, alt="", credit="", title="x") is None, sneaky
    assert not CreditedImage.objects.exists()
    assert folder.image_for("__GHOST_URL__/content/images/2023/11/council.jpg", alt="a", credit="", title="x")


def test_a_file_that_is_not_a_picture_is_not_imported(db, tmp_path):
    (tmp_path / "2023").mkdir()
    (tmp_path / "2023" / "fake.jpg").write_text("<?php system($_GET['c']); ?>")

    folder = ImageFolder(tmp_path, "/wp-content/uploads/")

    assert folder.image_for("https://old.example/wp-content/uploads/2023/fake.jpg", alt="", credit="", title="") is None
    assert folder.unreadable


def test_the_same_picture_imported_twice_is_one_image(db, tmp_path):
    picture(tmp_path / "a.jpg", "red")
    (tmp_path / "b.jpg").write_bytes((tmp_path / "a.jpg").read_bytes())
    folder = ImageFolder(tmp_path, "/content/images/")

    first = folder.image_for("/content/images/a.jpg", alt="", credit="Jane Roe", title="")
    second = folder.image_for("/content/images/b.jpg", alt="", credit="", title="")

    assert first.pk == second.pk
    assert CreditedImage.objects.count() == 1


def test_hostile_markup_becomes_plain_text_in_our_blocks():
    body = body_from_html(
        [
            '<p onclick="x()">Hi <a href="javascript:alert(1)" onmouseover="y()">there</a>'
            "<img src=x onerror=alert(2)></p><svg><script>alert(3)</script></svg>"
            '<h2><b>Head</b><script>z()</script></h2><p><a href="data:text/html,<script>">d</a> &lt;b&gt;</p>'
        ]
    )

    values = [block["value"] for block in body.blocks]
    assert values == ["<p>Picture: Picture</p>", "<p>Hi there</p>", "Head", "<p>d &lt;b&gt;</p>"]
    assert body.left_out["svg"] == 1


def test_a_bad_post_is_named_with_its_line_and_the_others_are_imported(sections, tmp_path):
    export = tmp_path / "ghost.json"
    export.write_text(
        (EXPORTS / "ghost-5.json").read_text().replace('"visibility": "paid"', '"visibility": "secret"', 1)
    )

    output = run_import("import_ghost", export)

    assert "post 6571a3f0c2b1a40001a1b002 “Inside the Treasury” (line 39): has the visibility 'secret'" in output
    assert "articles: 3 created, 1 skipped" in output
    assert ArticlePage.objects.filter(slug="city-budget-vote").exists()
    assert not ArticlePage.objects.filter(slug="inside-the-treasury").exists()


def test_an_import_never_overwrites_an_article_of_ours_with_the_same_address(seed_article, tmp_path):
    section = seed_article.get_parent().slug
    export = tmp_path / "ghost.json"
    export.write_text(
        (EXPORTS / "ghost-5.json").read_text().replace('"slug": "city-budget-vote"', f'"slug": "{seed_article.slug}"')
    )

    run_import("import_ghost", export, "--section", f"politics={section}", "--default-section", section)

    seed_article.refresh_from_db()
    assert seed_article.title != "The City Votes on Its Budget"
    assert ArticlePage.objects.get(slug=f"{seed_article.slug}-2").title == "The City Votes on Its Budget"


def test_tiers_and_offers_of_the_wrong_shape_are_named_and_the_posts_still_come_in(sections, tmp_path):
    import json

    export = json.loads((EXPORTS / "ghost-6-lexical.json").read_text())
    data = export["db"][0]["data"]
    data["products"][1].update({"monthly_price": "900", "currency": ["usd"]})
    data["products"][2].update({"yearly_price": -5})
    data["offers"][0].update({"discount_amount": {"x": 1}, "duration": ["once"], "product_id": ["a"], "code": 7})
    data["offer_redemptions"][0]["offer_id"] = ["68c9a1f0c2b1a40001c38001"]
    data["posts_products"][0].update({"product_id": {"id": 1}, "sort_order": "first"})
    odd = tmp_path / "ghost.json"
    odd.write_text(json.dumps(export, indent=2))

    output = run_import("import_ghost", odd)

    assert "tier 68c9a1f0c2b1a40001c39002 “Supporter”" in output and "which we do not know (skipped)" in output
    assert "its yearly price -5 is not a price in cents (skipped)" in output
    assert "the offer code 7: ? % off" not in output and "the offer code 7: ?% off" in output
    assert ArticlePage.objects.filter(slug__in=["letters-to-the-keeper", "the-keepers-accounts"]).count() == 2


def test_a_list_whose_start_is_not_a_plain_number_counts_from_one():
    for start in ("²", "99999999999999999999", "-3", "x"):
        blocks = body_from_html([f'<ol start="{start}"><li>Tide</li><li>Bell</li></ol>']).blocks
        assert [block["value"] for block in blocks] == ["<p>1. Tide</p>", "<p>2. Bell</p>"], start
