"""Reading institutions for their admin contacts and for readers' account pages."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from masthead.institutions.models import Institution, Membership


def institutions_contacted_by(user) -> list[Institution]:
    """The institutions `user` is the admin contact of, with their seats taken, members and invitations."""
    institutions = list(
        Institution.objects.filter(contact=user)
        .annotate(seats_taken=Count("memberships", distinct=True))
        .prefetch_related("memberships__reader", "invitations")
    )
    for institution in institutions:
        institution.pending_invitations = [i for i in institution.invitations.all() if i.accepted_by_id is None]
    return institutions


def current_memberships(user) -> list[Membership]:
    today = timezone.localdate()
    return list(Membership.objects.filter(reader=user, institution__ends_on__gte=today).select_related("institution"))
