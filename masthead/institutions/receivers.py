"""Keeping the page cache and the seats right when institutions, seats or readers' addresses change."""

from __future__ import annotations

from allauth.account.signals import email_confirmed
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save

from masthead.core.page_cache import clear_now_and_on_commit
from masthead.core.page_readers import forget_reader
from masthead.institutions import networks, services


def institution_changed(instance, created=False, **kwargs) -> None:
    networks.forget_ranges()
    # Its period or its ranges may have changed what its members and its networks' readers see; it is
    # named on their pages. Institutions are edited rarely: every stored page goes.
    clear_now_and_on_commit()
    for reader_id in instance.memberships.values_list("reader_id", flat=True):
        forget_reader(reader_id)
    if kwargs.get("signal") is post_save:
        services.invite_listed_addresses(instance)


def institution_removed(instance, **kwargs) -> None:
    networks.forget_ranges()
    clear_now_and_on_commit()


def seat_changed(instance, **kwargs) -> None:
    forget_reader(instance.reader_id)


def address_confirmed(request, email_address, **kwargs) -> None:
    services.join_by_verified_addresses(email_address.user)


def logged_in(sender, request, user, **kwargs) -> None:
    # An institution set up after the reader verified their address: they join on their next sign-in.
    services.join_by_verified_addresses(user)


def connect() -> None:
    post_save.connect(institution_changed, sender="institutions.Institution", dispatch_uid="institution_saved")
    post_delete.connect(institution_removed, sender="institutions.Institution", dispatch_uid="institution_deleted")
    for signal in (post_save, post_delete):
        signal.connect(seat_changed, sender="institutions.Membership", dispatch_uid=f"seat_changed_{id(signal)}")
    email_confirmed.connect(address_confirmed, dispatch_uid="institution_join_on_confirm")
    user_logged_in.connect(logged_in, dispatch_uid="institution_join_on_login")
