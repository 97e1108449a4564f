"""Entitlements: what a reader may do, decided from the subscription ledger and institutions' seats and networks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from masthead.access.models import PaywallSettings
from masthead.institutions.networks import Range, network_at_request
from masthead.institutions.services import institutional_access
from masthead.subscriptions.queries import live_subscription


@dataclass(frozen=True)
class Entitlements:
    digital: bool = False  # subscriber-only articles
    archive: bool = False  # past issues and the archive
    audio: bool = False
    editions: bool = False  # EPUB and PDF downloads
    print: bool = False  # on the printer's mailing list
    staff: bool = False
    # When these may change with no one touching the ledger (a paid period running out); None: not by time.
    valid_until: datetime.datetime | None = field(default=None, compare=False)
    # The institution these come from (a seat, or its network), when not the reader's own subscription.
    institution_id: int | None = None

    @property
    def any(self) -> bool:
        return self.digital or self.staff


NOTHING = Entitlements()


def entitlements_for(user, now: datetime.datetime | None = None, *, network: Range | None = None) -> Entitlements:
    """What `user`, reading from `network` (an institution's), is entitled to at `now`; staff and editors read all.

    A paused subscriber gets no print copy, and reads on screen only if the publisher keeps digital
    access during pauses (PaywallSettings.digital_while_paused); the pause's end is when that changes.
    Without a subscription that reads, an institution's seat or network gives everything on screen,
    never print; a reader without an account in its network reads articles and past issues (listening
    and downloads keep a place and a feed per reader: they need an account).
    """
    now = now or timezone.now()
    if user is None or not user.is_authenticated:
        held = institutional_access(None, network, now)
        if held is None:
            return NOTHING
        return Entitlements(digital=True, archive=True, valid_until=held.ends, institution_id=held.institution_id)
    is_staff = user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")
    subscription = live_subscription(user)
    paid_up = subscription is not None and subscription.grants_access(now)
    paused = paid_up and subscription.is_paused(now)
    reads = (paid_up and (not paused or digital_while_paused())) or is_staff
    valid_until = subscription.access_ends if paid_up and subscription.status == subscription.ACTIVE else None
    if paused:
        valid_until = min(valid_until, subscription.paused_until) if valid_until else subscription.paused_until
    held = None if reads else institutional_access(user, network, now)
    if held is not None:
        reads = True
        valid_until = min(valid_until, held.ends) if valid_until else held.ends
    return Entitlements(
        digital=reads,
        archive=reads,
        audio=reads,
        editions=reads,
        print=paid_up and subscription.plan.includes_print and not paused,
        staff=is_staff,
        valid_until=valid_until,
        institution_id=held.institution_id if held else None,
    )


def digital_while_paused() -> bool:
    """The publisher's choice (Settings > Paywall): do paused subscribers keep reading on screen?"""
    row = PaywallSettings.base_queryset().only("digital_while_paused").first()
    return row.digital_while_paused if row else True


def request_entitlements(request) -> Entitlements:
    """entitlements_for(request.user) in the request's network, worked out once per request."""
    if not hasattr(request, "_entitlements"):
        request._entitlements = entitlements_for(getattr(request, "user", None), network=network_at_request(request))
    return request._entitlements
