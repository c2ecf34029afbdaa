"""A real HTTP proxy on 127.0.0.1 in front of an Elasticsearch(-compatible) server that can make
bulk writes fail per document, the way a cluster under trouble answers (HTTP 200 with
``"errors": true`` and a 500 per item). Everything else is forwarded unchanged, so the client,
``elasticsearch.helpers`` and the retry queue run exactly as in production."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.error
import urllib.request
from typing import Any


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.fail_bulk = False
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if (
                    proxy.fail_bulk
                    and self.command in ("POST", "PUT")
                    and self.path.split("?")[0].endswith("/_bulk")
                ):
                    return self._reply(200, {"Content-Type": "application/json",
                                             "X-Elastic-Product": "Elasticsearch"}, failed_bulk(body))  # fmt: skip
                req = urllib.request.Request(
                    proxy.upstream + self.path, data=body or None, method=self.command
                )
                for k, v in self.headers.items():
                    if k.lower() not in ("host", "content-length", "connection"):
                        req.add_header(k, v)
                try:
                    with urllib.request.urlopen(req, timeout=30) as resp:
                        self._reply(resp.status, dict(resp.headers.items()), resp.read())
                except urllib.error.HTTPError as exc:
                    self._reply(exc.code, dict(exc.headers.items()), exc.read())

            def _reply(self, status: int, headers: dict[str, str], data: bytes) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def failed_bulk(body: bytes) -> bytes:
    """A bulk response failing every action of ``body`` (NDJSON) with a 500, as a cluster does."""
    items: list[dict[str, Any]] = []
    lines = [json.loads(line) for line in body.decode("utf-8").splitlines() if line.strip()]
    i = 0
    while i < len(lines):
        ((op, meta),) = lines[i].items()
        i += 1 if op == "delete" else 2
        items.append({op: {"_index": meta.get("_index"), "_id": meta.get("_id"), "status": 500,
                           "error": {"type": "unavailable_shards_exception", "reason": "test outage"}}})  # fmt: skip
    return json.dumps({"took": 1, "errors": True, "items": items}).encode("utf-8")
