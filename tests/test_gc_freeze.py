"""A web process keeps what it loaded out of full garbage collections."""

from __future__ import annotations

from tests.web_process import run_in_a_new_process


def run_in_a_web_process(code: str, tmp_path, *, before: str = "") -> str:
    """`code` run after importing what granian and gunicorn import (and `before`, before it); its output."""
    return run_in_a_new_process(f"{before}\nimport masthead.wsgi\n{code}", tmp_path)


def test_the_sites_entry_point_leaves_most_of_what_it_loaded_out_of_full_collections(tmp_path):
    """The loaded site is frozen, so a full collection walks a small rest (gc.get_objects() leaves frozen ones out)."""
    counts = run_in_a_web_process("import gc; print(gc.get_freeze_count(), len(gc.get_objects()))", tmp_path)

    frozen, walked = map(int, counts.split())
    assert frozen > 20 * walked


def test_what_the_first_request_loads_is_frozen_with_the_site(tmp_path):
    """Django loads the URL map (every view module, Wagtail's admin with it) and the template tag libraries on
    the first request: loaded before the freeze, a full collection does not walk them ever after."""
    first_request_loads = """
import gc
from django.template import engines
from django.urls import resolve, reverse
gc.collect()
before = len(gc.get_objects())
resolve("/search/"), reverse("healthz"), engines["django"].engine.template_libraries
gc.collect()
print(before, len(gc.get_objects()))
"""
    before, after = map(int, run_in_a_web_process(first_request_loads, tmp_path).split())

    assert after - before < 1_000


def test_loading_the_site_opens_no_database_connection(tmp_path):
    """A connection opened while the URL map loads would be frozen with it, and kept by the process for good."""
    opened = run_in_a_web_process(
        "print(opened)",
        tmp_path,
        before=(
            "from django.db.backends.signals import connection_created\n"
            "opened = []\n"
            "def note(sender, connection, **kwargs):\n"
            "    opened.append(connection.alias)\n"
            "connection_created.connect(note)"
        ),
    )

    assert opened == "[]"
