"""giamsat - media monitoring and misinformation triage for a Vietnamese province.

This package is the small app layer: settings, profile loading, CLI and pipeline wiring. The
stages live in the top-level packages ``crawlers``, ``nlp``, ``triage``, ``dashboard`` and
``storage``.
"""

__version__ = "0.1.0"

# Every process of giamsat (CLI, crawler child, worker, dashboard) imports this package first:
# log lines are redacted from the first one on (tokens in URLs, credentials), see core/redact.py.
from giamsat.core import redact as _redact

_redact.install()
