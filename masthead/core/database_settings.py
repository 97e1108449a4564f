"""Settings PostgreSQL keeps for our database itself, so they hold through any connection pooler.

`jit = off`: PostgreSQL compiles any plan costed above `jit_above_cost`, and a search's server-side cursor is
costed for its whole scan: for a common word it compiled for 20-25 ms to read 101 rows in 3-5 (100,000
articles, 2026-12-04, docs/search.md). None of our statements gains that back. A `-c jit=off` startup
option would be rejected or dropped by PgBouncer; a setting of the database (its owner may set it) or of
our role in it (any role may) is applied by the server to every new session. Set by migration
content/0010 and again after a restore (pg_dump does not carry it).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.utils import ProgrammingError

logger = logging.getLogger(__name__)


def _set_for_new_sessions(connection, setting: str) -> bool:
    """`setting` ("jit = off", "jit TO DEFAULT") on the database, else on our role in it; whether either took."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        database = connection.ops.quote_name(cursor.fetchone()[0])
        for target in (f"DATABASE {database}", f"ROLE CURRENT_USER IN DATABASE {database}"):
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute(f"ALTER {target} SET {setting}")
                return True
            except ProgrammingError:  # not the database's owner: try our role's own setting
                continue
    return False


def turn_jit_off(connection) -> None:
    """No JIT compiling in this database's new sessions, and in this one."""
    if connection.vendor != "postgresql":
        return
    if not _set_for_new_sessions(connection, "jit = off"):
        logger.warning("could not turn JIT off for this database: ALTER DATABASE <name> SET jit = off")
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")


def restore_jit_default(connection) -> None:
    if connection.vendor == "postgresql":
        _set_for_new_sessions(connection, "jit TO DEFAULT")
