"""Covering indexes for a day's paid periods (the circulation dashboard), in place of 0010's two.

On PostgreSQL they are built and dropped CONCURRENTLY (docs/deploy.md, migrations without downtime):
a plain CREATE INDEX over every payment would hold checkouts and the renewal run until it finished.
"""

from django.db import migrations, models

# The wider indexes first, so a day's payments are never read without one.
NEW = [
    models.Index(
        fields=["period_start", "status", "period_end", "amount_cents", "currency"], name="payment_period_start_paid"
    ),
    models.Index(
        fields=["period_end", "status", "period_start", "amount_cents", "currency", "subscription"],
        name="payment_period_end_paid",
    ),
]
OLD = [
    models.Index(fields=["period_start"], name="payment_period_start"),
    models.Index(fields=["period_end"], name="payment_period_end"),
]


def swap(apps, schema_editor, build, drop):
    payment = apps.get_model("subscriptions", "Payment")
    concurrently = {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}
    for index in build:
        schema_editor.add_index(payment, index, **concurrently)
    for index in drop:
        schema_editor.remove_index(payment, index, **concurrently)


def forwards(apps, schema_editor):
    swap(apps, schema_editor, build=NEW, drop=OLD)


def backwards(apps, schema_editor):
    swap(apps, schema_editor, build=OLD, drop=NEW)


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("subscriptions", "0015_pause_charge_moved_by"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
            state_operations=[
                *(migrations.AddIndex(model_name="payment", index=index) for index in NEW),
                *(migrations.RemoveIndex(model_name="payment", name=index.name) for index in OLD),
            ],
        )
    ]
