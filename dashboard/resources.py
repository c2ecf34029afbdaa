"""The profile, store and triage service of this dashboard process, opened once and shared.

``giamsat dashboard`` passes the choice through ``GIAMSAT_PROFILE`` and ``GIAMSAT_STORE``;
``st.cache_resource`` keys on them, so every browser session shares one store object (the
SQLite backend keeps one connection per thread itself).
"""

from __future__ import annotations

import streamlit as st

from giamsat.core.profile import Profile, load_profile
from giamsat.core.settings import Settings
from giamsat.storage import Store, open_store
from giamsat.triage.service import Triage


def profile_name() -> str:
    return Settings.from_env().profile


def store_uri() -> str:
    return Settings.from_env().store_uri


@st.cache_resource(show_spinner=False)
def _profile(name: str) -> Profile:
    return load_profile(name)


@st.cache_resource(show_spinner=False)
def _store(uri: str) -> Store:
    return open_store(uri)


@st.cache_resource(show_spinner=False)
def _triage(name: str, uri: str) -> Triage:
    return Triage(_profile(name), _store(uri))


def get_profile() -> Profile:
    return _profile(profile_name())


def get_store() -> Store:
    return _store(store_uri())


def get_triage() -> Triage:
    return _triage(profile_name(), store_uri())
