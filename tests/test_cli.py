"""The CLI: every command documents itself with an example; errors become clear exit codes."""

from __future__ import annotations

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from giamsat.cli import app

runner = CliRunner()


def _leaf_commands(cmd, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if hasattr(cmd, "commands"):
        out = []
        for name, sub in cmd.commands.items():
            out += _leaf_commands(sub, (*path, name))
        return out or [path]
    return [path]


COMMANDS = _leaf_commands(get_command(app))


def test_the_issue_commands_exist():
    top = {c[0] for c in COMMANDS}
    assert {
        "init",
        "crawl",
        "process",
        "run",
        "analyze",
        "search",
        "alerts",
        "tickets",
        "report",
        "dashboard",
        "demo",
        "sources",
    } <= top


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Ví dụ" in result.output or "Example" in result.output, f"{' '.join(path)} --help has no example"


def test_search_on_an_empty_store(tmp_path):
    result = runner.invoke(app, ["--store", f"sqlite:///{tmp_path / 's.db'}", "search", "khanh hoa"])
    assert result.exit_code == 0, result.output
    assert "0 kết quả" in result.output


def test_search_exports_csv(tmp_path):
    from giamsat.core.model import Item
    from giamsat.storage.sqlite import SQLiteStore

    store = SQLiteStore(str(tmp_path / "s.db"))
    store.upsert_items(
        [Item(source_id="a", url=f"https://a/{i}", title=f"Đất đai {i}", text="Khánh Hòa") for i in range(3)]
    )
    store.close()
    out = tmp_path / "x.csv"
    result = runner.invoke(
        app, ["--store", f"sqlite:///{tmp_path / 's.db'}", "search", "dat dai", "--csv", str(out)]
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 4 and lines[0].startswith("ID,Thời gian,")


ENGLISH = (
    "Usage:",
    "Options",
    "Arguments",
    "Commands",
    "[default:",
    "[required]",
    "<str>",
    "<int>",
    "<bool>",
    "Show this message",
    "Missing option",
    "No such command",
    "Try '",
    "Error",
)


@pytest.mark.parametrize(
    "path", [(), ("alerts",), ("alerts", "list"), ("tickets", "show"), ("search",), ("report",)]
)
def test_help_has_no_framework_english(path):
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert not [w for w in ENGLISH if w in result.output], result.output
    assert "Cách dùng:" in result.output


def test_errors_have_no_framework_english(tmp_path):
    store = f"sqlite:///{tmp_path / 'e.db'}"
    for args in (
        ["--store", store, "alerts", "list"],  # no --as and no GIAMSAT_USER
        ["--store", store, "alerts", "lst"],
        ["--store", store, "alerts", "list", "--as", "giamsat1", "--limit", "abc"],
        ["--store", store, "search", "--khong-co"],
    ):
        result = runner.invoke(app, args, env={"COLUMNS": "120", "GIAMSAT_USER": ""})
        assert result.exit_code == 2, (args, result.output)
        assert not [w for w in ENGLISH if w in result.output], (args, result.output)
    assert (
        "Thiếu tùy chọn '--as'"
        in runner.invoke(app, ["--store", store, "alerts", "list"], env={"GIAMSAT_USER": ""}).output
    )


def test_as_defaults_from_giamsat_user(tmp_path):
    store = f"sqlite:///{tmp_path / 'u.db'}"
    result = runner.invoke(app, ["--store", store, "alerts", "list"], env={"GIAMSAT_USER": "giamsat1"})
    assert result.exit_code == 0, result.output
    assert "0 cảnh báo" in result.output
    refused = runner.invoke(app, ["--store", store, "alerts", "list"], env={"GIAMSAT_USER": "nnmt"})
    from giamsat.core.errors import PermissionDenied

    assert isinstance(refused.exception, PermissionDenied)  # main() turns it into exit code 5
