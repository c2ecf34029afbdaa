"""Process-wide settings from the environment (documented in docs/configuration.md).

Only deployment facts live here (where the store is, which profile, where data sets are);
everything province-specific is in the profile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

REPO_ROOT = Path(__file__).resolve().parent.parent


def default_store_uri() -> str:
    return f"sqlite://{Path(user_data_dir('giamsat', appauthor=False)) / 'giamsat.db'}"


@dataclass(frozen=True)
class Settings:
    store_uri: str
    profile: str
    data_dir: Path  # public datasets for training/evaluation (read-only)
    log_level: str

    @classmethod
    def from_env(cls, store: str | None = None, profile: str | None = None) -> Settings:
        return cls(
            store_uri=store or os.environ.get("GIAMSAT_STORE") or default_store_uri(),
            profile=profile or os.environ.get("GIAMSAT_PROFILE") or "khanh-hoa",
            data_dir=Path(os.environ.get("GIAMSAT_DATA_DIR") or REPO_ROOT.parent / "shared" / "data"),
            log_level=os.environ.get("GIAMSAT_LOG_LEVEL", "INFO"),
        )
