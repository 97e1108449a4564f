"""Signed tokens in the links we email: confirm a sign-up, unsubscribe in one click, manage preferences.

Each is signed with SECRET_KEY and its own salt, so one kind can never be used as another and
nobody can make one for an address they do not read. Confirmation links expire; unsubscribe and
preference links keep working as long as the email is kept (a reader may click years later).
"""

from __future__ import annotations

import datetime

from django.core import signing

CONFIRM_SALT = "masthead.newsletters.confirm"
UNSUBSCRIBE_SALT = "masthead.newsletters.unsubscribe"
MANAGE_SALT = "masthead.newsletters.manage"
CONFIRMATION_LIFETIME = datetime.timedelta(days=7)


class BadToken(Exception):
    """The link was altered, belongs to another kind of link, or has expired."""


def confirmation_token(email: str) -> str:
    return signing.dumps(email.lower(), salt=CONFIRM_SALT)


def email_from_confirmation(token: str) -> str:
    try:
        return signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRMATION_LIFETIME)
    except signing.BadSignature as error:  # SignatureExpired is one
        raise BadToken(str(error)) from None


def unsubscribe_token(recipient_id: int, mailing_list: str, send_id: int | None = None) -> str:
    return signing.dumps([recipient_id, mailing_list, send_id], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe(token: str) -> tuple[int, str, int | None]:
    try:
        recipient_id, mailing_list, send_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadToken(str(error)) from None
    return recipient_id, mailing_list, send_id


def manage_token(recipient_id: int) -> str:
    return signing.dumps(recipient_id, salt=MANAGE_SALT)


def recipient_id_from_manage(token: str) -> int:
    try:
        value = signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature as error:
        raise BadToken(str(error)) from None
    if not isinstance(value, int):
        raise BadToken("not a recipient")
    return value
