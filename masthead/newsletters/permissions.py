"""Who may do what with mailings in the admin: sending to readers is the "send" permission (Moderators)."""

from __future__ import annotations


def can_see_mailings(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("newsletters.view_send"))


def can_send_mailings(user) -> bool:
    """Change a mailing's words, send a test, send it to readers."""
    return user.is_active and (user.is_superuser or user.has_perm("newsletters.change_send"))
