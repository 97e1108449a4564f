from django.core.management.base import BaseCommand

from masthead.subscriptions.services import renew_due_subscriptions, send_renewal_reminders


class Command(BaseCommand):
    help = "Charge every due subscription once for its next period, and send renewal reminders."

    def handle(self, **options):
        count = 0

        def progress(outcome):
            nonlocal count
            count += 1
            if count % 1000 == 0:
                self.stdout.write(f"{count} processed…")

        outcomes = renew_due_subscriptions(progress=progress)
        reminders = send_renewal_reminders()
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())) or "nothing due"
        self.stdout.write(f"Renewals: {summary}. Reminders sent: {reminders}.")
