"""Record every request an ``ElasticsearchStore``'s client sends (method, path, query parameters,
body) while still sending it: how the tests prove what the store asks the server for."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorder:
    """Every request the client sends: (method, path, query parameters, body)."""

    calls: list[tuple[str, str, dict[str, list[str]], Any]] = field(default_factory=list)

    def searches(self) -> list[tuple[str, dict[str, list[str]], dict[str, Any]]]:
        out = []
        for _method, path, params, body in self.calls:
            if path.endswith("/_search") or path == "/_search" or path.startswith("/_search/scroll"):
                out.append((path, params, body if isinstance(body, dict) else {}))
        return out

    def too_wide(self, window: int) -> list[tuple[str, int]]:
        bad = []
        for path, params, body in self.searches():
            if path.startswith("/_search/scroll"):
                continue  # a scroll continuation has no size: the first request set it
            size = int(params.get("size", [body.get("size", 10)])[0])
            start = int(params.get("from", [body.get("from", 0)])[0])
            if start + size > window:
                bad.append((path, start + size))
        return bad


def record(store: Any) -> Recorder:
    """Instrument the client's transport (shared by every ``options()`` copy); requests still go
    to the server."""
    rec = Recorder()
    transport = store.es.transport
    send = transport.perform_request

    def perform_request(method: str, target: str, *args: Any, **kw: Any) -> Any:
        parts = urlsplit(target)
        body = kw.get("body")
        if isinstance(body, (bytes, str)):
            try:
                body = json.loads(body)
            except ValueError:
                body = None
        rec.calls.append((method, parts.path, parse_qs(parts.query), body))
        return send(method, target, *args, **kw)

    transport.perform_request = perform_request  # type: ignore[method-assign]
    return rec
