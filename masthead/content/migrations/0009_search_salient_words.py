"""PostgreSQL: each search index entry's salient words, with RUM indexes over them, so a one-word search of a
common word ranks a tenth of its matches, not every one (docs/search.md, "Salient words").

A word is salient in an entry when it is weighted above D there (the title, the standfirst) or occurs at
least SALIENT_OCCURRENCES times. RUM ranks a one-word query by the word's own occurrences alone (ts_rank's
formula with the default weights, no length normalisation), so every entry where the word is salient
ranks above every entry where it is not: the most relevant matches are all among the salient ones.

`masthead_salient` is a stored generated column of Wagtail's index table: PostgreSQL fills it on every
write Wagtail makes, and adding it rewrites the table once (6 minutes for 100,000 articles and their
200,000 search texts at load 7; searches and indexing wait meanwhile). A Wagtail migration that changes
the `title` or `body` columns must drop it first (`migrate content 0008`) and run this again after.
"""

from django.db import migrations

SALIENT_OCCURRENCES = 4  # also in search_ranking.py's docstring; the column must be rebuilt to change it
FUNCTION = f"""
CREATE OR REPLACE FUNCTION masthead_salient(document tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ts_delete(document, coalesce(array_agg(word.lexeme), '{{}}'))
  FROM unnest(document) AS word
  WHERE coalesce(cardinality(word.positions), 0) < {SALIENT_OCCURRENCES}
    AND NOT coalesce(word.weights && '{{A,B,C}}'::text[], false)
$$
"""
ARTICLES_INDEX = "content_search_article_salient_rum"
PER_REACH = {"open": "content_search_open_salient_rum", "teaser": "content_search_teaser_salient_rum"}


def content_type(apps, model: str) -> int:
    found, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(app_label="content", model=model)
    return found.pk


def add_salient_words(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        "ALTER TABLE wagtailsearch_indexentry ADD COLUMN IF NOT EXISTS masthead_salient tsvector "
        "GENERATED ALWAYS AS (masthead_salient(title || body)) STORED"
    )
    # The same partial conditions as content/0007's and 0008's indexes over the whole text.
    conditions = {ARTICLES_INDEX: f"content_type_id = {content_type(apps, 'articlepage'):d}"}
    texts = content_type(apps, "articlesearchtext")
    for reach, index in PER_REACH.items():
        conditions[index] = f"content_type_id = {texts:d} AND autocomplete @@ '{reach}'::tsquery"
    for index, condition in conditions.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} ON wagtailsearch_indexentry "
            f"USING rum (masthead_salient rum_tsvector_ops) WHERE {condition}"
        )


def drop_salient_words(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in (ARTICLES_INDEX, *PER_REACH.values()):
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index}")
    schema_editor.execute("ALTER TABLE wagtailsearch_indexentry DROP COLUMN IF EXISTS masthead_salient")
    schema_editor.execute("DROP FUNCTION IF EXISTS masthead_salient(tsvector)")


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY: a live site keeps indexing while the indexes are built

    dependencies = [("content", "0008_search_rum_index_per_reach")]

    operations = [migrations.RunPython(add_salient_words, drop_salient_words, elidable=False)]
