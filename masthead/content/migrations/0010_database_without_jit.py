"""PostgreSQL: this database's sessions compile no plans (`jit = off`), set on the database itself, or on our
role in it when we do not own it (masthead/core/database_settings.py, docs/search.md)."""

from django.db import migrations

from masthead.core.database_settings import restore_jit_default, turn_jit_off


def without_jit(apps, schema_editor):
    turn_jit_off(schema_editor.connection)


def with_jit(apps, schema_editor):
    restore_jit_default(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("content", "0009_search_salient_words")]
    operations = [migrations.RunPython(without_jit, with_jit)]
