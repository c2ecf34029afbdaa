"""The triage commands through the real ``giamsat`` typer app on a real SQLite store."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.core.errors import InvalidTransition, PermissionDenied


@pytest.fixture(autouse=True)
def _reset_context():
    yield
    from giamsat import context

    if context._CONTEXT is not None:  # the CLI opened its own store: close it, forget it
        context._CONTEXT.close()
        context._CONTEXT = None


def _run(store, *args):
    return CliRunner().invoke(app, ["--store", store.uri, *args])


def test_alert_to_ticket_through_the_cli(tmp_store, items_factory, triage, tmp_path):
    (alert,) = triage.ingest(items_factory(2))
    res = _run(tmp_store, "alerts", "list", "--as", "giamsat1", "--json")
    assert res.exit_code == 0, res.output
    assert [a["id"] for a in json.loads(res.output)] == [alert.id]
    res = _run(tmp_store, "alerts", "confirm", alert.id, "--as", "giamsat1")
    assert res.exit_code == 0 and "PX-2026-0001" in res.output
    res = _run(tmp_store, "tickets", "list", "--as", "nnmt", "--json")
    assert [t["id"] for t in json.loads(res.output)] == ["PX-2026-0001"]
    res = _run(tmp_store, "tickets", "transition", "PX-2026-0001", "da-dong", "--as", "giamsat1")
    assert isinstance(res.exception, InvalidTransition) and "Được phép" in str(res.exception)
    res = _run(tmp_store, "tickets", "show", "PX-2026-0001", "--as", "yte")
    assert isinstance(res.exception, PermissionDenied)
    res = _run(tmp_store, "tickets", "comment", "PX-2026-0001", "Đã tiếp nhận", "--as", "nnmt")
    assert res.exit_code == 0
    out = tmp_path / "diem-tin.md"
    res = _run(tmp_store, "report", "daily", "--date", "23/11/2026", "--format", "md", "-o", str(out))
    assert res.exit_code == 0, res.output
    assert "Điểm tin báo chí, mạng xã hội ngày 23/11/2026" in out.read_text(encoding="utf-8")


def test_bulk_dismiss_reports_per_id(tmp_store, items_factory, triage):
    (a,) = triage.ingest(items_factory(1, story_id="1", prefix="1"))
    res = _run(
        tmp_store, "alerts", "dismiss", a.id, "cb-khong-co", "--reason", "trùng", "--as", "giamsat1", "--json"
    )
    assert res.exit_code == 1
    results = json.loads(res.output[: res.output.rindex("]") + 1])
    assert [r["ok"] for r in results] == [True, False]


def test_help_has_examples():
    for cmd in (["alerts", "confirm"], ["tickets", "transition"], ["claims", "add"], ["alerts", "snooze"]):
        res = CliRunner().invoke(app, [*cmd, "--help"])
        assert res.exit_code == 0 and "Ví dụ:" in res.output
