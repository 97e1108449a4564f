"""PostgreSQL: this database's sessions compile no plans (`jit = off`), set on the database itself.

A search's server-side cursor is costed for its whole scan, which for a common word passes
`jit_above_cost`: PostgreSQL then compiled the plan for 20-25 ms to read 101 rows in 3-5 (100,000
articles, 2026-12-04, docs/search.md). None of our statements gains that back. Set on the database, not
in each connection's startup options, so it holds through a connection pooler (PgBouncer rejects or
drops a `-c jit=off` startup option). It needs the database's owner: a role that is not gets a warning
and the site works, only slower, until its administrator runs the statement below.
"""

import logging

from django.db import migrations, transaction
from django.db.utils import ProgrammingError

logger = logging.getLogger(__name__)


def set_jit_on_database(schema_editor, value: str) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        statement = f"ALTER DATABASE {schema_editor.quote_name(cursor.fetchone()[0])} SET jit = {value}"
        cursor.execute(statement)
    return statement


def without_jit(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            set_jit_on_database(schema_editor, "off")
    except ProgrammingError:  # not the database's owner
        logger.warning("could not turn JIT off for this database; its owner can: ALTER DATABASE ... SET jit = off")
    schema_editor.execute("SET jit = off")  # this session too: it began before the database's default changed


def with_jit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        set_jit_on_database(schema_editor, "DEFAULT")


class Migration(migrations.Migration):
    dependencies = [("content", "0009_search_salient_words")]
    operations = [migrations.RunPython(without_jit, with_jit)]
