"""Log-in for the dashboard (and the CLI's ``giamsat users passwd``).

Who exists and with which role comes from the profile (``profile.users``); the secret part lives
in the store, collection ``users`` (doc id = username): ``password_hash`` (argon2id),
``failed_attempts``, ``locked_until``. Keeping hashes out of the YAML lets a province publish its
profile and lets an admin reset a password without editing config.

Every refusal is a ``PermissionDenied`` with a Vietnamese message. An unknown user gets exactly
the wrong-password message (and the same hashing cost), so the form does not reveal who exists.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from giamsat.core.errors import ConfigError, PermissionDenied, StaleEdit
from giamsat.core.model import Event, parse_dt, utcnow
from giamsat.core.profile import Profile, User
from giamsat.core.settings import Settings
from giamsat.storage.base import Store

log = logging.getLogger("giamsat.dashboard.auth")

COLLECTION = "users"
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
DEFAULT_SESSION_MINUTES = 30

WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."

_hasher = PasswordHasher()
# Verified against when the user is unknown, so that path costs the same as a real check.
_DUMMY_HASH = _hasher.hash("giamsat-dummy-password")


def session_timeout_minutes() -> int:
    """Idle minutes before a dashboard session ends (``GIAMSAT_SESSION_MINUTES``, default 30)."""
    try:
        value = Settings.from_env().session_minutes
    except ConfigError:
        return DEFAULT_SESSION_MINUTES
    return value if value > 0 else DEFAULT_SESSION_MINUTES


def session_expired(last_active: datetime | None, now: datetime, minutes: int | None = None) -> bool:
    if last_active is None:
        return True
    return now - last_active > timedelta(minutes=minutes or session_timeout_minutes())


def hash_password(password: str) -> str:
    """An argon2id hash (what ``giamsat users hash`` prints for a profile's ``password_hash``)."""
    _check_strength(password)
    return _hasher.hash(password)


def _check_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")


def set_password(store: Store, username: str, password: str, actor: str = "admin") -> None:
    """Set (or reset) a password; also clears failed attempts and any lock."""
    doc = store.get_doc(COLLECTION, username) or {"id": username}
    doc.update(
        password_hash=hash_password(password),
        failed_attempts=0,
        locked_until=None,
        password_changed=utcnow().isoformat(),
    )
    store.put_doc(COLLECTION, doc)
    store.append_event(Event(entity="user", entity_id=username, action="dat-mat-khau", actor=actor))


def unlock(store: Store, username: str, actor: str = "admin") -> None:
    doc = store.get_doc(COLLECTION, username)
    if not doc:
        return
    doc.update(failed_attempts=0, locked_until=None)
    store.put_doc(COLLECTION, doc)
    store.append_event(Event(entity="user", entity_id=username, action="mo-khoa", actor=actor))


def account_status(store: Store, username: str, now: datetime | None = None) -> dict[str, object]:
    """What the admin page shows: has a password, failed attempts, locked until."""
    now = now or utcnow()
    doc = store.get_doc(COLLECTION, username) or {}
    locked_until = parse_dt(doc.get("locked_until"))
    return {
        "has_password": bool(doc.get("password_hash")),
        "failed_attempts": int(doc.get("failed_attempts") or 0),
        "locked_until": locked_until if locked_until and locked_until > now else None,
        "last_login": parse_dt(doc.get("last_login")),
    }


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def verify_login(
    profile: Profile, store: Store, username: str, password: str, now: datetime | None = None
) -> User:
    """Return the profile user when the password is right; else ``PermissionDenied``.

    After ``MAX_FAILURES`` wrong passwords in a row the account is locked ``LOCK_MINUTES``.
    """
    now = now or utcnow()
    username = (username or "").strip()
    user = profile.user(username) if username else None
    if user is None:
        _safe_verify(_DUMMY_HASH, password)
        raise PermissionDenied(WRONG_CREDENTIALS)
    for _attempt in range(3):  # retry on a concurrent log-in attempt changing the counter
        doc = store.get_doc(COLLECTION, username) or {"id": username}
        version = int(doc.get("version") or 0)
        locked_until = parse_dt(doc.get("locked_until"))
        if locked_until and locked_until > now:
            raise PermissionDenied(
                f"Tài khoản đang tạm khóa do nhập sai mật khẩu {MAX_FAILURES} lần; "
                f"thử lại sau {_minutes_left(locked_until, now)} phút."
            )
        stored_hash = doc.get("password_hash") or user.password_hash
        ok = _safe_verify(stored_hash or _DUMMY_HASH, password) and bool(stored_hash)
        try:
            if ok:
                _record_success(store, doc, version, stored_hash or "", password, now)
                return user
            failures = int(doc.get("failed_attempts") or 0) + 1
            if failures >= MAX_FAILURES:
                doc.update(
                    failed_attempts=0, locked_until=(now + timedelta(minutes=LOCK_MINUTES)).isoformat()
                )
                store.put_doc(COLLECTION, doc, expected_version=version)
                log.warning("account %s locked after %d failed log-ins", username, MAX_FAILURES)
                raise PermissionDenied(
                    f"Nhập sai mật khẩu {MAX_FAILURES} lần liên tiếp: tài khoản bị tạm khóa {LOCK_MINUTES} phút."
                )
            doc.update(failed_attempts=failures, locked_until=None)
            store.put_doc(COLLECTION, doc, expected_version=version)
            raise PermissionDenied(WRONG_CREDENTIALS)
        except StaleEdit:
            continue
    raise PermissionDenied(WRONG_CREDENTIALS)


def _record_success(
    store: Store, doc: dict, version: int, stored_hash: str, password: str, now: datetime
) -> None:
    doc.update(failed_attempts=0, locked_until=None, last_login=now.isoformat())
    try:
        if _hasher.check_needs_rehash(stored_hash):  # parameters were raised since it was set
            doc["password_hash"] = _hasher.hash(password)
    except InvalidHashError:
        pass
    store.put_doc(COLLECTION, doc, expected_version=version)


def _safe_verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
