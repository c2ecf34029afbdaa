"""Log-in against a real SQLite store: argon2 hashes, lock-out, same message for unknown users."""

from __future__ import annotations

from datetime import timedelta

import pytest

from giamsat.core.errors import PermissionDenied
from giamsat.core.model import utcnow
from giamsat.dashboard import auth


def test_login_with_the_right_password_returns_the_profile_user(tmp_store, profile) -> None:
    auth.set_password(tmp_store, "giamsat1", "mat-khau-dung")
    user = auth.verify_login(profile, tmp_store, "giamsat1", "mat-khau-dung")
    assert (user.username, user.role, user.unit) == ("giamsat1", "monitor", "so-vhttdl")
    doc = tmp_store.get_doc("users", "giamsat1")
    assert doc["password_hash"].startswith("$argon2id$") and "mat-khau-dung" not in str(doc)
    assert doc["last_login"]


def test_unknown_user_gets_the_wrong_password_message(tmp_store, profile) -> None:
    auth.set_password(tmp_store, "giamsat1", "mat-khau-dung")
    with pytest.raises(PermissionDenied) as wrong:
        auth.verify_login(profile, tmp_store, "giamsat1", "sai-mat-khau")
    with pytest.raises(PermissionDenied) as unknown:
        auth.verify_login(profile, tmp_store, "khong-ton-tai", "sai-mat-khau")
    assert str(wrong.value) == str(unknown.value) == auth.WRONG_CREDENTIALS
    assert tmp_store.get_doc("users", "khong-ton-tai") is None  # nothing recorded for strangers


def test_user_without_password_cannot_log_in(tmp_store, profile) -> None:
    with pytest.raises(PermissionDenied, match="không đúng"):
        auth.verify_login(profile, tmp_store, "lanhdao", "")


def test_five_failures_lock_the_account_for_fifteen_minutes(tmp_store, profile) -> None:
    auth.set_password(tmp_store, "nnmt", "mat-khau-dung")
    now = utcnow()
    for _ in range(auth.MAX_FAILURES - 1):
        with pytest.raises(PermissionDenied, match="không đúng"):
            auth.verify_login(profile, tmp_store, "nnmt", "sai", now)
    with pytest.raises(PermissionDenied, match="tạm khóa 15 phút"):
        auth.verify_login(profile, tmp_store, "nnmt", "sai", now)
    # even the right password is refused while locked, with the minutes left
    with pytest.raises(PermissionDenied, match=r"thử lại sau 10 phút"):
        auth.verify_login(profile, tmp_store, "nnmt", "mat-khau-dung", now + timedelta(minutes=5))
    assert auth.account_status(tmp_store, "nnmt", now)["locked_until"] is not None
    user = auth.verify_login(profile, tmp_store, "nnmt", "mat-khau-dung", now + timedelta(minutes=16))
    assert user.unit == "so-nnmt"
    assert tmp_store.get_doc("users", "nnmt")["failed_attempts"] == 0


def test_a_success_resets_the_failure_count(tmp_store, profile) -> None:
    auth.set_password(tmp_store, "nnmt", "mat-khau-dung")
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            auth.verify_login(profile, tmp_store, "nnmt", "sai")
    auth.verify_login(profile, tmp_store, "nnmt", "mat-khau-dung")
    for _ in range(3):  # three more are still below the lock-out
        with pytest.raises(PermissionDenied, match="không đúng"):
            auth.verify_login(profile, tmp_store, "nnmt", "sai")


def test_unlock_and_short_passwords(tmp_store, profile) -> None:
    with pytest.raises(ValueError, match="ít nhất 8 ký tự"):
        auth.set_password(tmp_store, "nnmt", "ngan")
    auth.set_password(tmp_store, "nnmt", "mat-khau-dung")
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(PermissionDenied):
            auth.verify_login(profile, tmp_store, "nnmt", "sai")
    auth.unlock(tmp_store, "nnmt", actor="admin")
    assert auth.verify_login(profile, tmp_store, "nnmt", "mat-khau-dung").username == "nnmt"
    assert [e.action for e in tmp_store.events("user", "nnmt")] == ["dat-mat-khau", "mo-khoa"]


def test_session_timeout(monkeypatch) -> None:
    now = utcnow()
    assert not auth.session_expired(now - timedelta(minutes=29), now)
    assert auth.session_expired(now - timedelta(minutes=31), now)
    assert auth.session_expired(None, now)
    monkeypatch.setenv("GIAMSAT_SESSION_MINUTES", "5")
    assert auth.session_timeout_minutes() == 5
    assert auth.session_expired(now - timedelta(minutes=6), now)
    monkeypatch.setenv("GIAMSAT_SESSION_MINUTES", "abc")
    assert auth.session_timeout_minutes() == 30
