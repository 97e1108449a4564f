"""Keeping the page cache and the seats right when institutions, seats or readers' addresses change."""

from __future__ import annotations

from allauth.account.signals import email_changed, email_confirmed, email_removed
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save

from masthead.core.page_cache import clear_now_and_on_commit
from masthead.core.page_readers import forget_reader
from masthead.institutions import networks, services
from masthead.institutions.models import Membership


def institution_changed(instance, created=False, **kwargs) -> None:
    networks.forget_ranges()
    # Its period or its ranges may have changed what its members and its networks' readers see; it is
    # named on their pages. Institutions are edited rarely: every stored page goes.
    clear_now_and_on_commit()
    for reader_id in instance.memberships.values_list("reader_id", flat=True):
        forget_reader(reader_id)
    services.invite_listed_addresses(instance)


def institution_removed(instance, **kwargs) -> None:
    networks.forget_ranges()
    clear_now_and_on_commit()


def seat_changed(instance, **kwargs) -> None:
    forget_reader(instance.reader_id)


def address_confirmed(request, email_address, **kwargs) -> None:
    services.join_by_verified_addresses(email_address.user)


def address_gone(user, email: str) -> None:
    """The address a seat was taken with is no longer the reader's: the seat goes with it."""
    from allauth.account.models import EmailAddress

    if EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
        return  # only no longer primary: still theirs
    for membership in Membership.objects.filter(reader=user, email__iexact=email):
        membership.delete()  # one by one, so each reader is decided afresh (seat_changed)


def address_removed(request, user, email_address, **kwargs) -> None:
    address_gone(user, email_address.email)


def address_changed(request, user, from_email_address, to_email_address, **kwargs) -> None:
    if from_email_address is not None:
        address_gone(user, from_email_address.email)
    services.join_by_verified_addresses(user)


def logged_in(sender, request, user, **kwargs) -> None:
    # An institution set up after the reader verified their address: they join on their next sign-in.
    services.join_by_verified_addresses(user)


def connect() -> None:
    post_save.connect(institution_changed, sender="institutions.Institution", dispatch_uid="institution_saved")
    post_delete.connect(institution_removed, sender="institutions.Institution", dispatch_uid="institution_deleted")
    for signal in (post_save, post_delete):
        signal.connect(seat_changed, sender="institutions.Membership", dispatch_uid=f"seat_changed_{id(signal)}")
    email_confirmed.connect(address_confirmed, dispatch_uid="institution_join_on_confirm")
    email_removed.connect(address_removed, dispatch_uid="institution_seat_address_removed")
    email_changed.connect(address_changed, dispatch_uid="institution_seat_address_changed")
    user_logged_in.connect(logged_in, dispatch_uid="institution_join_on_login")
