"""The fetch policy: what giamsat may contact, checked for every request and every redirect hop.

Links come from strangers (a feed entry, a page's links, a redirect, a tip pasted by staff), so
what they point at is decided here, once, for every way giamsat fetches:

* **http and https only.** ``file://``, ``ftp://``, ``gopher://``, ``data:`` and the rest are
  refused, on the first request and on every redirect hop. Only a ``social-import`` source reads
  files, from the folder its profile entry names (``crawlers.social.importer``), never a URL.
* **No private addresses.** The host is resolved and *every* address it resolves to must be a
  public one: loopback, private (RFC 1918), link-local (cloud metadata at 169.254.169.254),
  shared (100.64/10), multicast, reserved and unspecified addresses are refused, IPv4-mapped IPv6
  forms included. The connection then goes to the address that was checked (no second lookup a
  DNS answer could change in between). A source may reach its own network with
  ``allow_private_network: true`` in the profile; a whole run with
  ``GIAMSAT_ALLOW_PRIVATE_NETWORK=1`` (the demo and the tests, whose servers are on 127.0.0.1).
* **Caps that hold while streaming.** A body is read in chunks against a size cap and one
  wall-clock deadline for the whole exchange (a server that trickles a byte a second cannot hold
  a fetch past its time-out).

Where it applies: the Scrapy spiders (``FetchPolicyMiddleware`` for each request and redirect,
``PolicyResolver`` for the address each connection really uses, the non-http download handlers
switched off in ``crawlers.scrapy_settings``), tips (``crawlers.tips``, through ``fetch``) and
webhooks (``triage.notify``, through ``fetch`` without redirects).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import urljoin, urlsplit

from giamsat.core.settings import Settings

ALLOWED_SCHEMES = ("http", "https")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
CHUNK = 64 * 1024


class FetchError(OSError):
    """A fetch that did not happen or did not finish; ``str()`` is the reason, in Vietnamese."""


class Blocked(FetchError):
    """The fetch policy refuses this URL or address."""


class TooLarge(FetchError):
    pass


class FetchTimeout(FetchError):
    pass


class RedirectRefused(FetchError):
    """A redirect where none may be followed (webhooks), or too many of them."""


def run_allows_private() -> bool:
    """``GIAMSAT_ALLOW_PRIVATE_NETWORK`` for this process (read each time: tests change it)."""
    return Settings.from_env().allow_private_network


def is_public_address(ip: str) -> bool:
    """A global unicast address (what a public web site has)."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


def check_address(ip: str, allow_private: bool) -> None:
    if allow_private:
        return
    try:
        public = is_public_address(ip)
    except ValueError:
        raise Blocked(f"địa chỉ không hợp lệ: {ip}") from None
    if not public:
        raise Blocked(
            f"địa chỉ mạng nội bộ/đặc biệt {ip} bị chặn (cho phép bằng allow_private_network: true "
            "của nguồn hoặc GIAMSAT_ALLOW_PRIVATE_NETWORK=1)"
        )


def check_scheme(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; ``Blocked`` for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Blocked(f"đường dẫn không hợp lệ: {url[:200]}") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise Blocked(f"giao thức không được phép: {scheme or '(không có)'}:// (chỉ http và https)")
    host = parts.hostname
    if not host:
        raise Blocked(f"đường dẫn không có tên máy: {url[:200]}")
    return scheme, host, port or (443 if scheme == "https" else 80)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def resolve_checked(host: str, port: int, allow_private: bool) -> list[tuple[Any, ...]]:
    """``getaddrinfo`` answers for ``host``, every one of them checked; ``Blocked`` if any is
    private (a name that also points inside is not a public site), ``FetchError`` if none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"không phân giải được tên miền {host}: {exc}") from None
    if not infos:
        raise FetchError(f"không phân giải được tên miền {host}")
    for info in infos:
        check_address(str(info[4][0]), allow_private)
    return infos


def check_url(url: str, allow_private: bool = False, resolve: bool = True) -> None:
    """Raise ``Blocked`` unless ``url`` may be fetched (scheme, and every address of its host).
    A name that does not resolve is not blocked here: the fetch itself reports it."""
    _scheme, host, port = check_scheme(url)
    if allow_private:
        return
    if _is_ip_literal(host):
        check_address(host, allow_private)
    elif resolve:
        try:
            resolve_checked(host, port, allow_private)
        except Blocked:
            raise
        except FetchError:
            return


@dataclass
class Fetched:
    url: str  # the final URL, after redirects
    status: int
    reason: str
    headers: Message
    body: bytes
    redirects: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def _pinned(infos: list[tuple[Any, ...]]) -> Any:
    """A ``create_connection`` for http.client that connects to the checked addresses only."""

    def connect(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
        last: OSError | None = None
        for family, socktype, proto, _name, sockaddr in infos:
            sock = socket.socket(family, socktype, proto)
            try:
                if timeout is not None:
                    sock.settimeout(timeout)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                last = exc
                sock.close()
        raise last or FetchError(f"không kết nối được tới {address[0]}")

    return connect


def _remaining(deadline: float, timeout: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchTimeout(f"quá thời gian chờ ({timeout:g} giây)")
    return left


def fetch(
    url: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    allow_private: bool | None = None,
    timeout: float = 30.0,
    max_bytes: int = 5_000_000,
    max_redirects: int = 5,
) -> Fetched:
    """One HTTP exchange under the policy, following at most ``max_redirects`` redirects, each
    hop checked again (``max_redirects=0``: a redirect is ``RedirectRefused``, as webhooks need).
    ``timeout`` bounds the whole exchange, ``max_bytes`` the body, both while reading. A non-2xx
    answer is returned (``Fetched.status``), not raised."""
    allow = run_allows_private() if allow_private is None else allow_private
    deadline = time.monotonic() + timeout
    hops: list[str] = []
    headers = dict(headers or {})
    while True:
        scheme, host, port = check_scheme(url)
        infos = resolve_checked(host, port, allow)  # an IP literal "resolves" to itself, checked too
        left = _remaining(deadline, timeout)
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=left, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=left)
        conn._create_connection = _pinned(infos)  # type: ignore[attr-defined]
        try:
            parts = urlsplit(url)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            try:
                conn.request(method, path, body=data, headers=headers)
                resp = conn.getresponse()
            except TimeoutError:
                raise FetchTimeout(f"quá thời gian chờ ({timeout:g} giây)") from None
            if resp.status in REDIRECT_STATUSES and resp.getheader("Location"):
                target = urljoin(url, resp.getheader("Location", ""))
                if max_redirects <= len(hops):
                    raise RedirectRefused(
                        f"HTTP {resp.status}: chuyển hướng tới {target[:200]} - không theo"
                        if max_redirects == 0
                        else f"quá nhiều lần chuyển hướng ({len(hops)})"
                    )
                hops.append(url)
                if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
                    method, data = "GET", None
                    headers.pop("Content-Type", None)
                if urlsplit(target).netloc != parts.netloc:
                    headers.pop("Authorization", None)  # a credential never follows to another origin
                url = target
                continue
            body = _read_capped(resp, conn, deadline, timeout, max_bytes)
            return Fetched(url, resp.status, resp.reason, resp.msg, body, hops)
        finally:
            conn.close()


def _read_capped(
    resp: http.client.HTTPResponse,
    conn: http.client.HTTPConnection,
    deadline: float,
    timeout: float,
    cap: int,
) -> bytes:
    length = resp.getheader("Content-Length")
    if length and length.isdigit() and int(length) > cap:
        raise TooLarge(f"trang vượt giới hạn {cap} byte")
    chunks: list[bytes] = []
    size = 0
    while True:
        left = _remaining(deadline, timeout)
        if conn.sock is not None:
            conn.sock.settimeout(left)
        try:
            chunk = resp.read1(CHUNK) if hasattr(resp, "read1") else resp.read(CHUNK)
        except TimeoutError:
            raise FetchTimeout(f"quá thời gian chờ ({timeout:g} giây)") from None
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > cap:
            raise TooLarge(f"trang vượt giới hạn {cap} byte")
        chunks.append(chunk)
