"""Secrets out of log lines: tokens in URLs, credentials in ``user:password@`` and auth headers.

Tokens go in request headers (Facebook Graph, YouTube, webhooks), never in URLs; this is the net
under that rule, for what a library logs on its own (Scrapy's retry and error lines print the
request URL, a traceback prints an exception that holds one). It works on every log record of
the process, whatever handler prints it: ``install()`` wraps the record factory, which renders
the message (and a traceback) once, redacted, before any handler sees it.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

REDACTED = "***"
# query or fragment parameters that carry credentials
_PARAM = re.compile(
    r"(?i)([?&#;](?:access_token|refresh_token|id_token|token|auth|key|api_key|apikey|client_secret|"
    r"secret|password|passwd|pwd|signature|sig|x-goog-api-key|code|session|sessionid)=)[^&#\s'\"<>]+"
)
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@")
_AUTH = re.compile(
    r"(?i)\b(authorization|x-goog-api-key)(['\"]?\s*[:=]\s*['\"]?)(?:(bearer|basic|oauth|token)\s+)?[^\s'\",}\]]+"
)


def redact(text: str) -> str:
    """``text`` with URL credentials, ``user:pass@`` and auth header values replaced by ``***``."""
    if not text or ("=" not in text and "@" not in text and ":" not in text):
        return text
    text = _PARAM.sub(lambda m: m.group(1) + REDACTED, text)
    text = _USERINFO.sub(lambda m: m.group(1) + REDACTED + "@", text)
    return _AUTH.sub(
        lambda m: m.group(1) + m.group(2) + (f"{m.group(3)} " if m.group(3) else "") + REDACTED, text
    )


_installed = False


def install() -> None:
    """Redact every log record created in this process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler's own error report
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        return record

    logging.setLogRecordFactory(factory)
