"""What institutions grant, and joining one: by a verified address at its domain, or an invitation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.core.page_readers import forget_reader
from masthead.institutions.models import Institution, Invitation, Membership
from masthead.institutions.networks import Range


@dataclass(frozen=True)
class InstitutionalAccess:
    institution_id: int
    ends: datetime.datetime


def institutional_access(user, network: Range | None, now: datetime.datetime) -> InstitutionalAccess | None:
    """Access held through an institution: a seat the reader holds, else the network they read from
    (`networks.network_at_request`)."""
    if user is not None and user.is_authenticated:
        today = timezone.localdate(now)
        seat = (
            Membership.objects.filter(reader=user, institution__starts_on__lte=today, institution__ends_on__gte=today)
            .select_related("institution")
            .order_by("-institution__ends_on")
            .first()
        )
        if seat is not None:
            return InstitutionalAccess(seat.institution_id, seat.institution.access_ends)
    if network is not None and network.starts <= now < network.ends:
        return InstitutionalAccess(network.institution_id, network.ends)
    return None


def seats_taken(institution: Institution) -> int:
    return institution.memberships.count()


def join(institution: Institution, reader, *, email: str, joined_by: str) -> Membership | None:
    """Give `reader` one of the institution's seats; None when they are all taken or it is not current."""
    with transaction.atomic():
        # One seat at a time per institution: two readers joining at once cannot both take the last one.
        institution = Institution.objects.select_for_update().get(pk=institution.pk)
        existing = Membership.objects.filter(institution=institution, reader=reader).first()
        if existing is not None:
            return existing
        if not institution.is_current() or seats_taken(institution) >= institution.seats:
            return None
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    institution=institution, reader=reader, email=email, joined_by=joined_by
                )
        except IntegrityError:  # joined meanwhile by another request of theirs
            return Membership.objects.get(institution=institution, reader=reader)
    forget_reader(reader.pk)
    return membership


def join_by_verified_addresses(user) -> list[Membership]:
    """Seats for each of the reader's verified addresses at a current institution's domain, or invited."""
    from allauth.account.models import EmailAddress

    emails = set(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    if not emails:
        return []
    today = timezone.localdate()
    joined = []
    current = Institution.objects.filter(starts_on__lte=today, ends_on__gte=today).exclude(
        email_domains="", invited_emails=""
    )
    for institution in current:
        for email in sorted(emails):
            how = joining_rule(institution, email)
            if how and (membership := join(institution, user, email=email, joined_by=how)) is not None:
                if how == Membership.BY_INVITATION:  # its link cannot give a second seat
                    Invitation.objects.filter(institution=institution, email=email, accepted_by=None).update(
                        accepted_by=user
                    )
                joined.append(membership)
                break
    return joined


def joining_rule(institution: Institution, email: str) -> str | None:
    email = email.lower()
    try:
        if email in institution.invited_list():
            return Membership.BY_INVITATION
        if email.rpartition("@")[2] in institution.domain_list():
            return Membership.BY_DOMAIN
    except ValueError:  # a list saved around the admin's form: nobody joins by it until it is mended
        return None
    return None


def invite_listed_addresses(institution: Institution) -> list[Invitation]:
    """An invitation for each listed address not invited yet; each is emailed once (emails.py)."""
    from masthead.institutions.emails import send_invitation

    try:
        emails = institution.invited_list()
    except ValueError:
        return []
    # An address taken off the list: its link stops working (a seat it gave stays, for staff to take back).
    institution.invitations.filter(accepted_by=None).exclude(email__in=emails).delete()
    made = []
    for email in emails:
        invitation, created = Invitation.objects.get_or_create(institution=institution, email=email)
        if created:
            made.append(invitation)
            transaction.on_commit(lambda pk=invitation.pk: send_invitation.enqueue(pk))
    return made


class InvitationError(Exception):
    pass


def accept_invitation(token: str, reader) -> Membership:
    """The invited reader takes a seat; the link works once."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("institution").filter(token=token).first()
        if invitation is None:
            raise InvitationError("This invitation link is not valid. Ask your institution for a new one.")
        if invitation.accepted_by_id is not None:
            raise InvitationError("This invitation has been used already.")
        membership = join(invitation.institution, reader, email=invitation.email, joined_by=Membership.BY_INVITATION)
        if membership is None:
            raise InvitationError(
                f"{invitation.institution.name} has no seat left for you, or its access has ended. "
                "Please ask its administrator."
            )
        invitation.accepted_by = reader
        invitation.save(update_fields=["accepted_by"])
    return membership
