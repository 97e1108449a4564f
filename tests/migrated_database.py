"""The migrated test database kept between runs, for `make test-fast` (pytest's `--reuse-db`).

Migrating an empty SQLite database takes each xdist worker 15-20 seconds of CPU, most of the inner loop's
fixed cost. With `--reuse-db` the first run saves the migrated database (schema and the rows data migrations
make: sections, plans, groups, permissions) to a file named by a fingerprint of every migration file and the
settings data migrations read; later runs copy that file into the in-memory test database instead of
migrating, then send the migration signals, as `migrate` would (Wagtail connects its reference index then).
A changed, added or removed migration changes the fingerprint, so the next run migrates afresh;
`--create-db` always does. `make test` never passes `--reuse-db` and migrates as before.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import os
import sqlite3
import sys
import tempfile
from contextlib import closing, contextmanager
from pathlib import Path

import django.core.management
import django.core.management.sql
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader

# What the data migrations read from settings besides the migration files (content/0002: the default site).
SETTINGS_MIGRATIONS_READ = ("INSTALLED_APPS", "AUTH_USER_MODEL", "SITE_URL", "MAGAZINE_NAME", "LANGUAGE_CODE")
# Our modules the data migrations import (the editors' and moderators' permissions): a change there migrates anew.
MODULES_MIGRATIONS_IMPORT = ("masthead.core.group_permissions",)


def fingerprint(alias: str = "default") -> str:
    """A hash of every migration file Django would apply, and of the settings and Django version they depend on."""
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True, load=True)
    digest = hashlib.sha256()
    digest.update(importlib.metadata.version("django").encode())
    for name in SETTINGS_MIGRATIONS_READ:
        digest.update(repr(getattr(settings, name, None)).encode())
    for module in MODULES_MIGRATIONS_IMPORT:
        digest.update(Path(importlib.import_module(module).__file__).read_bytes())
    for key in sorted(loader.disk_migrations):
        digest.update(repr(key).encode())
        digest.update(Path(sys.modules[loader.disk_migrations[key].__module__].__file__).read_bytes())
    return digest.hexdigest()[:16]


def saved_path(key: str) -> Path:
    return Path(tempfile.gettempdir()) / f"masthead-test-migrated-{key}.sqlite3"


def restored(saved: Path, connection) -> bool:
    """Copy the saved database into the connection's; False when there is none (read-only: never created here)."""
    try:
        with closing(sqlite3.connect(f"file:{saved}?mode=ro", uri=True)) as source:
            source.backup(connection.connection)
    except sqlite3.OperationalError:  # not saved yet, or removed by a run that saved a newer one
        return False
    return True


@contextmanager
def reused_when_migrated_before(*, rebuild: bool):
    """While pytest-django creates the test database, its `migrate` copies the saved database in, or migrates and saves.

    Only an in-memory SQLite test database (the test settings' default) is reused; others migrate as usual.
    """
    call_command = django.core.management.call_command
    state = {"done": False}

    def migrate_or_restore(name, *args, **options):
        alias = options.get("database", "default")
        connection = connections[alias]
        if (
            name != "migrate"
            or state["done"]
            or connection.vendor != "sqlite"
            or not connection.creation.is_in_memory_db(connection.settings_dict["NAME"])
        ):
            return call_command(name, *args, **options)
        state["done"] = True
        django.core.management.call_command = call_command  # the test database's migrate only: later calls are real
        saved = saved_path(fingerprint(alias))
        connection.ensure_connection()
        if not rebuild and restored(saved, connection):
            signal_options = {"apps": apps, "plan": []}
            django.core.management.sql.emit_pre_migrate_signal(0, False, alias, **signal_options)
            django.core.management.sql.emit_post_migrate_signal(0, False, alias, **signal_options)
            return None
        result = call_command(name, *args, **options)
        # Written beside, then renamed: another worker or checkout reading it never sees half a file.
        partial = saved.with_suffix(f".{os.getpid()}.partial")
        with closing(sqlite3.connect(partial)) as copy:
            connection.connection.backup(copy)
        os.replace(partial, saved)
        for older in saved.parent.glob("masthead-test-migrated-*.sqlite3"):
            if older != saved:  # made before a migration changed; a run still reading one has it open
                older.unlink(missing_ok=True)
        return result

    django.core.management.call_command = migrate_or_restore
    try:
        yield
    finally:
        django.core.management.call_command = call_command
