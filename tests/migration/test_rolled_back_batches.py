"""A batch that stops half-way leaves nothing behind: no rows, and no picture files in storage either."""

from __future__ import annotations

import json

import pytest
from django.core.management.base import CommandError

from masthead.content.models import ArticlePage, CreditedImage
from tests.migration.conftest import EXPORTS, run_import

TREASURY = "6571a3f0c2b1a40001a1b002"


def stored_files() -> set[str]:
    """Every file in the pictures' storage, through the storage API (on S3 its location is "")."""
    storage = CreditedImage._meta.get_field("file").storage
    found, folders = set(), [""]
    while folders:
        folder = folders.pop()
        try:
            directories, files = storage.listdir(folder)
        except FileNotFoundError:  # nothing stored yet
            directories, files = [], []
        found.update(f"{folder}/{name}".lstrip("/") for name in files)
        folders += [f"{folder}/{name}".lstrip("/") for name in directories]
    return found


def export_whose_second_post_breaks_the_batch(tmp_path):
    """The Ghost 5 export, its second post's html a list where text belongs (a hand-edited file)."""
    document = json.loads((EXPORTS / "ghost-5.json").read_text())
    [treasury] = [post for post in document["db"][0]["data"]["posts"] if post["id"] == TREASURY]
    treasury["html"] = [treasury["html"]]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document, indent=1))
    return path


def test_a_batch_that_stops_after_storing_pictures_leaves_no_files_behind(sections, ghost_images, tmp_path):
    before = stored_files()

    with pytest.raises(CommandError, match=f"stopped at post {TREASURY}"):
        run_import("import_ghost", export_whose_second_post_breaks_the_batch(tmp_path), "--images", ghost_images)

    assert not ArticlePage.objects.filter(slug="city-budget-vote").exists(), "the first post went with its batch"
    assert not CreditedImage.objects.exists()
    assert stored_files() == before, "Ada's photo and the first post's pictures were stored, then rolled back"


def test_after_a_stopped_batch_the_mended_export_stores_each_picture_once(sections, ghost_images, tmp_path):
    before = stored_files()
    with pytest.raises(CommandError):
        run_import("import_ghost", export_whose_second_post_breaks_the_batch(tmp_path), "--images", ghost_images)

    run_import("import_ghost", EXPORTS / "ghost-5.json", "--images", ghost_images)

    new_files = stored_files() - before
    originals = {name for name in new_files if name.startswith("original_images/")}
    assert len(originals) == 3, "Ada's photo, the feature picture and the inline one, each once"
    assert {image.file.name for image in CreditedImage.objects.all()} == originals


def test_earlier_batches_keep_their_pictures_when_a_later_batch_stops(sections, ghost_images, tmp_path):
    before = stored_files()

    with pytest.raises(CommandError, match="Batches before it are imported"):
        run_import("import_ghost", export_whose_second_post_breaks_the_batch(tmp_path), "--images", ghost_images,
                   batch_size=1)  # fmt: skip

    article = ArticlePage.objects.get(slug="city-budget-vote")
    assert article.hero_image.file.name in stored_files() - before
    assert CreditedImage.objects.count() == 3, "Ada's photo (her author's batch) and the first post's two"
