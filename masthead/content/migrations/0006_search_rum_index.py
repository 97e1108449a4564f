"""PostgreSQL: a RUM index on the search index's `title || body`, which hands matches over in order
of relevance, so a search of 100,000 articles ranks only the page it shows (docs/search.md).

RUM is a PostgreSQL extension (Debian: postgresql-<version>-rum, installed by
scripts/install-system-packages.sh); without it the migration stops and says so. SQLite ranks with FTS5.
"""

from django.db import migrations

INDEX = "content_search_document_rum"


def create_rum_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        if cursor.fetchone() is None:
            raise RuntimeError(
                "Masthead's search needs PostgreSQL's rum extension: install postgresql-<version>-rum "
                "(scripts/install-system-packages.sh does) and migrate again."
            )
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS rum")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
        "ON wagtailsearch_indexentry USING rum ((title || body) rum_tsvector_ops)"
    )


def drop_rum_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY: a live site keeps indexing while the index is built

    dependencies = [
        ("content", "0005_article_search_texts"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create_rum_index, drop_rum_index, elidable=False)]
