"""Free readers' accounts: confirming a free sign-up makes the address a reader's account, signed in by the link once.

As on Substack and Ghost, a free sign-up is an account with no password. The confirmation link proves
the address is the reader's, so pressing its button signs them in, and the meter counts their reads
as any signed-in reader's. Later they sign in with a code emailed to them (allauth's login by code) or
set a password on /account/. A link is never a way into an account with a password, nor into staff's,
and it signs in once: it lives on in the mailbox, in forwarded copies and in browser history for the
7 days it confirms.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.utils import user_email
from django.db import transaction
from django.utils import timezone

from masthead.access.entitlements import entitlements_for
from masthead.core.email_owners import owner_of_address
from masthead.newsletters.models import Recipient

# What pressing the confirmation link's button did about signing in.
SIGNED_IN = "signed in"
ALREADY_SIGNED_IN = "already signed in"  # this browser is signed in to the address's account already
OTHER_ACCOUNT = "signed in as another"  # this browser is signed in to another account: it stays so
LINK_SPENT = "link spent"  # the address was signed in by a link before: a code or a password now
LOG_IN = "log in"  # an account with a password, staff's, or one that is closed: its own login only

# The backend allauth's own logins use (settings.AUTHENTICATION_BACKENDS).
BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@dataclass(frozen=True)
class LinkSignIn:
    account: object | None
    outcome: str

    @property
    def signs_in(self) -> bool:
        return self.outcome == SIGNED_IN


def account_from_link(email: str, *, signed_in_user=None, now: datetime.datetime | None = None) -> LinkSignIn:
    """The confirmed address's account (made if it has none), and whether the link may sign this browser in to it.

    Signs in only an active account without a usable password that is not staff's, and only once per
    address: the first sign-in claims `Recipient.signed_in_by_link_at` with one conditional UPDATE, which
    spends every link ever sent to the address, however often or at once they are pressed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update().get(email=email.strip().lower())
        account = owner_of_address(recipient.email)
        if account is None:
            if recipient.user_id is not None:
                return LinkSignIn(None, LOG_IN)  # the row's account has moved to another address since
            if EmailAddress.objects.filter(email__iexact=recipient.email, primary=True).exists():
                # Someone signed up with this address and a password and never confirmed it: not proof
                # it is theirs, so no sign-in there, and no second account either; the address's owner
                # logs in, or resets the password, which the reset email proves.
                return LinkSignIn(None, LOG_IN)
            account = new_reader_account(recipient.email)
        if recipient.user_id is None and not Recipient.objects.filter(user=account).exists():
            recipient.user = account
            recipient.save(update_fields=["user"])
        if signed_in_user is not None and signed_in_user.is_authenticated:
            return LinkSignIn(account, ALREADY_SIGNED_IN if signed_in_user.pk == account.pk else OTHER_ACCOUNT)
        if account.has_usable_password() or not account.is_active or entitlements_for(account, now).staff:
            return LinkSignIn(account, LOG_IN)
        claimed = Recipient.objects.filter(pk=recipient.pk, signed_in_by_link_at__isnull=True).update(
            signed_in_by_link_at=now
        )
        if not claimed:
            return LinkSignIn(account, LINK_SPENT)
        address_proven(account, recipient.email)
    return LinkSignIn(account, SIGNED_IN)


def new_reader_account(email: str):
    """A free reader's account: the address, verified by the link, and no password until they set one."""
    adapter = get_adapter()
    account = adapter.new_user(None)
    user_email(account, email)
    adapter.populate_username(None, account)
    account.set_unusable_password()
    account.save()
    EmailAddress.objects.create(user=account, email=email, verified=True, primary=True)
    return account


def address_proven(account, email: str) -> None:
    """The link proved the address is the reader's: allauth counts it verified (an imported account's may not be)."""
    address = EmailAddress.objects.filter(user=account, email__iexact=email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=account, primary=True).exists()
        EmailAddress.objects.create(user=account, email=email, verified=True, primary=not has_primary)
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
