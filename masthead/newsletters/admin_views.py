"""Editors' view of mailings in the Wagtail admin: the list with progress, one mailing's words, preview,
test send to themselves, and Send. Permission is checked on the server before anything is looked up."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from masthead.editions.models import Issue
from masthead.newsletters import services
from masthead.newsletters.messages import render_send
from masthead.newsletters.models import Newsletter, Send
from masthead.newsletters.permissions import can_see_mailings, can_send_mailings
from masthead.newsletters.sending import request_send, send_test

NOT_ALLOWED = "Mailings go to readers' inboxes: only editors allowed to send them may see them here."


class WordsForm(forms.Form):
    subject = forms.CharField(max_length=200)
    preheader = forms.CharField(
        max_length=200, required=False, help_text="The line mail programs show after the subject."
    )


def forbidden():
    return HttpResponseForbidden(NOT_ALLOWED)


def index(request):
    """Every mailing with its progress; issues whose email is not prepared yet."""
    if not can_see_mailings(request.user):
        return forbidden()
    sends = list(Send.objects.select_related("issue", "newsletter")[:100])
    prepared = Send.objects.filter(issue__isnull=False).values("issue_id")
    upcoming = Issue.objects.exclude(pk__in=prepared).order_by("-cover_date")[:6]
    return render(
        request,
        "newsletters/admin/index.html",
        {
            "rows": [(send, send.counts()) for send in sends],
            "upcoming": upcoming,
            "can_send": can_send_mailings(request.user),
        },
    )


def issue_email(request, issue_id: int):
    """The issue's email, made as a draft the first time (its words can be changed until it goes out)."""
    if not can_send_mailings(request.user):
        return forbidden()
    send = services.issue_email(get_object_or_404(Issue, pk=issue_id))
    return redirect("newsletters_admin:detail", send.pk)


def newsletter_email(request, newsletter_id: int):
    if not can_send_mailings(request.user):
        return forbidden()
    send = services.newsletter_send(get_object_or_404(Newsletter, pk=newsletter_id))
    return redirect("newsletters_admin:detail", send.pk)


def detail(request, send_id: int):
    """One mailing: its words (while a draft), preview, test send, Send, and progress."""
    if not can_see_mailings(request.user):
        return forbidden()
    send = get_object_or_404(Send.objects.select_related("issue", "newsletter", "article"), pk=send_id)
    form = WordsForm(initial={"subject": send.subject, "preheader": send.preheader})
    if request.method == "POST":
        if not can_send_mailings(request.user):
            return forbidden()
        form = WordsForm(request.POST)
        if form.is_valid():
            if services.update_draft(send, **form.cleaned_data):
                messages.success(request, "Saved.")
            else:
                messages.error(request, "This mailing has gone out already; its words can no longer change.")
            return redirect("newsletters_admin:detail", send.pk)
    return render(
        request,
        "newsletters/admin/detail.html",
        {
            "send": send,
            "form": form,
            "counts": send.counts(),
            "can_send": can_send_mailings(request.user),
            "ready_to_send": send.is_draft and (send.issue is None or send.issue.live),
        },
    )


@xframe_options_sameorigin
def preview(request, send_id: int):
    """The mailing's HTML as a reader's mail program gets it (without their own links)."""
    if not can_see_mailings(request.user):
        return forbidden()
    send = get_object_or_404(Send, pk=send_id)
    response = HttpResponse(render_send(send).html)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def test_send(request, send_id: int):
    if not can_send_mailings(request.user):
        return forbidden()
    send = get_object_or_404(Send, pk=send_id)
    if not request.user.email:
        messages.error(request, "Your account has no email address to send the test to.")
    else:
        send_test(send, request.user.email)
        messages.success(request, f"A test copy went to {request.user.email}.")
    return redirect("newsletters_admin:detail", send.pk)


@require_POST
def send_now(request, send_id: int):
    """Send to readers; a second press (or a second editor) sends nothing more."""
    if not can_send_mailings(request.user):
        return forbidden()
    send = get_object_or_404(Send.objects.select_related("issue", "newsletter"), pk=send_id)
    if send.issue is not None and not send.issue.live:
        messages.error(request, "The issue is not published yet: its email goes out when it is.")
    elif send.newsletter is not None:
        try:
            services.send_newsletter(send.newsletter)
            messages.success(request, "Sending. The counts below fill in as copies go out.")
        except services.AlreadySent:
            messages.error(request, "This mailing was sent already; it goes out once.")
    elif request_send(send):
        messages.success(request, "Sending. The counts below fill in as copies go out.")
    else:
        messages.error(request, "This mailing was sent already; it goes out once.")
    return redirect("newsletters_admin:detail", send.pk)
