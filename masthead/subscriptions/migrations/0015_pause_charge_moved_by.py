from django.db import migrations, models
from django.utils import timezone


def as_they_were_moved(apps, schema_editor):
    """Pauses made before: moved by the skipped issues' time; a running one whose renewal falls inside it moves on.

    The renewal run no longer charges a paused subscription, so such a renewal would wait for the
    pause's end and then charge from its old date: it is moved to the resume moment, as new pauses are.
    """
    pauses = apps.get_model("subscriptions", "SubscriptionPause")
    events = apps.get_model("subscriptions", "SubscriptionEvent")
    now = timezone.now()
    for pause in pauses.objects.filter(charge_moved_by=None).select_related("subscription"):
        pause.charge_moved_by = pause.resumes_at - pause.charge_moved_from
        subscription = pause.subscription
        running = pause.ended_at is None and pause.resumes_at > now
        if running and subscription.status == "active" and subscription.current_period_end < pause.resumes_at:
            moved_from = subscription.current_period_end
            pause.charge_moved_by += pause.resumes_at - moved_from
            subscription.current_period_end = pause.resumes_at
            subscription.save(update_fields=["current_period_end"])
            events.objects.create(
                subscription=subscription,
                kind="pause_renewal_moved",
                actor="system:migration",
                detail={"next_charge_from": moved_from.isoformat(), "next_charge_to": pause.resumes_at.isoformat()},
                created_at=now,
            )
        pause.save(update_fields=["charge_moved_by"])


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0014_pause_charge_moved_from")]

    operations = [
        migrations.AddField(
            model_name="subscriptionpause",
            name="charge_moved_by",
            field=models.DurationField(null=True),
        ),
        migrations.RunPython(as_they_were_moved, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subscriptionpause",
            name="charge_moved_by",
            field=models.DurationField(
                help_text="How far the pause moved the next charge (the skipped issues' time, or to resumes_at)."
            ),
        ),
    ]
