"""A web process keeps what it loaded, and what its first requests compiled, out of full garbage collections."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest
from django.conf import settings

from masthead.ops.gc_freeze import FreezeOnceWarm


class CompiledTemplate:
    def __init__(self, path: str):
        self.path = path


@pytest.fixture
def unfrozen_after():
    yield
    gc.unfreeze()  # the test runner's objects go back to the collector's care


def tracked(thing) -> bool:
    """Whether a full collection would walk `thing` (frozen objects are left out of gc.get_objects())."""
    return any(candidate is thing for candidate in gc.get_objects())


def test_the_sites_entry_point_leaves_most_of_what_it_loaded_out_of_full_collections(tmp_path):
    """What granian and gunicorn import: the loaded site is frozen, so a full collection walks a small rest."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL", "TASK_BACKEND")}
    env.update(DJANGO_SETTINGS_MODULE="masthead.settings", DATA_DIR=str(tmp_path), PYTHONPATH=str(settings.BASE_DIR))
    counts = "import gc; import masthead.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"

    done = subprocess.run([sys.executable, "-c", counts], env=env, capture_output=True, text=True, check=True)

    frozen, walked = map(int, done.stdout.split())
    assert frozen > 20 * walked


def test_objects_made_by_the_first_requests_are_frozen_at_the_warm_request(unfrozen_after):
    compiled = []  # what a request keeps for the next ones, as the template loader keeps a compiled template

    def site(environ, start_response):
        compiled.append(CompiledTemplate(environ["PATH_INFO"]))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    application = FreezeOnceWarm(site, warm_after=3)
    for path in ("/", "/search/"):
        assert application({"PATH_INFO": path}, lambda *args: None) == [b"ok"]
    assert all(tracked(template) for template in compiled)  # before the warm request: still walked

    application({"PATH_INFO": "/issues/"}, lambda *args: None)
    application({"PATH_INFO": "/about/"}, lambda *args: None)

    assert [tracked(template) for template in compiled] == [False, False, True, True]
