"""PostgreSQL: one RUM index for the articles' own index entries (what entitled readers search) and one
for their search texts (`open` and `teaser`), instead of one over every entry: a search walks only the
entries it may match, and the count no longer intersects its matches with every entry of the type.

A partial index names its content type by id, so the ids are taken (or made) here. A search filters
on the same id, so the planner picks the index; were content types ever made anew with other ids,
searches would stay correct, only slow, until this migration is run again (docs/search.md).
"""

from django.db import migrations

FULL_INDEX = "content_search_document_rum"  # content/0006, over every entry
PER_TEXT = {"articlepage": "content_search_article_rum", "articlesearchtext": "content_search_text_rum"}


def content_type_id(apps, model: str) -> int:
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="content", model=model
    )
    return content_type.pk


def index_per_text(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in PER_TEXT.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} ON wagtailsearch_indexentry "
            f"USING rum ((title || body) rum_tsvector_ops) WHERE content_type_id = {content_type_id(apps, model):d}"
        )
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {FULL_INDEX}")


def index_every_entry(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {FULL_INDEX} "
        "ON wagtailsearch_indexentry USING rum ((title || body) rum_tsvector_ops)"
    )
    for index in PER_TEXT.values():
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index}")


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY: a live site keeps indexing while the indexes are built

    dependencies = [
        ("content", "0006_search_rum_index"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(index_per_text, index_every_entry, elidable=False)]
