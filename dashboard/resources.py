"""The profile, store and triage service of this dashboard process, opened once and shared.

``giamsat dashboard`` passes the choice through ``GIAMSAT_PROFILE`` and ``GIAMSAT_STORE``;
``st.cache_resource`` keys on them, so every browser session shares one store object (the
SQLite backend keeps one connection per thread itself).
"""

from __future__ import annotations

import os

import streamlit as st

from giamsat.profile import Profile, load_profile
from giamsat.settings import default_store_uri
from storage import Store, open_store
from triage.service import Triage


def profile_name() -> str:
    return os.environ.get("GIAMSAT_PROFILE") or "khanh-hoa"


def store_uri() -> str:
    return os.environ.get("GIAMSAT_STORE") or default_store_uri()


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
