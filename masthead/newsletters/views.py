"""Readers' side of email: the newsletters page and free sign-up, confirmation, one-click unsubscribe, preferences."""

from __future__ import annotations

import contextlib

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from masthead.access.paywall import paywall_settings
from masthead.content.queries import live_sections
from masthead.newsletters import free_readers, tokens
from masthead.newsletters.models import LISTS, Recipient
from masthead.newsletters.recipients import (
    AddressSuppressed,
    confirm,
    recipient_for_user,
    set_preferences,
    sign_up,
    unsubscribe,
)


class SignUpForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Your email address")
    # Left empty by people; bots fill every field. A filled one is thanked and ignored.
    website = forms.CharField(required=False, label="Leave this empty")


def private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


def newsletters_page(request):
    """/newsletters/: what we send, and the free sign-up."""
    return render(request, "newsletters/newsletters.html", {"form": SignUpForm(), "sections": live_sections()})


# The sign-up form sits in cached pages (the footer, the paywall box), where no per-visitor CSRF token
# can be; all it can do is send the typed address one confirmation email, so it is exempt and
# rate-limited instead (settings.RATE_LIMITS["newsletter_signup"]), and nothing happens until the
# owner of the address follows the link.
@csrf_exempt
@require_POST
def signup(request):
    form = SignUpForm(request.POST)
    if not form.is_valid():
        return private(render(request, "newsletters/newsletters.html", {"form": form}, status=400))
    if not form.cleaned_data["website"]:
        # A suppressed address gets the same answer as any other: the form tells nobody about anybody.
        with contextlib.suppress(AddressSuppressed):
            sign_up(form.cleaned_data["email"])
    return private(render(request, "newsletters/check_inbox.html", {"email": form.cleaned_data["email"]}))


@require_http_methods(["GET", "POST"])
def confirm_signup(request, token: str):
    """GET shows a button (mail scanners follow links; only a person presses it); POST confirms, and signs in once."""
    try:
        email = tokens.email_from_confirmation(token)
    except tokens.BadToken:
        return private(render(request, "newsletters/bad_link.html", status=400))
    if request.method == "GET":
        return private(render(request, "newsletters/confirm.html", {"email": email, "token": token}))
    recipient = confirm(token)
    link = free_readers.account_from_link(recipient.email, signed_in_user=request.user)
    if link.signs_in:
        login(request, link.account, backend=free_readers.BACKEND)
    return private(
        render(
            request,
            "newsletters/confirmed.html",
            {
                "recipient": recipient,
                "manage_token": tokens.manage_token(recipient.pk),
                "outcome": link.outcome,
                "meter": paywall_settings(request),
            },
        )
    )


# RFC 8058: mail programs POST "List-Unsubscribe=One-Click" to the link with no cookies and no
# CSRF token; the signed token is the authority.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token: str):
    try:
        recipient_id, mailing_list, _ = tokens.read_unsubscribe(token)
    except tokens.BadToken:
        return private(render(request, "newsletters/bad_link.html", status=400))
    if not Recipient.objects.filter(pk=recipient_id).exists() or mailing_list not in LISTS:
        return private(render(request, "newsletters/bad_link.html", status=400))
    context = {"token": token, "list_name": LISTS[mailing_list], "manage_token": tokens.manage_token(recipient_id)}
    if request.method == "GET":
        return private(render(request, "newsletters/unsubscribe.html", context))
    unsubscribe(token)
    return private(render(request, "newsletters/unsubscribed.html", context))


class PreferencesForm(forms.Form):
    issue_email = forms.BooleanField(required=False, label="The new-issue email (for subscribers)")
    digest = forms.BooleanField(required=False, label="The weekly digest of free articles")
    newsletters = forms.BooleanField(required=False, label="Newsletters from the editors")
    alert_sections = forms.TypedMultipleChoiceField(
        required=False, coerce=int, widget=forms.CheckboxSelectMultiple, label="Alerts for new articles in"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alert_sections"].choices = [(section.pk, section.title) for section in live_sections()]


def recipient_of(request) -> tuple[Recipient, str]:
    """Whose preferences these are: the signed link's (no login needed), or the logged-in reader's."""
    token = request.POST.get("t") or request.GET.get("t") or ""
    if token:
        try:
            return Recipient.objects.get(pk=tokens.recipient_id_from_manage(token)), token
        except (tokens.BadToken, Recipient.DoesNotExist):
            raise Http404("This link is not valid.") from None
    if request.user.is_authenticated:
        return recipient_for_user(request.user), ""
    raise Http404("Log in, or follow the link at the foot of one of our emails.")


@require_http_methods(["GET", "POST"])
def email_preferences(request):
    """/account/email/: what this reader receives."""
    if not request.user.is_authenticated and not (request.GET.get("t") or request.POST.get("t")):
        return redirect(f"/account/login/?next={request.path}")
    recipient, token = recipient_of(request)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            if "unsubscribe_all" in request.POST:
                set_preferences(recipient, issue_email=False, digest=False, newsletters=False, alert_section_ids=[])
                messages.success(request, "You will receive no more emails from us but account and billing ones.")
            else:
                data = form.cleaned_data
                set_preferences(
                    recipient,
                    issue_email=data["issue_email"],
                    digest=data["digest"],
                    newsletters=data["newsletters"],
                    alert_section_ids=data["alert_sections"],
                )
                messages.success(request, "Your email choices are saved.")
            return redirect(request.path + (f"?t={token}" if token else ""))
    else:
        form = PreferencesForm(
            initial={
                "issue_email": recipient.wants_issue_email,
                "digest": recipient.wants_digest,
                "newsletters": recipient.wants_newsletters,
                "alert_sections": list(recipient.alert_sections.values_list("pk", flat=True)),
            }
        )
    return private(
        render(request, "newsletters/preferences.html", {"form": form, "recipient": recipient, "token": token})
    )
