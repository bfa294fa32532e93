"""Which webhook URLs are acceptable, and which addresses a delivery may connect to.

The SSRF guard: a webhook makes the portal send requests to a URL a partner chose, so an
unguarded URL could reach the database, the cloud metadata service or anything else on
the private network. The guard is on by default in every environment; a private
deployment (and the test suite, whose receiver listens on 127.0.0.1) lifts it with
PORTAL_WEBHOOK_ALLOW_PRIVATE=true. The same address rule runs twice: when an endpoint is
created (every address the host resolves to) and when a delivery connects (the addresses
actually used, so a name that later resolves elsewhere, DNS rebinding, is caught too).
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from urllib.parse import urlsplit

from models.errors import ValidationFailed

MAX_URL_LENGTH = 2000
RESOLVE_TIMEOUT_SECONDS = 5.0

# Metadata services that sit on otherwise routable addresses, named so that the list
# documents itself (the link-local and unique-local ones are refused by their range too).
METADATA_ADDRESSES: frozenset[IPv4Address | IPv6Address] = frozenset(
    ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
    )
)
_NAT64 = ip_network("64:ff9b::/96")


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    """allow_private lifts the SSRF guard (private deployments, tests)."""

    allow_private: bool = False


_policy = UrlPolicy()


def configure(policy: UrlPolicy) -> None:
    """Set by portal.webhooks when the service starts (like the identifier vault)."""
    global _policy
    _policy = policy


def policy() -> UrlPolicy:
    return _policy


def _embedded_ipv4(ip: IPv6Address) -> list[IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64): each is judged
    too, or ::ffff:127.0.0.1 would be a way round the rule."""
    found: list[IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64:
        found.append(IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def address_allowed(address: str) -> bool:
    """True for a public unicast address; False for loopback, private, link-local,
    unique-local, shared (CGNAT), multicast, unspecified, reserved and metadata ones."""
    try:
        ip = ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    candidates: list[IPv4Address | IPv6Address] = [ip]
    if isinstance(ip, IPv6Address):
        candidates.extend(_embedded_ipv4(ip))
    for candidate in candidates:
        # is_global already excludes private, loopback, link-local, unique-local, shared
        # and reserved ranges; multicast counts as global, so it is named here.
        if candidate in METADATA_ADDRESSES or not candidate.is_global or candidate.is_multicast:
            return False
    return True


def _problem(rule: str, message: str) -> ValidationFailed:
    return ValidationFailed.single("url", rule, message)


@dataclass(frozen=True, slots=True)
class ParsedUrl:
    url: str
    host: str
    port: int


def parse(url: str) -> ParsedUrl:
    """The URL's own rules (no network): http(s), a host, no credentials, sane length."""
    text = url.strip()
    if not 1 <= len(text) <= MAX_URL_LENGTH:
        raise _problem("url_length", f"A webhook URL is 1 to {MAX_URL_LENGTH} characters.")
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise _problem("url_format", "A webhook URL contains no spaces or control characters.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise _problem("url_format", "This is not a valid URL.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _problem("url_scheme", "Webhook URLs must start with http:// or https://.")
    host = parts.hostname
    if not host:
        raise _problem("url_host", "The URL names no host.")
    if parts.username is not None or parts.password is not None:
        # Credentials in a URL end up in logs and screenshots; send them another way.
        raise _problem("url_credentials",
                       "Webhook URLs carry no user name or password; verify our signature "
                       "instead.")
    if port is None:
        port = 443 if parts.scheme.lower() == "https" else 80
    return ParsedUrl(text, host, port)


async def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to (an IP literal resolves to itself)."""
    try:
        return [str(ip_address(host))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await asyncio.wait_for(
        loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_SECONDS
    )
    return sorted({str(info[4][0]) for info in infos})


async def check_url(url: str) -> str:
    """The URL as stored, or a ValidationError naming `url` and the broken rule."""
    parsed = parse(url)
    if policy().allow_private:
        return parsed.url
    try:
        addresses = await resolve(parsed.host, parsed.port)
    except (OSError, TimeoutError, UnicodeError):
        raise _problem("url_unresolvable",
                       "The URL host does not resolve to an address.") from None
    if not addresses or not all(address_allowed(a) for a in addresses):
        raise _problem(
            "ssrf",
            "Webhook URLs must point to public internet addresses; this host resolves to a "
            "loopback, private, link-local, multicast or cloud-metadata address.",
        )
    return parsed.url
