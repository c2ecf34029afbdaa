"""Elasticsearch resources for ``storage.elasticsearch``: index templates, analysis settings and the
ILM policy as JSON files (reviewable, diffable), plus pure functions that turn them into request
bodies for one index prefix. Nothing here talks to a server, so all of it is unit-tested.

Index layout for prefix ``p`` (``GIAMSAT_ES_PREFIX``, default ``giamsat``):

* ``p-items-YYYY.MM`` behind the alias ``p-items`` (month of ``ts`` in UTC), ILM policy ``p-items``
  (which ages an index from its creation, i.e. when it was first written, never from its month);
* ``p-item-revisions``, ``p-raw``, ``p-events``, ``p-sequences``;
* ``p-docs-<collection>``: one index per document collection (tickets, alerts, claims...).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

from giamsat.core.resources import package_path

HERE = package_path("storage", "es")
DEFAULT_PREFIX = "giamsat"
# Elasticsearch refuses a search whose from + size exceeds ``index.max_result_window`` (10,000
# unless an operator raised it): the store never asks for more in one request.
DEFAULT_RESULT_WINDOW = 10_000
TEMPLATE_KINDS = ("items", "item-revisions", "raw", "docs", "events", "sequences")
_PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,80}$")
_COLLECTION_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,100}$")


@cache
def _load(name: str) -> dict[str, Any]:
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def load_json(name: str) -> dict[str, Any]:
    """A fresh copy of one JSON resource (callers may mutate it)."""
    return copy.deepcopy(_load(name))


def check_prefix(prefix: str) -> str:
    """Index names must be lower-case and may not start with ``_``, ``-`` or ``+``."""
    if not _PREFIX_RE.match(prefix or ""):
        raise ValueError(
            f"invalid index prefix '{prefix}': use lower-case letters, digits, '-' or '_' (GIAMSAT_ES_PREFIX)"
        )
    return prefix


def items_alias(prefix: str) -> str:
    return f"{prefix}-items"


def items_index(prefix: str, ts: datetime) -> str:
    """The monthly index an item lives in, from its ``ts`` (UTC month)."""
    ts = ts if ts.tzinfo else ts.replace(tzinfo=UTC)
    return f"{prefix}-items-{ts.astimezone(UTC):%Y.%m}"


def revisions_index(prefix: str) -> str:
    return f"{prefix}-item-revisions"


def raw_index(prefix: str) -> str:
    return f"{prefix}-raw"


def events_index(prefix: str) -> str:
    return f"{prefix}-events"


def sequences_index(prefix: str) -> str:
    return f"{prefix}-sequences"


def docs_index(prefix: str, collection: str) -> str:
    name = (collection or "").lower()
    if not _COLLECTION_RE.match(name):
        raise ValueError(f"invalid collection name '{collection}': lower-case letters, digits, '-' or '_'")
    return f"{prefix}-docs-{name}"


def index_patterns(kind: str, prefix: str) -> list[str]:
    return {
        "items": [f"{prefix}-items-*"],
        "item-revisions": [revisions_index(prefix)],
        "raw": [raw_index(prefix)],
        "docs": [f"{prefix}-docs-*"],
        "events": [events_index(prefix)],
        "sequences": [sequences_index(prefix)],
    }[kind]


def _substitute(value: Any, prefix: str) -> Any:
    """Replace ``{prefix}`` in keys and string values (the alias and ILM names carry the prefix)."""
    if isinstance(value, dict):
        return {_substitute(k, prefix): _substitute(v, prefix) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, prefix) for v in value]
    if isinstance(value, str):
        return value.replace("{prefix}", prefix)
    return value


def analysis_settings() -> dict[str, Any]:
    return load_json("analysis.json")["analysis"]


def index_template(
    kind: str, prefix: str = DEFAULT_PREFIX, result_window: int = DEFAULT_RESULT_WINDOW
) -> dict[str, Any]:
    """The body of ``PUT _index_template/<prefix>-<kind>``. ``_meta.version`` is a digest of the
    body itself: the store rewrites a template only when the digest on the cluster differs.

    A ``result_window`` below Elasticsearch's default is written as ``index.max_result_window``
    so that the *server* refuses any request the store should never have sent (tests and
    ``make es-check`` use a small window to prove paging on a few dozen records)."""
    if kind not in TEMPLATE_KINDS:
        raise ValueError(f"unknown template kind '{kind}' (one of {', '.join(TEMPLATE_KINDS)})")
    check_prefix(prefix)
    raw = load_json(f"template-{kind}.json")
    comment = raw.pop("_comment", "")
    body = _substitute(raw, prefix)
    body["index_patterns"] = index_patterns(kind, prefix)
    settings = body["template"].setdefault("settings", {})
    settings["analysis"] = analysis_settings()
    if result_window < DEFAULT_RESULT_WINDOW:
        settings["index.max_result_window"] = result_window
    body["_meta"] = {"managed_by": "giamsat", "prefix": prefix, "description": _substitute(comment, prefix)}
    body["_meta"]["version"] = digest(body)
    return body


def digest(body: dict[str, Any]) -> str:
    """A short stable digest of a request body (its ``_meta.version`` left out)."""
    clean = copy.deepcopy(body)
    meta = clean.get("_meta") or clean.get("policy", {}).get("_meta") or {}
    meta.pop("version", None)
    text = json.dumps(clean, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def stored_version(body: dict[str, Any] | None) -> str | None:
    """``_meta.version`` of a template or ILM policy as returned by the cluster (None if absent)."""
    if not body:
        return None
    meta = body.get("_meta") or body.get("policy", {}).get("_meta") or {}
    return meta.get("version")


def template_prefix(name: str, body: dict[str, Any]) -> str | None:
    """The index prefix of a giamsat-managed template on the cluster, or None if not ours.
    Templates written before ``_meta.prefix`` existed are recognised by their name."""
    meta = body.get("_meta") or {}
    if meta.get("managed_by") != "giamsat":
        return None
    if meta.get("prefix"):
        return str(meta["prefix"])
    for kind in TEMPLATE_KINDS:
        if name.endswith(f"-{kind}"):
            return name[: -len(kind) - 1]
    return None


def patterns_overlap(a: str, b: str) -> bool:
    """Whether two index patterns of the forms ``name`` or ``name*`` can match one index."""
    a_wild, b_wild = a.endswith("*"), b.endswith("*")
    a_lit, b_lit = a.rstrip("*"), b.rstrip("*")
    if a_wild and b_wild:
        return a_lit.startswith(b_lit) or b_lit.startswith(a_lit)
    if a_wild:
        return b_lit.startswith(a_lit)
    if b_wild:
        return a_lit.startswith(b_lit)
    return a_lit == b_lit


def all_patterns(prefix: str) -> list[str]:
    return [p for kind in TEMPLATE_KINDS for p in index_patterns(kind, prefix)]


def overlapping_prefixes(prefix: str, others: set[str]) -> list[str]:
    """The other prefixes whose indices one of ``prefix``'s patterns would also match (or the
    reverse): their templates would collide and each would read the other's records."""
    mine = all_patterns(prefix)
    return sorted(
        other
        for other in others
        if other != prefix and any(patterns_overlap(a, b) for a in mine for b in all_patterns(other))
    )


def template_name(kind: str, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}-{kind}"


def ilm_policy() -> dict[str, Any]:
    """The body of ``PUT _ilm/policy/<prefix>-items`` (``policy._meta.version``: its digest)."""
    raw = load_json("ilm-items.json")
    raw.pop("_comment", None)
    raw["policy"]["_meta"]["version"] = digest(raw)
    return raw


def ilm_policy_name(prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}-items"
