from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from masthead.subscriptions.gateways import GatewayError
from masthead.subscriptions.models import Payment, Subscription
from masthead.subscriptions.reconcile import GATEWAY_RECORDS, reconcile


class Command(BaseCommand):
    help = "Compare the ledger's payments and refunds with the gateway's records; exit 1 on any difference."

    def add_arguments(self, parser):
        parser.add_argument(
            "--gateway",
            action="append",
            choices=sorted(GATEWAY_RECORDS),
            help="Gateway to check (repeatable). Default: the configured one and every one the ledger uses.",
        )

    def handle(self, **options):
        names = options["gateway"] or self.gateways_in_use()
        total = 0
        for name in names:
            try:
                charges = GATEWAY_RECORDS[name]()
            except GatewayError as error:
                raise CommandError(f"Could not read {name}'s records: {error}", returncode=2) from error
            payments = Payment.objects.filter(subscription__gateway=name).count()
            self.stdout.write(f"{name}: {len(charges)} charges at the gateway, {payments} payments in the ledger.")
            differences = reconcile(name, charges)
            for difference in differences:
                self.stdout.write(f"  {difference}")
            total += len(differences)
        if total:
            raise CommandError(f"{total} difference{'s' if total != 1 else ''} between the ledger and the gateway.")
        self.stdout.write(self.style.SUCCESS("The ledger and the gateway agree."))

    def gateways_in_use(self) -> list[str]:
        used = set(Subscription.objects.values_list("gateway", flat=True).distinct())
        return sorted((used | {settings.PAYMENT_GATEWAY}) & set(GATEWAY_RECORDS))
