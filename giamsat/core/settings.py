"""Process-wide settings: every ``GIAMSAT_*`` environment variable, declared once with its help.

Only deployment facts live here (where the store is, which profile, where data sets are, how
long a session lasts); everything province-specific is in the profile. ``docs/configuration.md``
lists the same variables and ``tests/test_docs.py`` keeps the two in sync (after datasette's
``Setting``). Secrets are never settings: a profile names the environment variable that holds
one (``token_env``, ``smtp_password_env``) and the code reads it where it is used.

Values are read from the environment each time ``Settings.from_env()`` is called, so a child
process (crawler, dashboard) started with a changed environment sees the change.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from giamsat.core.errors import ConfigError
from giamsat.core.resources import checkout_root

DEFAULT_PROFILE = "khanh-hoa"


def default_store_uri() -> str:
    """The one default store: a SQLite file in the user's data folder (same for every command)."""
    return f"sqlite://{Path(user_data_dir('giamsat', appauthor=False)) / 'giamsat.db'}"


def default_data_dir() -> Path | None:
    """``../shared/data`` beside a source checkout; an installed wheel has no default."""
    root = checkout_root()
    return (root.parent / "shared" / "data").resolve() if root else None


def _bool(raw: str) -> bool:
    value = raw.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def _doc(env: str, help: str) -> dict[str, str]:
    return {"env": env, "help": help}


@dataclass(frozen=True)
class Settings:
    store_uri: str = field(
        default="",
        metadata=_doc(
            "GIAMSAT_STORE",
            "where data is kept: `sqlite:///path/file.db` (default: giamsat.db in the user's data "
            "folder) or `http(s)://host:9200` (Elasticsearch)",
        ),
    )
    profile: str = field(
        default=DEFAULT_PROFILE,
        metadata=_doc("GIAMSAT_PROFILE", "profile name or path to a YAML file (default `khanh-hoa`)"),
    )
    config_dir: Path | None = field(
        default=None,
        metadata=_doc(
            "GIAMSAT_CONFIG_DIR",
            "a folder with the province's own `profiles/*.yaml`; searched before the shipped profiles",
        ),
    )
    data_dir: Path | None = field(
        default=None,
        metadata=_doc(
            "GIAMSAT_DATA_DIR",
            "public data sets for `train`/`eval` (default: `../shared/data` beside a checkout)",
        ),
    )
    model_dir: Path | None = field(
        default=None,
        metadata=_doc(
            "GIAMSAT_MODEL_DIR", "folder of `models.joblib` written by `giamsat train` (default: shipped)"
        ),
    )
    log_level: str = field(
        default="INFO", metadata=_doc("GIAMSAT_LOG_LEVEL", "log level of the CLI and workers (default INFO)")
    )
    user: str | None = field(
        default=None,
        metadata=_doc(
            "GIAMSAT_USER",
            "who the CLI acts as when `--as` is not given (a username of the profile), e.g. in a "
            "staff member's shell profile",
        ),
    )
    session_minutes: int = field(
        default=30,
        metadata=_doc("GIAMSAT_SESSION_MINUTES", "dashboard session idle timeout in minutes (default 30)"),
    )
    demo_store: str | None = field(
        default=None,
        metadata=_doc(
            "GIAMSAT_DEMO_STORE", "store the demo writes (default: a fresh demo.db in the user's data folder)"
        ),
    )
    es_prefix: str = field(
        default="giamsat",
        metadata=_doc("GIAMSAT_ES_PREFIX", "Elasticsearch index prefix (default `giamsat`)"),
    )
    extract_workers: int | None = field(
        default=None,
        metadata=_doc(
            "GIAMSAT_EXTRACT_WORKERS",
            "processes that extract articles during a crawl (default: one per CPU on a multi-core "
            "machine; `0` extracts inside the crawl process)",
        ),
    )
    allow_private_network: bool = field(
        default=False,
        metadata=_doc(
            "GIAMSAT_ALLOW_PRIVATE_NETWORK",
            "`1` lets every source, tip and webhook of this run reach loopback/private/link-local "
            "addresses (the demo and the tests, whose servers are on 127.0.0.1); default off: only "
            "public addresses, or a source's own `allow_private_network: true` (docs/security.md)",
        ),
    )
    fault: str | None = field(
        default=None,
        metadata=_doc(
            "GIAMSAT_FAULT",
            "tests only: `point[:n]` kills the process with SIGKILL the n-th time it reaches that "
            "point (crash-consistency tests, tests/security/test_kill.py); never set in production",
        ),
    )
    es_spool: Path | None = field(
        default=None,
        metadata=_doc(
            "GIAMSAT_ES_SPOOL", "file where Elasticsearch writes that failed are queued for replay"
        ),
    )
    es_result_window: int = field(
        default=10_000,
        metadata=_doc(
            "GIAMSAT_ES_RESULT_WINDOW",
            "largest `from + size` one Elasticsearch search may ask for (default 10000, the server's "
            "limit); lower it only on a test prefix to prove paging (`make es-check` does)",
        ),
    )
    es_skip_version_check: str = field(
        default="",
        metadata=_doc(
            "GIAMSAT_ES_SKIP_VERSION_CHECK",
            "`1` to connect although the server/client versions are not a supported pair (only for "
            "the test emulator, which reports 8.15 but accepts the 9.x client)",
        ),
    )

    @classmethod
    def from_env(
        cls, store: str | None = None, profile: str | None = None, env: Mapping[str, str] | None = None
    ) -> Settings:
        """Read every variable; explicit ``store``/``profile`` (CLI options) win over the environment.

        A malformed value is a ``ConfigError`` naming the variable, never a silent default.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = (env.get(f.metadata["env"]) or "").strip()
            if not raw:
                continue
            kind = str(f.type)
            try:
                if kind.startswith("bool"):
                    values[f.name] = _bool(raw)
                elif kind.startswith("int"):
                    values[f.name] = int(raw)
                elif kind.startswith("Path"):
                    values[f.name] = Path(raw).expanduser()
                else:
                    values[f.name] = raw
            except ValueError:
                raise ConfigError(
                    "(environment)", f.metadata["env"], f"expected {kind}, got {raw!r}"
                ) from None
        if store:
            values["store_uri"] = store
        if profile:
            values["profile"] = profile
        values.setdefault("store_uri", default_store_uri())
        values.setdefault("data_dir", default_data_dir())
        return cls(**values)

    @classmethod
    def variables(cls) -> list[tuple[str, str]]:
        """``(variable, help)`` for every setting, in declaration order (docs and ``--help``)."""
        return [(f.metadata["env"], f.metadata["help"]) for f in fields(cls)]
