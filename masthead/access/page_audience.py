"""The page cache's audiences, decided by the one gate: readers with the same entitlements share a copy.

`PageAudienceMiddleware` runs last, just before the view, on every request the page cache may
store (core/page_cache.py explains the whole cache). It

- decides the request's audience from `request_entitlements` (anonymous, or in an institution's
  network; or signed in, with which entitlements). Staff, and a metered reader (whose page depends
  on their own meter), get no shared copy: their pages are rendered for them alone;
- remembers a signed-in reader's audience for their session (core/page_readers.py), so their next
  request is answered before the session or the database is touched;
- watches the view for anything personal (core/personal_reads.py) and gathers what the page shows
  (core/page_tags.py).

Whatever changes a reader's entitlements (their subscription, their account, their groups) makes the
page cache decide them afresh on their very next request (`connect_invalidation`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from masthead.access.entitlements import Entitlements, request_entitlements
from masthead.access.paywall import paywall_settings
from masthead.core import page_readers, page_tags
from masthead.core.page_cache import (
    ANONYMOUS,
    clear_now_and_on_commit,
    has_session_cookie,
    is_cacheable_request,
    mark_user_dependent,
    network_audience,
    network_of,
    stored_copy,
)
from masthead.core.personal_reads import watching_personal_reads
from masthead.subscriptions.models import Subscription

ENTITLEMENT_LETTERS = (("digital", "d"), ("archive", "a"), ("audio", "u"), ("editions", "e"), ("print", "p"))


def audience_name(entitlements: Entitlements) -> str:
    """The audience of a signed-in reader with these entitlements, e.g. "signed-in:daue".

    Access through an institution is its own audience: its pages name the institution.
    """
    letters = "".join(letter for name, letter in ENTITLEMENT_LETTERS if getattr(entitlements, name))
    through = f":institution-{entitlements.institution_id}" if entitlements.institution_id else ""
    return f"signed-in:{letters or 'none'}{through}"


def audience_of(request) -> str:
    """Which shared copy this request may be served: ANONYMOUS, an entitlement audience, or none ("")."""
    if not request.user.is_authenticated:
        institution_id = request_entitlements(request).institution_id
        return ANONYMOUS if institution_id is None else network_audience(institution_id)
    entitlements = request_entitlements(request)
    if entitlements.staff:
        return page_readers.NO_SHARED_COPY  # previews, edit links, pages a reader cannot see
    if not entitlements.digital and paywall_settings(request).meter_enabled:
        return page_readers.NO_SHARED_COPY  # the meter decides each gated article for them alone
    return audience_name(entitlements)


class PageAudienceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_cacheable_request(request):
            return self.get_response(request)
        signed_in = request.user.is_authenticated
        # Read before deciding: a change meanwhile draws a new generation and voids what we remember.
        generation = page_readers.current_generation(request.user.pk) if signed_in else None
        audience = audience_of(request)
        request.page_cache_audience = audience
        if signed_in:
            until = request_entitlements(request).valid_until
            page_readers.remember_audience(
                request,
                user_id=request.user.pk,
                audience=audience,
                generation=generation,
                until=until.timestamp() if until else None,
                network=network_of(request),
            )
        if audience and (copy := stored_copy(request, audience)) is not None:
            return copy
        watch_session = has_session_cookie(request)
        with (
            page_tags.collecting() as tags,
            watching_personal_reads(request, watch_user=signed_in, watch_session=watch_session) as personal,
        ):
            response = self.get_response(request)
        request.page_cache_tags = tags
        if personal:
            mark_user_dependent(request)
        return response


def forget_subscriber(instance, **kwargs) -> None:
    page_readers.forget_reader(instance.reader_id)


def forget_user(instance, **kwargs) -> None:
    page_readers.forget_reader(instance.pk)


def forget_group_members(instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if reverse:  # a group's members changed
        for user_id in pk_set or ():
            page_readers.forget_reader(user_id)
    else:
        page_readers.forget_reader(instance.pk)


def paywall_rules_changed(created: bool = False, **kwargs) -> None:
    if not created:  # made with the defaults on first use: nothing a reader saw changes
        clear_now_and_on_commit()


def paused_readers_decided_afresh(created: bool = False, **kwargs) -> None:
    """Whether paused subscribers keep digital access is a paywall setting: each of them is decided afresh."""
    if created:
        return
    paused = Subscription.objects.filter(status=Subscription.ACTIVE, paused_until__gt=timezone.now())
    for reader_id in paused.values_list("reader_id", flat=True).iterator():
        page_readers.forget_reader(reader_id)


def connect_invalidation() -> None:
    """Decide a reader's audience afresh whenever what it is made of changes."""
    user_model = get_user_model()
    for signal in (post_save, post_delete):
        signal.connect(
            forget_subscriber, sender="subscriptions.Subscription", dispatch_uid=f"audience_sub_{id(signal)}"
        )
        signal.connect(forget_user, sender=user_model, dispatch_uid=f"audience_user_{id(signal)}")
    # The paywall's rules (archive age, the meter) change what every audience sees.
    post_save.connect(paywall_rules_changed, sender="access.PaywallSettings", dispatch_uid="audience_paywall")
    post_save.connect(
        paused_readers_decided_afresh, sender="access.PaywallSettings", dispatch_uid="audience_paywall_paused"
    )
    post_delete.connect(clear_now_and_on_commit, sender="access.PaywallSettings", dispatch_uid="audience_paywall_gone")
    user_logged_out.connect(page_readers.forget_session, dispatch_uid="audience_logged_out")
    for through in (user_model.groups.through, user_model.user_permissions.through):
        m2m_changed.connect(forget_group_members, sender=through, dispatch_uid=f"audience_m2m_{through._meta.label}")
    # A group's permissions decide who is staff (and reads everything): rare, so everyone is decided afresh.
    m2m_changed.connect(clear_now_and_on_commit, sender=Group.permissions.through, dispatch_uid="audience_group_perms")
