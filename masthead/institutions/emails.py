"""The invitation email: sent once per invitation, by a task after the institution is saved."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from masthead.institutions.models import Invitation


@task()
def send_invitation(invitation_id: int) -> bool:
    # Claimed before sending, so a task run twice sends once; given back if the mail server refused it.
    claimed = Invitation.objects.filter(pk=invitation_id, sent_at__isnull=True).update(sent_at=timezone.now())
    if not claimed:
        return False
    invitation = Invitation.objects.select_related("institution").get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "institution": invitation.institution,
        "magazine_name": settings.MAGAZINE_NAME,
        "accept_url": settings.SITE_URL + reverse("institutions:accept", args=[invitation.token]),
    }
    try:
        EmailMultiAlternatives(
            subject=f"{settings.MAGAZINE_NAME}: {invitation.institution.name} invites you to read",
            body=render_to_string("institutions/email/invitation.txt", context),
            to=[invitation.email],
        ).send()
    except Exception:
        Invitation.objects.filter(pk=invitation_id).update(sent_at=None)
        raise
    return True
