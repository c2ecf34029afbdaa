"""Shared helpers of the platform API spiders (YouTube Data API v3, Facebook Graph API)."""

from __future__ import annotations

import json
import os
from typing import Any

from scrapy.http import Response


def token(env_name: str) -> str | None:
    """Tokens come from the environment only (never from the profile file)."""
    value = os.environ.get(env_name, "").strip()
    return value or None


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
