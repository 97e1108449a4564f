from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from masthead.access.entitlements import request_entitlements
from masthead.subscriptions.models import GatewayCustomer
from masthead.subscriptions.queries import address_on, latest_subscription, payment_history


@login_required
def account(request):
    """The reader's home: plan, status, next renewal, payments and receipts, print address."""
    subscription = latest_subscription(request.user)
    return render(
        request,
        "accounts/account.html",
        {
            "subscription": subscription,
            "entitlements": request_entitlements(request),
            "payments": payment_history(request.user),
            "address": address_on(request.user, timezone.now()),
            "card": GatewayCustomer.objects.filter(reader=request.user).first(),
            "now": timezone.now(),
        },
    )
