"""Defects 7 and 8, and the CLI parts of 11: stored text is data in every command and report.

One store holds a hostile post (Rich markup, a closing tag without an opening one, terminal
escape sequences, a bidi override, XML-invalid control characters, Markdown images, spreadsheet
formulas, HTML) as the title and text of an item, an alert, a ticket with its comments, a claim
of the registry, a failed notification and a source's last error. Every command that prints or
writes them must succeed, show the text literally and never pass control sequences to the
terminal. The dashboard's part (every Streamlit page) belongs to the dashboard's own suite.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.core.model import Enrichment, Item, Scored, utcnow
from giamsat.core.profile import load_profile
from giamsat.storage.base import Query
from giamsat.storage.sqlite import SQLiteStore
from giamsat.triage.service import Triage

HOSTILE = (
    "Cát lậu [/x] [bold red]ĐỎ[/] [link=javascript:alert(1)]bấm[/link] \x1b[31mANSI\x1b[0m \x07 "
    "\u202eRTL ![ảnh](http://evil.example/p.png) <script>alert(1)</script> \x00\x0b\x1f end"
)
FORMULAS = ['=HYPERLINK("http://evil.example","bấm")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]
TODAY = date(2026, 11, 23)
runner = CliRunner()


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "h.db"
    store = SQLiteStore(f"sqlite:///{path}")
    profile = load_profile("khanh-hoa")
    when = utcnow()
    items = [
        Item(
            source_id="mxh",
            url=f"https://mxh.example/h/{i}",
            title=f"{FORMULAS[i % len(FORMULAS)]} {HOSTILE}",
            text=f"{HOSTILE} Khánh Hòa, bài {i}",
            kind="social",
            published=when,
        )
        for i in range(4)
    ]
    store.upsert_items(items)
    enr = Enrichment(
        story_id="s-hostile",
        risk=0.95,
        severity="khan",
        category=Scored("sai-su-that", 0.9),
        sentiment=Scored("tieu-cuc", 0.9),
        topics=[Scored("dat-dai", 0.8)],
        localities=["Nha Trang"],
        reasons=[HOSTILE],
        province="khanh-hoa",
        enriched_at=when,
    )
    store.save_enrichments([(it.id, enr) for it in items])
    triage = Triage(profile, store)
    officer = profile.user("giamsat1")
    triage.ingest(store.get_items([it.id for it in items]))
    alert = triage.list_alerts(officer, status=["mo"])[0]
    triage.claim(officer, alert.id)
    ticket = triage.confirm(officer, alert.id, note=HOSTILE)
    triage.comment(officer, ticket.id, HOSTILE, link="javascript:alert(1)")
    triage.add_claim(officer, f"{HOSTILE} tin đồn", HOSTILE, url="https://khanhhoa.gov.vn/x")
    store.put_doc(
        "outbox",
        {
            "channel": "webhook",
            "to": "https://hook.example/[/x]",
            "subject": HOSTILE,
            "body": HOSTILE,
            "ref": ticket.id,
            "event": "giao-phieu",
            "status": "failed",
            "attempts": 5,
            "created": when.isoformat(),
            "last_error": HOSTILE,
        },
    )
    store.put_doc(
        "sources", {"id": "mxh", "status": "loi", "last_error": HOSTILE, "last_attempt": when.isoformat()}
    )
    store.close()
    return path


def _run(store: Path, *args: str, input: str | None = None) -> str:
    result = runner.invoke(app, ["--store", f"sqlite:///{store}", *args], input=input)
    out = result.output + (result.stderr if result.stderr_bytes else "")
    assert result.exit_code == 0, out + repr(result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in out
    assert "\x1b[31mANSI" not in out and "\x07" not in out and "\u202e" not in out  # no control sequences
    return out


def _ids(store: Path) -> tuple[str, str]:
    s = SQLiteStore(f"sqlite:///{store}")
    try:
        return s.find_docs("alerts")[0]["id"], s.find_docs("tickets")[0]["id"]
    finally:
        s.close()


COMMANDS = [
    ("search", "cát lậu"),
    ("search", "cát lậu", "--json"),
    ("search", "[/x]"),
    ("alerts", "list", "--as", "giamsat1", "--status", "mo,da-xac-nhan"),
    ("alerts", "show", "{alert}", "--as", "giamsat1"),
    ("tickets", "list", "--as", "giamsat1"),
    ("tickets", "show", "{ticket}", "--as", "giamsat1"),
    ("tickets", "comment", "{ticket}", HOSTILE, "--as", "giamsat1"),
    ("claims", "list", "--as", "giamsat1"),
    ("claims", "add", HOSTILE, "--answer", HOSTILE, "--as", "giamsat1"),
    ("tip", "--text", HOSTILE, "--title", HOSTILE, "--as", "giamsat1"),
    ("notifications", "list", "--as", "admin"),
    ("sources",),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_command_prints_hostile_text_literally(args, hostile_store):
    alert, ticket = _ids(hostile_store)
    out = _run(hostile_store, *(a.format(alert=alert, ticket=ticket) for a in args))
    # (lists cut long titles to the terminal's width; what is shown is still shown as text)
    if (args[1:2] and args[1] in ("show", "cát lậu", "[/x]", "add")) or args[0] == "tip":
        assert "[/x]" in out or "[/" in out  # markup shown as text, not interpreted


@pytest.mark.parametrize("fmt", ["docx", "md", "csv"])
def test_reports_with_hostile_text(fmt, hostile_store, tmp_path):
    out_file = tmp_path / f"r.{fmt}"
    _run(
        hostile_store,
        "report",
        "daily",
        "--date",
        utcnow().date().isoformat(),
        "--format",
        fmt,
        "-o",
        str(out_file),
    )
    if fmt == "docx":
        text = "\n".join(p.text for p in Document(str(out_file)).paragraphs)
        tables = [c.text for t in Document(str(out_file)).tables for r in t.rows for c in r.cells]
        assert "Cát lậu" in text + " ".join(tables)
        assert "\u202e" not in text + " ".join(tables)  # a bidi override would reverse the cell
    elif fmt == "md":
        md = out_file.read_text(encoding="utf-8")
        # no image or link a viewer would load: their brackets arrive escaped
        assert not re.search(r"(?<!\\)!\[", md) and not re.search(r"(?<!\\)\]\(http://evil", md)
        assert not re.search(r"(?<!\\)<script", md)
    else:
        rows = list(csv.reader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
        for cell in (c for r in rows for c in r):
            assert not cell.startswith(("=", "+", "@", "-")), cell  # CSV formula injection


def test_search_csv_neutralises_formulas(hostile_store, tmp_path):
    out_file = tmp_path / "s.csv"
    _run(hostile_store, "search", "cát lậu", "--csv", str(out_file))
    rows = list(csv.reader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
    assert len(rows) > 1
    for cell in (c for r in rows for c in r):
        assert not cell.startswith(("=", "+", "@", "-", "\t", "\r")), cell


@pytest.mark.parametrize(
    "args",
    [
        ("search", "x", "--since", "31/02/2026"),
        ("search", "x", "--since", "99/99/99999"),
        ("search", "x", "--until", "31/12/9999"),
        ("search", "x", "--since", "[/x]"),
        ("search", "x", "--since", "1/1/1/1"),
        ("report", "daily", "--date", "31/12/9999"),
        ("report", "monthly", "--date", "0000-01-01"),
        ("report", "daily", "--date", "[bold]x"),
        ("alerts", "snooze", "cb-x", "--until", "99/99/2026 99:99", "--as", "giamsat1"),
        ("alerts", "snooze", "cb-x", "--until", "999999999d", "--as", "giamsat1"),
        ("alerts", "snooze", "cb-x", "--until", "9999-12-31T23:59:59", "--as", "giamsat1"),
        ("alerts", "snooze", "cb-x", "--until", "[/x]", "--as", "giamsat1"),
    ],
)
def test_bad_dates_are_clean_errors(args, hostile_store):
    result = runner.invoke(app, ["--store", f"sqlite:///{hostile_store}", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (ValueError, OverflowError))


@pytest.mark.parametrize(
    "args",
    [
        ("alerts", "show", "[/x]", "--as", "giamsat1"),
        ("tickets", "show", "[bold]PX-1[/]\x1b[2J", "--as", "giamsat1"),
        ("alerts", "list", "--as", "[/khong-co]"),
    ],
)
def test_errors_quoting_hostile_input_are_printed_safely(args, hostile_store):
    """Library errors reach ``giamsat.cli.main``, which prints them with markup escaped."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "giamsat", "--store", f"sqlite:///{hostile_store}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (1, 5), proc.stderr
    assert "Traceback" not in proc.stderr and "MarkupError" not in proc.stderr
    assert "\x1b[2J" not in proc.stderr
    assert "Lỗi:" in proc.stderr


def test_search_text_is_capped(hostile_store):
    """50,000 words took 150 s; the query is cut to its first terms in every backend."""
    import time

    from giamsat.storage.base import MAX_QUERY_TERMS

    words = " ".join(f"tu{i}" for i in range(50_000))
    store = SQLiteStore(f"sqlite:///{hostile_store}")
    try:
        t0 = time.monotonic()
        store.search(Query(text=words))
        store.count(Query(text='"' + words))
        assert time.monotonic() - t0 < 5
    finally:
        store.close()
    out = _run(hostile_store, "search", words[:20_000])
    assert f"{MAX_QUERY_TERMS} từ" in out


def test_no_hidden_system_identity_on_the_cli(hostile_store):
    alert, _ = _ids(hostile_store)
    for args in (
        ("alerts", "dismiss", alert, "--reason", "x", "--as", "he-thong"),
        ("alerts", "list", "--as", "he-thong"),
        ("tip", "--text", "x", "--as", "he-thong"),
    ):
        result = runner.invoke(app, ["--store", f"sqlite:///{hostile_store}", *args])
        assert result.exit_code != 0
    store = SQLiteStore(f"sqlite:///{hostile_store}")
    try:
        assert store.get_doc("alerts", alert)["status"] != "bo-qua"
        assert not any(e.actor == "he-thong" and e.action == "tip" for e in store.events("item"))
    finally:
        store.close()


def test_tip_needs_a_profile_user(hostile_store):
    result = runner.invoke(app, ["--store", f"sqlite:///{hostile_store}", "tip", "--text", "Khánh Hòa"])
    assert result.exit_code == 2  # --as is required


def test_passwd_never_from_the_command_line(hostile_store, tmp_path):
    from giamsat.dashboard.auth import COLLECTION

    db = tmp_path / "u.db"
    result = runner.invoke(
        app, ["--store", f"sqlite:///{db}", "users", "passwd", "giamsat1", "--password", "x"]
    )
    assert result.exit_code == 2 and "--password" in result.output  # refused: no such option
    refused = SQLiteStore(f"sqlite:///{db}")
    try:
        assert refused.get_doc(COLLECTION, "giamsat1") is None  # nothing was set
    finally:
        refused.close()
    ok = runner.invoke(
        app,
        ["--store", f"sqlite:///{db}", "users", "passwd", "giamsat1"],
        input="mat-khau-dai-1\nmat-khau-dai-1\n",
    )
    assert ok.exit_code == 0, ok.output
    piped = runner.invoke(
        app,
        ["--store", f"sqlite:///{db}", "users", "passwd", "giamsat2", "--password-stdin"],
        input="mat-khau-dai-2\n",
    )
    assert piped.exit_code == 0, piped.output
    short = runner.invoke(
        app, ["--store", f"sqlite:///{db}", "users", "passwd", "giamsat2", "--password-stdin"], input="ngan\n"
    )
    assert short.exit_code == 2 and "8 ký tự" in short.output
    store = SQLiteStore(f"sqlite:///{db}")
    try:
        assert store.get_doc(COLLECTION, "giamsat1")["password_hash"].startswith("$argon2")
        assert store.get_doc(COLLECTION, "giamsat2")["password_hash"].startswith("$argon2")
    finally:
        store.close()


def test_a_leader_cannot_write_through_verify_correction(hostile_store):
    from giamsat.core.errors import PermissionDenied

    profile = load_profile("khanh-hoa")
    store = SQLiteStore(f"sqlite:///{hostile_store}")
    try:
        triage = Triage(profile, store)
        ticket_id = store.find_docs("tickets")[0]["id"]
        before = store.get_doc("tickets", ticket_id)["version"]
        with pytest.raises(PermissionDenied):
            triage.verify_correction(profile.user("lanhdao"), ticket_id)
        assert store.get_doc("tickets", ticket_id)["version"] == before
    finally:
        store.close()


def test_import_output_with_hostile_rows(hostile_store, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"text": HOSTILE, "url": "https://m.example/[/x]"}),
                "{oops [/x]",
                json.dumps({"text": 1e308 * 10}),
            ]
        ),
        encoding="utf-8",
    )
    out = _run(hostile_store, "import", str(path))
    assert "dòng 2" in out


def test_csv_cells_keep_text_but_never_start_a_formula():
    from giamsat.core.csvexport import safe_cell

    for value in [*FORMULAS, "\t=1", "\r=1", "\n=1", "=", "@", "＝1"]:
        cell = safe_cell(value)
        assert value in cell
        assert not re.match(r"[=+\-@\t\r\n]", cell)
