"""What a provider's `api_base` may be: an http(s) URL with a host. And which ones deserve a
warning: link-local and cloud metadata addresses, where no LLM endpoint lives but instance
credentials do (see docs/limits.md)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["api_base_problem", "api_base_warning"]

_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})
_METADATA_IPS = frozenset(
    {
        ipaddress.ip_address("fd00:ec2::254"),  # AWS IMDS over IPv6 (not link-local)
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud metadata
    }
)


def api_base_problem(url: str) -> str | None:
    """Why `url` cannot be an endpoint, or None. An empty string is refused: it used to mean
    the adapter's default endpoint silently (the public OpenAI API); leave the key out for
    that."""
    if not url.strip():
        return "must be an http(s) URL; leave `api_base` out to use the adapter's default"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"{parts.scheme}://" if parts.scheme else "no scheme"
        return f"must be an http:// or https:// URL, not {scheme}"
    if not parts.hostname:
        return "must name a host (http://host[:port]/path)"
    if any(ch.isspace() for ch in url):
        return "must not contain whitespace"
    return None


def api_base_warning(url: str) -> str | None:
    """A warning for a link-local or cloud metadata host, or None."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if host in _METADATA_HOSTS:
        return f"{url} is a cloud metadata host: no LLM endpoint lives there, credentials do"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local or address in _METADATA_IPS:
        return (
            f"{url} is a link-local or cloud metadata address: no LLM endpoint lives there, "
            "instance credentials do"
        )
    return None
