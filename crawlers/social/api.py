"""Shared helpers of the platform API spiders (YouTube Data API v3, Facebook Graph API)."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from scrapy.http import Response

# query parameters that carry credentials: never sent in a URL (headers carry them)
SECRET_PARAMS = frozenset({"access_token", "key", "api_key", "token", "client_secret"})


def token(env_name: str) -> str | None:
    """Tokens come from the environment only (never from the profile file)."""
    value = os.environ.get(env_name, "").strip()
    return value or None


def without_params(url: str, names: frozenset[str] | set[str]) -> str:
    """``url`` without the query parameters ``names`` (an API's paging link may carry the token)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in names]
    return parts._replace(query=urlencode(kept)).geturl()


def json_body(response: Response) -> dict[str, Any] | None:
    try:
        data = json.loads(response.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def count(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
