"""Readers' doors: the invitation link, and the institution's own admin's page of seats."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from masthead.institutions import queries
from masthead.institutions.models import Invitation
from masthead.institutions.services import InvitationError, accept_invitation


@never_cache
@require_http_methods(["GET", "POST"])
def accept(request, token: str):
    """GET shows whose invitation it is; POST, signed in, takes the seat. The 32-byte token is the only key."""
    invitation = Invitation.objects.select_related("institution").filter(token=token).first()
    if invitation is None:
        return render(request, "institutions/invitation_gone.html", status=404)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        try:
            membership = accept_invitation(token, request.user)
        except InvitationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"You now read {membership.institution.name}'s subscription.")
            return redirect("account")
    return render(request, "institutions/accept.html", {"invitation": invitation})


@never_cache
@login_required
def seats(request):
    """Seat use, for the institution's admin contact only (and only their institutions)."""
    institutions = queries.institutions_contacted_by(request.user)
    if not institutions:
        return render(request, "institutions/not_contact.html", status=403)
    return render(request, "institutions/seats.html", {"institutions": institutions})
