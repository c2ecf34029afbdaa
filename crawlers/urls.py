"""URL identity: one canonical form per article so re-crawls and reposts never duplicate it."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from courlan import normalize_url

# courlan (non-strict: strict mode also drops unknown parameters such as ?nid=, merging distinct
# articles) normalises; we strip the tracking parameters ourselves, Vietnamese-press ones included.
_TRACKING_NAMES = {"zarsrc", "zarsrc_id", "gidzl", "fbclid", "gclid", "ref", "refresh", "cmpid", "_ga"}
_TRACKING_PREFIXES = ("utm_", "itm_")


def canonicalize(url: str, base: str | None = None) -> str:
    """Absolute, normalised URL without fragment and tracking parameters (courlan + our list)."""
    if base:
        url = urljoin(base, url.strip())
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return url
    try:
        out = normalize_url(url, strict=False, trailing_slash=True)
    except (ValueError, AttributeError):
        return url.split("#", 1)[0]
    parts = urlsplit(out)._replace(fragment="")
    out = parts.geturl()
    if parts.query:
        kept = [p for p in parts.query.split("&") if not _is_tracking(p.split("=", 1)[0].lower())]
        out = parts._replace(query="&".join(kept)).geturl()
    return out


def is_web_url(url: str) -> bool:
    """An http(s) URL with a host: the only links a feed or page may lead the crawler to
    (``crawlers.fetchpolicy`` refuses the rest at request time too)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def same_domain(a: str, b: str) -> bool:
    """Same registered domain (``m.tuoitre.vn`` and ``tuoitre.vn``; ``x.gov.vn`` is not ``y.gov.vn``);
    hosts without one (IP addresses) must be equal."""
    from courlan import extract_domain

    da, db = extract_domain(a), extract_domain(b)
    if da and db:
        return da.lower() == db.lower()
    return urlsplit(a).netloc.lower() == urlsplit(b).netloc.lower()


def same_site(a: str, b: str) -> bool:
    return urlsplit(a).netloc.lower().removeprefix("www.") == urlsplit(b).netloc.lower().removeprefix("www.")


def _is_tracking(name: str) -> bool:
    return name in _TRACKING_NAMES or name.startswith(_TRACKING_PREFIXES)
