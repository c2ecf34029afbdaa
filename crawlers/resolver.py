"""Scrapy's DNS resolver with the fetch policy (the address a connection really uses is checked),
and the two errors a refused request fails with.

``FetchPolicyMiddleware`` checks a request's host before it is sent, but the connection resolves
the name again: a DNS answer that changes in between (DNS rebinding: public at check time,
127.0.0.1 at connect time) would slip through. This resolver is what Twisted asks for the
connection's address, so the check holds for the address actually used. Hosts of sources with
``allow_private_network: true`` (``GIAMSAT_PRIVATE_HOSTS``) and a run with
``GIAMSAT_ALLOW_PRIVATE_NETWORK=1`` are not checked. IP literals never reach a resolver; the
middleware checks those.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

from giamsat.crawlers.fetchpolicy import Blocked, check_address


class BlockedAddress(DNSLookupError):
    """The name resolved to an address the fetch policy refuses."""


class PolicyRefused(IgnoreRequest):
    """A request ``FetchPolicyMiddleware`` refused (``str()`` is the Vietnamese reason). Kept here,
    not beside the middleware, because spiders import it before Scrapy installs its reactor."""


class PolicyResolver(CachingThreadedResolver):
    def __init__(
        self, reactor: Any, cache_size: int, timeout: float, allow_all: bool, hosts: set[str]
    ) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.allow_all, self.private_hosts = allow_all, hosts

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PolicyResolver:
        s = crawler.settings
        return cls(
            reactor,
            s.getint("DNSCACHE_SIZE") if s.getbool("DNSCACHE_ENABLED") else 0,
            s.getfloat("DNS_TIMEOUT"),
            s.getbool("GIAMSAT_ALLOW_PRIVATE_NETWORK"),
            {h.lower() for h in s.getlist("GIAMSAT_PRIVATE_HOSTS")},
        )

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:  # Twisted names it so
        d = super().getHostByName(name, timeout)
        if self.allow_all or name.lower() in self.private_hosts:
            return d

        def check(address: str) -> str:
            try:
                check_address(address, allow_private=False)
            except Blocked as exc:
                raise BlockedAddress(f"{name}: {exc}") from None
            return address

        return d.addCallback(check)
