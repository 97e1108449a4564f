"""The reader's pause on /account/pause/: skip 1 to 3 issues (a holiday hold), or come back early.

Circulation offers the choices, because they come from the issue schedule and its close dates;
the ledger makes the change (`subscriptions.services.pauses`) and `access` decides what a paused
reader may read.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from masthead.access.entitlements import digital_while_paused
from masthead.circulation.services import pause_choices
from masthead.subscriptions.queries import live_subscription
from masthead.subscriptions.services.errors import PauseRefused
from masthead.subscriptions.services.pauses import do_pause, do_resume_from_pause, pause_refusal


class PauseForm(forms.Form):
    issues = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="How many issues to skip")
    # The first issue skipped as the reader saw it: a list closing meanwhile would shift every choice by one.
    first_cover_date = forms.DateField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.plans = {plan.issues: plan for plan in choices}
        self.fields["issues"].choices = [(plan.issues, choice_label(plan)) for plan in choices]
        if choices:
            self.fields["first_cover_date"].initial = choices[0].first_cover_date


def choice_label(plan) -> str:
    skipped = (
        f"the issue of {plan.first_cover_date:%B %-d}"
        if plan.issues == 1
        else f"the {plan.issues} issues of {plan.first_cover_date:%B %-d} to {plan.last_cover_date:%B %-d}"
    )
    back = timezone.localtime(plan.resumes_at)
    return f"{plan.issues} issue{'s' if plan.issues > 1 else ''}: skip {skipped}, back on {back:%B %-d, %Y}"


@login_required
def pause(request):
    """Ask which issues to skip, and pause; a refusal (dunning, a guarantee refund, cancelled...) says why."""
    now = timezone.now()
    subscription = live_subscription(request.user)
    digital_open = digital_while_paused()
    refusal = pause_refusal(subscription, now, digital_while_paused=digital_open)
    choices = pause_choices(now)
    form = PauseForm(request.POST or None, choices=choices)
    if request.method == "POST" and not refusal and form.is_valid():
        plan = form.plans[form.cleaned_data["issues"]]
        if form.cleaned_data["first_cover_date"] != plan.first_cover_date:
            messages.error(
                request,
                "The issues you can skip have changed since you opened this page (a mailing list has closed): "
                f"the first one now is {plan.first_cover_date:%B %-d}. Nothing is paused; please choose again.",
            )
            return redirect("pause_subscription")
        try:
            paused = do_pause(subscription, plan, actor="reader", digital_while_paused=digital_open, now=now)
        except PauseRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Your subscription is paused until {timezone.localtime(paused.resumes_at):%B %-d, %Y}. "
                "You will not be charged for the issues you skip; we have emailed you the details.",
            )
        return redirect("account")
    return render(
        request,
        "circulation/pause.html",
        {
            "subscription": subscription,
            "refusal": refusal,
            "form": form,
            "digital_while_paused": digital_open,
        },
    )


@login_required
@require_POST
def resume_from_pause(request):
    subscription = live_subscription(request.user)
    try:
        if subscription is None:
            raise PauseRefused("You have no current subscription.")
        do_resume_from_pause(subscription, actor="reader")
    except PauseRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Welcome back: your subscription is running again.")
    return redirect("account")
