"""Log-in against a real SQLite store: argon2 hashes, attempts counted in the store before the
check (also under parallel threads), the same answer for unknown and locked names, signed
sessions that end on log-out, idle time, password change and lock."""

from __future__ import annotations

import threading
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


@pytest.mark.parametrize("name", ["nnmt", "khong-ton-tai"])
def test_five_attempts_lock_a_name_known_or_not_with_the_same_answer(tmp_store, profile, name) -> None:
    auth.set_password(tmp_store, "nnmt", "mat-khau-dung")
    now = utcnow()
    answers = []
    for _ in range(auth.MAX_FAILURES + 2):
        with pytest.raises(PermissionDenied) as exc:
            auth.verify_login(profile, tmp_store, name, "sai", now)
        answers.append(str(exc.value))
    assert answers == [auth.WRONG_CREDENTIALS] * (auth.MAX_FAILURES - 1) + [auth.LOCKED] * 3
    if name == "nnmt":  # even the right password is refused inside the window...
        with pytest.raises(PermissionDenied, match="tạm khóa"):
            auth.verify_login(profile, tmp_store, "nnmt", "mat-khau-dung", now + timedelta(minutes=5))
        assert auth.account_status(tmp_store, "nnmt", now)["locked"] is True
        # ...and accepted once the window has passed
        later = now + timedelta(minutes=auth.LOCK_MINUTES + 1)
        assert auth.verify_login(profile, tmp_store, "nnmt", "mat-khau-dung", later).unit == "so-nnmt"
        assert auth.account_status(tmp_store, "nnmt", later)["failed_attempts"] == 0


def test_parallel_guesses_check_at_most_five_passwords(tmp_store, profile) -> None:
    """The audit's case: 40 simultaneous tries used to get past the lock; now the store counts
    each try before its check, so exactly five are checked and the right password, tried in the
    same burst after them, is refused."""
    auth.set_password(tmp_store, "nnmt", "mat-khau-dung")
    answers: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(40)

    def guess(i: int) -> None:
        barrier.wait()
        try:
            auth.verify_login(profile, tmp_store, "nnmt", f"doan-sai-{i}")
            result = "ok"
        except PermissionDenied as exc:
            result = str(exc)
        with lock:
            answers.append(result)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    checked = sum(1 for a in answers if a == auth.WRONG_CREDENTIALS)
    assert checked + answers.count(auth.LOCKED) == 40
    assert checked == auth.MAX_FAILURES - 1  # the fifth wrong one answers "locked"
    with pytest.raises(PermissionDenied, match="tạm khóa"):
        auth.verify_login(profile, tmp_store, "nnmt", "mat-khau-dung")


def test_eight_threads_of_three_guesses_get_five_in_all(tmp_store, profile) -> None:
    auth.set_password(tmp_store, "nnmt", "mat-khau-dung")
    checked = []
    lock = threading.Lock()

    def worker(w: int) -> None:
        for g in range(3):
            try:
                auth.verify_login(profile, tmp_store, "nnmt", f"sai-{w}-{g}")
            except PermissionDenied as exc:
                if str(exc) != auth.LOCKED:
                    with lock:
                        checked.append(1)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checked) == auth.MAX_FAILURES - 1
    assert tmp_store.bump_counter("login:nnmt", 900, utcnow(), amount=0) == 24  # every try counted


def test_one_address_is_throttled_across_names(tmp_store, profile) -> None:
    now = utcnow()
    for i in range(auth.ADDRESS_MAX_FAILURES):
        with pytest.raises(PermissionDenied, match="không đúng"):
            auth.verify_login(profile, tmp_store, f"ten-{i}", "sai", now, address="10.0.0.9")
    with pytest.raises(PermissionDenied) as exc:
        auth.verify_login(profile, tmp_store, "nnmt", "sai", now, address="10.0.0.9")
    assert str(exc.value) == auth.THROTTLED
    # another address is not affected
    with pytest.raises(PermissionDenied, match="không đúng"):
        auth.verify_login(profile, tmp_store, "nnmt", "sai", now, address="10.0.0.10")


def test_a_success_resets_the_failure_count(tmp_store, profile) -> None:
    auth.set_password(tmp_store, "nnmt", "mat-khau-dung")
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            auth.verify_login(profile, tmp_store, "nnmt", "sai")
    auth.verify_login(profile, tmp_store, "nnmt", "mat-khau-dung")
    for _ in range(3):  # three more are still below the lock-out
        with pytest.raises(PermissionDenied, match="không đúng"):
            auth.verify_login(profile, tmp_store, "nnmt", "sai")


def test_unlock_lock_and_short_passwords(tmp_store, profile) -> None:
    with pytest.raises(ValueError, match="ít nhất 8 ký tự"):
        auth.set_password(tmp_store, "nnmt", "ngan")
    auth.set_password(tmp_store, "nnmt", "mat-khau-dung")
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(PermissionDenied):
            auth.verify_login(profile, tmp_store, "nnmt", "sai")
    auth.unlock(tmp_store, "nnmt", actor="admin")
    assert auth.verify_login(profile, tmp_store, "nnmt", "mat-khau-dung").username == "nnmt"
    auth.lock(tmp_store, "nnmt", actor="admin")
    with pytest.raises(PermissionDenied) as exc:
        auth.verify_login(profile, tmp_store, "nnmt", "mat-khau-dung")
    assert str(exc.value) == auth.LOCKED
    auth.unlock(tmp_store, "nnmt", actor="admin")
    assert auth.verify_login(profile, tmp_store, "nnmt", "mat-khau-dung").username == "nnmt"
    assert [e.action for e in tmp_store.events("user", "nnmt")] == [
        "dat-mat-khau",
        "mo-khoa",
        "khoa",
        "mo-khoa",
    ]


def test_sessions_survive_until_logout_idle_password_change_or_lock(tmp_store, profile) -> None:
    auth.set_password(tmp_store, "nnmt", "mat-khau-dung")
    now = utcnow()
    token = auth.start_session(tmp_store, "nnmt", now)
    assert auth.resume_session(profile, tmp_store, token, now + timedelta(minutes=5)).username == "nnmt"
    # a forged or altered token is refused
    assert auth.resume_session(profile, tmp_store, token[:-2] + "xx", now) is None
    assert auth.resume_session(profile, tmp_store, "khong-phai-token", now) is None
    # idle past the timeout ends it (activity at +5 min was recorded)
    assert auth.resume_session(profile, tmp_store, token, now + timedelta(minutes=40)) is None
    token = auth.start_session(tmp_store, "nnmt", now)
    auth.end_session(tmp_store, token)
    assert auth.resume_session(profile, tmp_store, token, now) is None
    token = auth.start_session(tmp_store, "nnmt", now)
    auth.set_password(tmp_store, "nnmt", "mat-khau-moi-1", actor="admin")
    assert auth.resume_session(profile, tmp_store, token, now) is None
    token = auth.start_session(tmp_store, "nnmt", now)
    auth.lock(tmp_store, "nnmt")
    assert auth.resume_session(profile, tmp_store, token, now) is None
    auth.unlock(tmp_store, "nnmt")
    # a lock-out by wrong passwords ends open sessions too
    token = auth.start_session(tmp_store, "nnmt", now)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(PermissionDenied):
            auth.verify_login(profile, tmp_store, "nnmt", "sai", now)
    assert auth.resume_session(profile, tmp_store, token, now) is None
    # a token signed by another store's key is refused
    other = auth.start_session(tmp_store, "lanhdao", now)
    tmp_store.delete_doc("secrets", "session")
    assert auth.resume_session(profile, tmp_store, other, now) is None


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
