"""Elasticsearch resources for ``storage.elasticsearch``: index templates, analysis settings and the
ILM policy as JSON files (reviewable, diffable), plus pure functions that turn them into request
bodies for one index prefix. Nothing here talks to a server, so all of it is unit-tested.

Index layout for prefix ``p`` (``GIAMSAT_ES_PREFIX``, default ``giamsat``):

* ``p-items-YYYY.MM`` behind the alias ``p-items`` (month of ``ts`` in UTC), ILM policy ``p-items``;
* ``p-item-revisions``, ``p-raw``, ``p-events``, ``p-sequences``;
* ``p-docs-<collection>``: one index per document collection (tickets, alerts, claims...).
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

from giamsat.core.resources import package_path

HERE = package_path("storage", "es")
DEFAULT_PREFIX = "giamsat"
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


def index_settings_for(index: str, prefix: str) -> dict[str, Any]:
    """Extra settings when creating ``index`` explicitly. A monthly item index gets its month as
    ILM origination date, so an imported 2023 month ages as 2023, not from the day of import."""
    m = re.fullmatch(re.escape(prefix) + r"-items-(\d{4})\.(\d{2})", index)
    if not m:
        return {}
    start = datetime(int(m.group(1)), int(m.group(2)), 1, tzinfo=UTC)
    return {"index.lifecycle.origination_date": int(start.timestamp() * 1000)}


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


def index_template(kind: str, prefix: str = DEFAULT_PREFIX) -> dict[str, Any]:
    """The body of ``PUT _index_template/<prefix>-<kind>``."""
    if kind not in TEMPLATE_KINDS:
        raise ValueError(f"unknown template kind '{kind}' (one of {', '.join(TEMPLATE_KINDS)})")
    check_prefix(prefix)
    raw = load_json(f"template-{kind}.json")
    comment = raw.pop("_comment", "")
    body = _substitute(raw, prefix)
    body["index_patterns"] = index_patterns(kind, prefix)
    body["template"].setdefault("settings", {})["analysis"] = analysis_settings()
    body["_meta"] = {"managed_by": "giamsat", "description": _substitute(comment, prefix)}
    return body


def template_name(kind: str, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}-{kind}"


def ilm_policy() -> dict[str, Any]:
    """The body of ``PUT _ilm/policy/<prefix>-items``."""
    raw = load_json("ilm-items.json")
    raw.pop("_comment", None)
    return raw


def ilm_policy_name(prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}-items"
