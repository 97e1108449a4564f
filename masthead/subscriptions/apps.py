from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    """The subscription ledger, gateways, renewals, refunds, receipts and billing emails."""

    name = "masthead.subscriptions"
    label = "subscriptions"

    def ready(self):
        from django.core import checks

        from masthead.subscriptions.checks import check_sandbox_gateway, check_stripe_settings

        checks.register(check_sandbox_gateway, "billing", deploy=True)
        checks.register(check_stripe_settings, "billing", deploy=True)
