"""Fixtures for the ledger's proofs: a database that other processes can open, and a way to run manage.py there.

`shared_database` copies the migrated test database to where a child process can reach it: a file
in a temporary DATA_DIR for SQLite (the test database itself lives in this process's memory), or a
throwaway PostgreSQL database made from it as a template, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[2]


@dataclass
class SharedDatabase:
    """A database outside this process's test transaction, with the environment that points manage.py at it."""

    env: dict[str, str]
    vendor: str
    sqlite_path: Path | None = None
    postgres_conninfo: str = ""

    def connect(self):
        """A plain DB-API connection, to watch and check the tables without Django."""
        if self.vendor == "sqlite":
            return sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None)
        return psycopg.connect(self.postgres_conninfo, autocommit=True)

    def rows(self, sql: str) -> list[tuple]:
        db = self.connect()
        try:
            return list(db.execute(sql).fetchall())
        finally:
            db.close()

    def scalar(self, sql: str):
        return self.rows(sql)[0][0]

    def python(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run `python args...` from the repository against this database; fails the test on a non-zero exit."""
        done = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, *args], cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            pytest.fail(f"python {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, *args], cwd=REPO, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )


def conninfo(settings_dict: dict, dbname: str) -> str:
    parts = {
        "dbname": dbname,
        "host": settings_dict.get("HOST") or "127.0.0.1",
        "port": str(settings_dict.get("PORT") or 5432),
        "user": settings_dict.get("USER") or "postgres",
        "password": settings_dict.get("PASSWORD") or "",
    }
    return " ".join(f"{key}='{value}'" for key, value in parts.items() if value)


def is_test_database(settings_dict: dict) -> bool:
    name = str(settings_dict["NAME"])
    return (
        (connection.vendor == "sqlite" and connection.creation.is_in_memory_db(name))
        or name == str((settings_dict.get("TEST") or {}).get("NAME"))
        or Path(name).name.startswith("test_")
    )


@pytest.fixture
def shared_database(
    transactional_db, django_db_serialized_rollback, django_db_blocker, tmp_path
) -> Iterator[SharedDatabase]:
    """A copy of the migrated test database that child processes (manage.py commands) use.

    Transactional, so no test transaction holds the database while it is copied (PostgreSQL copies
    a template only when nobody is connected to it); the serialized rollback puts back the rows
    migrations made (plans, the site's pages) when the flush after the test removes them.
    """
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="masthead.settings",
        DATA_DIR=str(tmp_path),
        TASK_BACKEND="django_tasks_db.DatabaseBackend",
        PYTHONUNBUFFERED="1",
    )
    with django_db_blocker.unblock():
        connection.ensure_connection()
        assert is_test_database(connection.settings_dict), "refusing to copy a database that is not the test database"
        if connection.vendor == "sqlite":
            path = tmp_path / "masthead.sqlite3"
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
            env["DATABASE_URL"] = f"sqlite:///{path}"
            yield SharedDatabase(env=env, vendor="sqlite", sqlite_path=path)
            return

        settings_dict = connection.settings_dict
        template, name = settings_dict["NAME"], f"masthead_crash_{secrets.token_hex(4)}"
        # A template must have no other sessions: this process's own goes first.
        connection.close()
        admin = psycopg.connect(conninfo(settings_dict, "postgres"), autocommit=True)
        try:
            copy_database(admin, settings_dict, template, name)
            # Commits wait for the server, not the disk: a killed client loses nothing either way,
            # and the renewal runs are not held to this disk's fsync rate (3.6 ms each here).
            admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
            user = settings_dict.get("USER") or "postgres"
            password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
            host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
            env["DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{name}"
            yield SharedDatabase(env=env, vendor="postgresql", postgres_conninfo=conninfo(settings_dict, name))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


def copy_database(admin, settings_dict: dict, template: str, name: str, wait_seconds: float = 5.0) -> None:
    """Make database `name` a copy of `template`: as a template when nobody else is on it, else by pg_dump.

    PostgreSQL copies a template only with no other session on it, and a connection this test run
    has finished with can linger there (a live server's thread keeps its own); after a short wait
    the copy is made with pg_dump and pg_restore instead, which do not mind company.
    """
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        try:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return
        except psycopg.errors.ObjectInUse:
            time.sleep(0.2)
    admin.execute(f'CREATE DATABASE "{name}"')
    dump = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--dbname", conninfo(settings_dict, template)],
        capture_output=True,
        check=True,
    )
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", conninfo(settings_dict, name)],
        input=dump.stdout,
        capture_output=True,
        check=True,
    )
