"""Moving in: the export files in tests/migration/exports, written by us in Ghost's and WordPress's formats."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from tests.reading import parsed

EXPORTS = Path(__file__).parent / "exports"
ASCII_SPACES = re.compile(r"[ \t\r\n]+")


def run_import(command: str, *args, **options) -> str:
    """Run an importer as the publisher would (no progress bar in a test); what it printed."""
    out, err = StringIO(), StringIO()
    call_command(command, *[str(arg) for arg in args], stdout=out, stderr=err, verbosity=0, **options)
    return out.getvalue()


def picture(path: Path, colour: str, size=(120, 80)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG")
    return path


@pytest.fixture
def ghost_images(tmp_path) -> Path:
    """Ghost's content/images folder as the publisher copied it: two of the three pictures the posts use, and
    Ada's profile picture."""
    root = tmp_path / "content" / "images"
    picture(root / "2023" / "10" / "ada-okafor.jpg", "sienna", size=(200, 200))
    picture(root / "2023" / "11" / "city-hall.jpg", "navy")
    picture(root / "2023" / "11" / "council.jpg", "olive")
    (tmp_path / "secret.jpg").write_bytes((root / "2023" / "11" / "council.jpg").read_bytes())
    return root


@pytest.fixture
def wordpress_uploads(tmp_path) -> Path:
    root = tmp_path / "wp-content" / "uploads"
    picture(root / "2023" / "03" / "ferry.jpg", "teal")
    picture(root / "2023" / "04" / "stage.jpg", "maroon")
    return root


def body_paragraphs(response) -> list[str]:
    """The article body's paragraphs as a reader sees them, in order, a nested list item's indent (em spaces) kept."""
    return [ASCII_SPACES.sub(" ", p.get_text()).strip(" ") for p in parsed(response).select("main .paragraph p")]
