"""The active profile and store for one CLI invocation (or one dashboard process).

Chosen by ``--profile NAME|PATH`` / ``GIAMSAT_PROFILE`` and ``--store URI`` / ``GIAMSAT_STORE``;
both are opened lazily so ``giamsat --help`` never touches a database.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import cached_property

from giamsat.core.errors import PermissionDenied
from giamsat.core.profile import Profile, User, load_profile
from giamsat.core.settings import Settings
from giamsat.storage import Store, open_store


@dataclass
class AppContext:
    settings: Settings
    _store: Store | None = field(default=None, repr=False)

    @cached_property
    def profile(self) -> Profile:
        return load_profile(self.settings.profile)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.store_uri)
        return self._store

    def user(self, username: str) -> User:
        """The acting user (``--as USER``): must exist in the profile. The worker's own identity
        (``he-thong``) is not a user: nobody can act as it from the command line."""
        user = self.profile.user(username)
        if user is None:
            raise PermissionDenied(
                f"không có người dùng '{username}' trong hồ sơ {self.profile.province.code}"
            )
        return user

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


_CONTEXT: AppContext | None = None


def set_context(store: str | None = None, profile: str | None = None) -> AppContext:
    global _CONTEXT
    settings = Settings.from_env(store=store, profile=profile)
    # Child processes (crawler, dashboard) inherit the choice through the environment.
    os.environ["GIAMSAT_STORE"] = settings.store_uri
    os.environ["GIAMSAT_PROFILE"] = settings.profile
    _CONTEXT = AppContext(settings)
    logging.getLogger("giamsat").debug("context: %s", settings)
    return _CONTEXT


def get_context() -> AppContext:
    return _CONTEXT or set_context()
