"""Reader-facing billing pages: the subscription actions on /account/ (the offer and checkout: checkout_views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from masthead.subscriptions.forms import AddressForm, CancelForm, PlanChangeForm
from masthead.subscriptions.gateways import GatewayError, RefundRefused
from masthead.subscriptions.models import Receipt
from masthead.subscriptions.queries import address_on, guarantee_used, live_subscription
from masthead.subscriptions.services import (
    BillingError,
    NothingPaidYet,
    do_cancel,
    do_change_address,
    do_change_plan,
    do_refund_under_guarantee,
    do_resume,
)
from masthead.subscriptions.services.gifts import gift_time_left


def require_live_subscription(request):
    subscription = live_subscription(request.user)
    if subscription is None:
        raise Http404("You have no current subscription.")
    return subscription


@login_required
def cancel(request):
    subscription = require_live_subscription(request)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_cancel(
                subscription,
                actor="reader",
                reason=form.cleaned_data["reason"],
                reason_text=form.cleaned_data["reason_text"],
            )
        except BillingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                "Your free trial is cancelled: you will not be charged."
                if subscription.on_trial
                else "Your subscription is cancelled. You will not be charged again.",
            )
        return redirect("account")
    return render(request, "subscriptions/cancel.html", {"subscription": subscription, "form": form})


@login_required
@require_POST
def resume(request):
    try:
        do_resume(require_live_subscription(request), actor="reader")
    except BillingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Welcome back: your subscription will renew as before.")
    return redirect("account")


@login_required
def refund(request):
    subscription = live_subscription(request.user)
    if subscription is None and guarantee_used(request.user):
        # A second click, or Back and send again: the refund is made, and the account page shows it.
        messages.info(request, "Your refund under the money-back guarantee has been made.")
        return redirect("account")
    if subscription is None:
        raise Http404("You have no current subscription.")
    now = timezone.now()
    refusal = None
    if guarantee_used(request.user):
        refusal = "The money-back guarantee can be used once per reader, and you have used it."
    elif subscription.complimentary:
        refusal = "A complimentary subscription has nothing to refund."
    elif subscription.on_trial:
        refusal = NothingPaidYet().args[0]
    elif not subscription.guarantee_open(now):
        refusal = f"The 60-day money-back guarantee ended on {subscription.guarantee_ends:%B %-d, %Y}."
    if request.method == "POST" and refusal is None:
        try:
            do_refund_under_guarantee(subscription, actor="reader", now=now)
        except BillingError as error:
            messages.error(request, str(error))
        except (RefundRefused, GatewayError) as error:
            # Nothing is lost: refunds made so far are recorded, the subscription goes on, and asking
            # again repeats each refund under its own key, so none is made twice.
            reason = error.message if isinstance(error, RefundRefused) else "We could not reach the payment service."
            messages.error(
                request,
                f"Your refund could not be made just now. {reason} Your subscription is unchanged; "
                "please try again later or write to us.",
            )
        else:
            kept = live_subscription(request.user)
            gift = f" What is left of your gift is yours until {kept.current_period_end:%B %-d, %Y}." if kept else ""
            messages.success(request, f"Your money is on its way back, in full. Your subscription has ended.{gift}")
        return redirect("account")
    payments = subscription.payments.filter(status="succeeded", created_at__lt=subscription.guarantee_ends)
    gift_left = gift_time_left(subscription, now)
    return render(
        request,
        "subscriptions/refund.html",
        {
            "subscription": subscription,
            "refusal": refusal,
            "payments": payments,
            "total": sum(p.amount_cents for p in payments),
            "gift_kept_until": now + gift_left if gift_left else None,
        },
    )


@login_required
def change_plan(request):
    subscription = require_live_subscription(request)
    current = subscription.renewal_plan
    form = PlanChangeForm(
        request.POST or None,
        initial={
            "interval": current.interval,
            "includes_print": current.includes_print,
        },
    )
    needs_address = not request.user.postal_addresses.exists()
    address_form = AddressForm(request.POST or None, prefix="address") if needs_address else None
    if request.method == "POST" and form.is_valid():
        target = current.counterpart(
            interval=form.cleaned_data["interval"], includes_print=form.cleaned_data["includes_print"]
        )
        wants_print = form.cleaned_data["includes_print"]
        address = None
        if wants_print and address_form is not None:
            if not address_form.is_valid():
                return render(
                    request,
                    "subscriptions/change_plan.html",
                    {"subscription": subscription, "form": form, "address_form": address_form},
                )
            address = address_form.address()
        if target is None:
            messages.error(request, "That combination is not on offer at the moment.")
        else:
            try:
                do_change_plan(subscription, target, actor="reader", address=address)
            except BillingError as error:
                messages.error(request, str(error))
            else:
                if target.pk == subscription.plan_id:
                    messages.success(request, f"You will stay on {target.name}.")
                else:
                    messages.success(request, f"From your next renewal you will be on {target.name} at {target.price}.")
                return redirect("account")
    return render(
        request,
        "subscriptions/change_plan.html",
        {
            "subscription": subscription,
            "form": form,
            "address_form": address_form,
        },
    )


@login_required
def change_address(request):
    current = address_on(request.user, timezone.now())
    initial = {field: getattr(current, field) for field in AddressForm.base_fields} if current else None
    form = AddressForm(request.POST or None, prefix="address", initial=initial)
    if request.method == "POST" and form.is_valid():
        do_change_address(request.user, form.address(), actor="reader")
        messages.success(request, "Your address is changed; it applies from the next issue still being prepared.")
        return redirect("account")
    return render(request, "subscriptions/change_address.html", {"form": form})


def receipt_for(request, receipt_id: int) -> Receipt:
    receipt = get_object_or_404(
        Receipt.objects.select_related("payment__subscription__plan", "payment__subscription__reader"), pk=receipt_id
    )
    if receipt.payment.subscription.reader_id != request.user.pk and not request.user.is_staff:
        raise Http404("No such receipt.")
    return receipt


@login_required
def receipt_html(request, receipt_id: int):
    return render(request, "subscriptions/receipt.html", {"receipt": receipt_for(request, receipt_id)})


@login_required
def receipt_pdf(request, receipt_id: int):
    from weasyprint import HTML

    receipt = receipt_for(request, receipt_id)
    html = render_to_string(
        "subscriptions/receipt.html",
        {"receipt": receipt, "for_pdf": True, "base_template": "subscriptions/receipt_pdf_base.html"},
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{receipt.number}.pdf"'
    return response
