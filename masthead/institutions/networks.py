"""Which institution a request's address belongs to, asked before the page cache answers: from memory.

Each process keeps the current institutions' IP ranges and reloads them every
settings.INSTITUTION_NETWORKS_RELOAD_SECONDS (5); a process that saves an institution forgets them at
once. The address is the one our own proxies saw (settings.TRUSTED_PROXY_COUNT): a client cannot
claim to be in a library by sending X-Forwarded-For.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

logger = logging.getLogger(__name__)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# A range wider than this is a mistake (a /0 would open the magazine to everyone).
NARROWEST_PREFIX = {4: 8, 6: 16}


def parse_networks(text: str) -> list[Network]:
    """One IP range per line (CIDR; a bare address is a range of one); ValueError names the bad line."""
    networks = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            network = ipaddress.ip_network(line, strict=False)
        except ValueError:
            raise ValueError(
                f"line {number}: {line!r} is not an IP range (write 192.0.2.0/24 or 2001:db8::/32)"
            ) from None
        if network.prefixlen < NARROWEST_PREFIX[network.version]:
            raise ValueError(f"line {number}: {line!r} is wider than any institution's network")
        networks.append(network)
    return networks


@dataclass(frozen=True)
class Range:
    network: Network
    institution_id: int
    starts: datetime.datetime
    ends: datetime.datetime


_ranges: tuple[Range, ...] | None = None
_loaded_at = 0.0


def load_ranges() -> tuple[Range, ...]:
    from masthead.institutions.models import Institution

    ranges = []
    current = Institution.objects.exclude(networks="").filter(ends_on__gte=timezone.localdate())
    for institution in current:
        try:
            networks = parse_networks(institution.networks)
        except ValueError as error:  # saved around the admin's form: its good lines only would be a guess
            logger.warning("institution %s: its IP ranges are ignored: %s", institution.pk, error)
            continue
        for network in networks:
            ranges.append(Range(network, institution.pk, institution.access_starts, institution.access_ends))
    return tuple(ranges)


def current_ranges() -> tuple[Range, ...]:
    global _ranges, _loaded_at
    if _ranges is None or time.monotonic() - _loaded_at > settings.INSTITUTION_NETWORKS_RELOAD_SECONDS:
        try:
            loaded = load_ranges()
        except DatabaseError:
            # Asked before the page cache answers: a database outage must not stop stored pages being served.
            logger.warning("institutions' IP ranges could not be read; the last ones known are kept", exc_info=True)
            loaded = _ranges or ()
        _ranges, _loaded_at = loaded, time.monotonic()
    return _ranges


def forget_ranges(**kwargs) -> None:
    global _ranges
    _ranges = None


def assume_no_ranges() -> None:
    """For tests: no institution has a network until one is saved (and no query to find that out)."""
    global _ranges, _loaded_at
    _ranges, _loaded_at = (), time.monotonic()


def range_at(address: str | None, ranges: tuple[Range, ...], now: datetime.datetime | None = None) -> Range | None:
    """The range of `ranges` holding `address` now, if any."""
    if not ranges or not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    now = now or timezone.now()
    for held in ranges:
        if held.network.version == ip.version and ip in held.network and held.starts <= now < held.ends:
            return held
    return None


def request_address(request) -> str | None:
    """The address our own proxies saw (the last TRUSTED_PROXY_COUNT-th of X-Forwarded-For), else REMOTE_ADDR.

    allauth's rule, as `core.ratelimits.client_ip` applies it, without its adapter's cost on every
    request; an X-Forwarded-For shorter than our proxies would make it is no address at all.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0 and (forwarded := request.META.get("HTTP_X_FORWARDED_FOR")):
        entries = forwarded.split(",")
        return entries[-proxies].strip() if len(entries) >= proxies else None
    return request.META.get("REMOTE_ADDR") or None


def network_at_request(request) -> Range | None:
    """The institution range the request comes from: worked out once per request, so every question agrees."""
    if not hasattr(request, "_institution_network"):
        ranges = current_ranges()
        request._institution_network = range_at(request_address(request), ranges) if ranges else None
    return request._institution_network


def institution_at_request(request) -> int | None:
    """The institution whose network the request comes from (the page cache's question)."""
    held = network_at_request(request)
    return held.institution_id if held else None
