from django.core.management.base import BaseCommand, CommandError

from masthead.subscriptions.services import parse_shard, renew_due_subscriptions, send_renewal_reminders


class Command(BaseCommand):
    help = "Charge every due subscription once for its next period, and send renewal reminders."

    def add_arguments(self, parser):
        parser.add_argument(
            "--shard",
            help="Renew one share of the due subscriptions, e.g. 2/4; run 1/4 to 4/4 side by side to renew faster.",
        )

    def handle(self, **options):
        try:
            shard = parse_shard(options["shard"]) if options["shard"] else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        count = 0

        def progress(outcome):
            nonlocal count
            count += 1
            if count % 1000 == 0:
                self.stdout.write(f"{count} processed…")

        outcomes = renew_due_subscriptions(progress=progress, shard=shard)
        reminders = send_renewal_reminders()  # once per period whichever shard gets there first
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())) or "nothing due"
        self.stdout.write(f"Renewals: {summary}. Reminders sent: {reminders}.")
