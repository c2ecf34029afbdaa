"""Log-in and sessions for the dashboard (and the CLI's ``giamsat users passwd``).

Who exists and with which role comes from the profile (``profile.users``); the secret part lives
in the store, collection ``users`` (doc id = username): ``password_hash`` (argon2id),
``disabled`` (locked by an admin), ``last_login``. Keeping hashes out of the YAML lets a province
publish its profile and lets an admin reset a password without editing config.

Guessing is bounded in the store, before any password is checked:

* every attempt on a name adds one to the store's atomic counter ``login:<name>``
  (``Store.bump_counter``: one step, no read-check-write a parallel caller could slip between)
  and an attempt past ``MAX_FAILURES`` in the ``LOCK_MINUTES`` window is refused unchecked - so
  40 parallel tries still check at most 5 passwords; a success clears the counter;
* failures from one source address are counted too (``login-ip:<address>``, when Streamlit knows
  the address): past ``ADDRESS_MAX_FAILURES`` in the window that address is refused for every
  name. That limit is checked before and counted after the check, so parallel tries may pass it by
  their number; the per-name limit is the exact one;
* unknown names are counted and locked exactly like real ones and cost the same hashing, so
  neither the message nor the time tells who exists; locking is temporary (the window) and an
  admin can lift it;
* a password change, an admin lock or a lock-out ends every open session of that user.

Sessions: ``start_session`` records a session (collection ``sessions``) and returns a token
signed with the store's own random key (``itsdangerous``, expiring after ``SESSION_MAX_HOURS``);
the dashboard keeps it in a cookie so a reload or a link opened in a new tab stays logged in.
A session also ends after ``GIAMSAT_SESSION_MINUTES`` idle minutes and at log-out.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from giamsat.core.errors import ConfigError, PermissionDenied, StaleEdit
from giamsat.core.model import Event, parse_dt, utcnow
from giamsat.core.profile import Profile, User
from giamsat.core.settings import Settings
from giamsat.core.text import fold
from giamsat.storage.base import Store

log = logging.getLogger("giamsat.dashboard.auth")

COLLECTION = "users"
SESSIONS = "sessions"
MAX_FAILURES = 5
ADDRESS_MAX_FAILURES = 20
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
DEFAULT_SESSION_MINUTES = 30
SESSION_MAX_HOURS = 12  # a token older than a working day is refused whatever its use
TOUCH_SECONDS = 60  # idle time is recorded at most once a minute per session
MAX_NAME = 64

WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = (
    f"Đăng nhập bị tạm khóa do nhập sai quá {MAX_FAILURES} lần; thử lại sau {LOCK_MINUTES} phút "
    "hoặc liên hệ quản trị hệ thống."
)
THROTTLED = f"Có quá nhiều lần đăng nhập sai từ máy này; thử lại sau {LOCK_MINUTES} phút."

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


def _name_key(username: str) -> str:
    return "login:" + fold((username or "").strip())[:MAX_NAME]


def set_password(store: Store, username: str, password: str, actor: str = "admin") -> None:
    """Set (or reset) a password; clears the failure count and ends the user's open sessions."""
    doc = store.get_doc(COLLECTION, username) or {"id": username}
    doc.update(password_hash=hash_password(password), password_changed=utcnow().isoformat())
    doc.pop("failed_attempts", None)
    doc.pop("locked_until", None)
    store.put_doc(COLLECTION, doc)
    store.reset_counter(_name_key(username))
    revoke_sessions(store, username)
    store.append_event(Event(entity="user", entity_id=username, action="dat-mat-khau", actor=actor))


def lock(store: Store, username: str, actor: str = "admin") -> None:
    """An admin disables an account until unlocked; its open sessions end now."""
    doc = store.get_doc(COLLECTION, username) or {"id": username}
    doc["disabled"] = True
    store.put_doc(COLLECTION, doc)
    revoke_sessions(store, username)
    store.append_event(Event(entity="user", entity_id=username, action="khoa", actor=actor))


def unlock(store: Store, username: str, actor: str = "admin") -> None:
    doc = store.get_doc(COLLECTION, username)
    if doc and doc.get("disabled"):
        doc["disabled"] = False
        store.put_doc(COLLECTION, doc)
    store.reset_counter(_name_key(username))
    store.append_event(Event(entity="user", entity_id=username, action="mo-khoa", actor=actor))


def account_status(store: Store, username: str, now: datetime | None = None) -> dict[str, object]:
    """What the admin page shows: has a password, attempts in the window, locked, last log-in."""
    now = now or utcnow()
    doc = store.get_doc(COLLECTION, username) or {}
    attempts = store.bump_counter(_name_key(username), LOCK_MINUTES * 60, now, amount=0)
    return {
        "has_password": bool(doc.get("password_hash")),
        "failed_attempts": attempts,
        "locked": bool(doc.get("disabled")) or attempts >= MAX_FAILURES,
        "disabled": bool(doc.get("disabled")),
        "last_login": parse_dt(doc.get("last_login")),
    }


def verify_login(
    profile: Profile,
    store: Store,
    username: str,
    password: str,
    now: datetime | None = None,
    address: str | None = None,
) -> User:
    """Return the profile user when the password is right; else ``PermissionDenied``."""
    now = now or utcnow()
    window = LOCK_MINUTES * 60
    username = (username or "").strip()[:MAX_NAME]
    addr_key = f"login-ip:{address}" if address else None
    if addr_key and store.bump_counter(addr_key, window, now, amount=0) >= ADDRESS_MAX_FAILURES:
        raise PermissionDenied(THROTTLED)
    # Counted before anything is checked: the store hands out 1, 2, 3... to parallel callers.
    attempt = store.bump_counter(_name_key(username), window, now)
    user = profile.user(username) if username else None
    doc = (store.get_doc(COLLECTION, username) if user else None) or {}
    if attempt > MAX_FAILURES or doc.get("disabled"):
        _safe_verify(_DUMMY_HASH, password)  # same cost as a real check
        raise PermissionDenied(LOCKED)
    stored_hash = (doc.get("password_hash") or (user.password_hash if user else None)) or ""
    ok = _safe_verify(stored_hash or _DUMMY_HASH, password) and bool(stored_hash) and user is not None
    if ok and user is not None:
        store.reset_counter(_name_key(username))
        _record_success(store, username, stored_hash, password, now)
        return user
    if addr_key:
        store.bump_counter(addr_key, window, now)
    if attempt == MAX_FAILURES:
        log.warning("log-in for %r locked for %d minutes after %d failures", username, LOCK_MINUTES, attempt)
        if user is not None:
            revoke_sessions(store, username)
        raise PermissionDenied(LOCKED)
    raise PermissionDenied(WRONG_CREDENTIALS)


def _record_success(store: Store, username: str, stored_hash: str, password: str, now: datetime) -> None:
    for _ in range(3):  # another log-in of the same user may write at the same time
        doc = store.get_doc(COLLECTION, username) or {"id": username}
        version = int(doc.get("version") or 0)
        doc["last_login"] = now.isoformat()
        try:
            if _hasher.check_needs_rehash(stored_hash):  # parameters were raised since it was set
                doc["password_hash"] = _hasher.hash(password)
        except InvalidHashError:
            pass
        try:
            store.put_doc(COLLECTION, doc, expected_version=version)
            return
        except StaleEdit:
            continue


def _safe_verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# -- sessions ----------------------------------------------------------------------------------
def _serializer(store: Store) -> URLSafeTimedSerializer:
    """Signed with a random key kept in the store (made on first use): every dashboard process on
    the same store accepts the same tokens, and deleting the key ends every session."""
    doc = store.get_doc("secrets", "session")
    if doc is None:
        try:
            doc = store.put_doc(
                "secrets", {"id": "session", "key": secrets.token_hex(32)}, expected_version=0
            )
        except StaleEdit:  # another process made it first: use theirs
            doc = store.get_doc("secrets", "session") or {}
    return URLSafeTimedSerializer(str(doc["key"]), salt="giamsat-phien")


def start_session(store: Store, username: str, now: datetime | None = None) -> str:
    now = now or utcnow()
    sid = secrets.token_urlsafe(18)
    store.put_doc(
        SESSIONS,
        {"id": sid, "username": username, "created": now.isoformat(), "last_active": now.isoformat()},
    )
    return str(_serializer(store).dumps({"sid": sid}))


def resume_session(
    profile: Profile, store: Store, token: str | None, now: datetime | None = None
) -> User | None:
    """The user of a valid, unexpired, not idle and not revoked session token; else ``None``."""
    if not token or len(token) > 512:
        return None
    now = now or utcnow()
    try:
        data = _serializer(store).loads(token, max_age=SESSION_MAX_HOURS * 3600)
    except BadSignature:  # also SignatureExpired
        return None
    sid = str(data.get("sid") or "") if isinstance(data, dict) else ""
    doc = store.get_doc(SESSIONS, sid) if sid else None
    if not doc:
        return None
    user = profile.user(str(doc.get("username") or ""))
    last = parse_dt(doc.get("last_active"))
    if user is None or session_expired(last, now):
        store.delete_doc(SESSIONS, sid)
        return None
    account = store.get_doc(COLLECTION, user.username) or {}
    if account.get("disabled"):
        store.delete_doc(SESSIONS, sid)
        return None
    if last is None or (now - last).total_seconds() >= TOUCH_SECONDS:
        doc["last_active"] = now.isoformat()
        store.put_doc(SESSIONS, doc)
    return user


def end_session(store: Store, token: str | None) -> None:
    if not token:
        return
    try:
        data = _serializer(store).loads(token)
    except BadSignature:
        return
    if isinstance(data, dict) and data.get("sid"):
        store.delete_doc(SESSIONS, str(data["sid"]))


def revoke_sessions(store: Store, username: str) -> int:
    """End every open session of ``username``; returns how many."""
    docs = store.find_docs(SESSIONS, {"username": username}, limit=10_000)
    for d in docs:
        store.delete_doc(SESSIONS, str(d["id"]))
    return len(docs)
