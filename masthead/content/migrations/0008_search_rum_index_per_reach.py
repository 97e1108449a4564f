"""PostgreSQL: one RUM index per reach of the articles' search texts (`open`, `teaser`) instead of one for
both, so a reader's search ranks and counts only the entries of its own reach (docs/search.md).

Wagtail's index entries know their model, not the reach: ArticleSearchText now indexes its reach as an
autocomplete field (it has nothing else to autocomplete), and each index is partial on it. The
existing entries' autocomplete column is filled here from their rows, as Wagtail would write it; a
search asks the reach both of the entry and of its row, so an entry missed here finds nothing until
`manage.py update_index` (fails closed).
"""

from django.db import migrations

TEXTS_INDEX = "content_search_text_rum"  # content/0007: both reaches
PER_REACH = {"open": "content_search_open_rum", "teaser": "content_search_teaser_rum"}
BATCH = 5000  # index entries updated per statement


def text_content_type(apps) -> int:
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="content", model="articlesearchtext"
    )
    return content_type.pk


def index_per_reach(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    content_type = text_content_type(apps)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), max(id) FROM wagtailsearch_indexentry WHERE content_type_id = %s", [content_type]
        )
        first, last = cursor.fetchone()
    # Wagtail's autocomplete vector of the reach: the 'simple' configuration, weight D. In batches, each
    # committed on its own: a live site's indexing waits on a few thousand rows at a time, not on all.
    for start in range(first or 0, (last or -1) + 1, BATCH):
        schema_editor.execute(
            "UPDATE wagtailsearch_indexentry AS entry "
            "SET autocomplete = setweight(to_tsvector('simple', text.reach), 'D') "
            "FROM content_articlesearchtext AS text "
            f"WHERE entry.content_type_id = {content_type:d} AND entry.object_id = text.id::text "
            f"AND entry.id >= {start:d} AND entry.id < {start + BATCH:d}"
        )
    for reach, index in PER_REACH.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} ON wagtailsearch_indexentry "
            f"USING rum ((title || body) rum_tsvector_ops) "
            f"WHERE content_type_id = {content_type:d} AND autocomplete @@ '{reach}'::tsquery"
        )
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {TEXTS_INDEX}")


def index_both_reaches(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {TEXTS_INDEX} ON wagtailsearch_indexentry "
        f"USING rum ((title || body) rum_tsvector_ops) WHERE content_type_id = {text_content_type(apps):d}"
    )
    for index in PER_REACH.values():
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index}")


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY: a live site keeps indexing while the indexes are built

    dependencies = [("content", "0007_search_rum_index_per_text")]

    operations = [migrations.RunPython(index_per_reach, index_both_reaches, elidable=False)]
