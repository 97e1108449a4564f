import django.db.models.expressions
from django.db import migrations, models


def from_the_start(apps, schema_editor):
    """Pauses made before: their charge was moved from when they began."""
    pauses = apps.get_model("subscriptions", "SubscriptionPause")
    pauses.objects.update(charge_moved_from=django.db.models.expressions.F("starts_at"))


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0013_subscription_pauses")]

    operations = [
        migrations.AddField(
            model_name="subscriptionpause",
            name="charge_moved_from",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(from_the_start, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subscriptionpause",
            name="charge_moved_from",
            field=models.DateTimeField(
                help_text="When the first skipped issue's list closes (or the pause began, if later)."
            ),
        ),
    ]
