"""Who is asking: the client's address, read the same way by every limit on the site."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or the one our own proxies saw (settings.TRUSTED_PROXY_COUNT).

    allauth's rule, so its limits, the login lockout and ours count the same address; a client
    cannot choose its address by sending X-Forwarded-For, as only our proxies' entries are read.
    "" for a request made in code rather than over the network (Client.logout, a shell).
    """
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return ""
