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
