from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    """The subscription ledger, gateways, renewals, refunds, receipts and billing emails."""

    name = "masthead.subscriptions"
    label = "subscriptions"
