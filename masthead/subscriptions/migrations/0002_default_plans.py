"""The offer as launched; staff change names and prices in the admin."""

from django.db import migrations

PLANS = [
    ("Digital, monthly", "digital-monthly", "month", False, 900, 10),
    ("Digital, yearly", "digital-yearly", "year", False, 9000, 20),
    ("Digital + Print, monthly", "digital-print-monthly", "month", True, 1500, 30),
    ("Digital + Print, yearly", "digital-print-yearly", "year", True, 15000, 40),
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("subscriptions", "Plan")
    for name, slug, interval, includes_print, price_cents, sort_order in PLANS:
        Plan.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "interval": interval, "includes_print": includes_print,
                      "price_cents": price_cents, "sort_order": sort_order},
        )


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_initial")]
    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]
