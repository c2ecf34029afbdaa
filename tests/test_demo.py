"""The offline demo end to end: real crawl of the bundled site, real NLP, real triage."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from giamsat.storage.base import Query
from giamsat.storage.sqlite import SQLiteStore


def test_demo_no_dashboard_produces_items_alerts_and_tickets(tmp_path):
    db = tmp_path / "demo.db"
    env = dict(os.environ, GIAMSAT_DEMO_STORE=f"sqlite:///{db}", GIAMSAT_PROFILE="khanh-hoa")
    proc = subprocess.run(
        [sys.executable, "-m", "giamsat", "demo", "--no-dashboard"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    m = re.search(r"items=(\d+) failed=(\d+) alerts=(\d+) tickets=(\d+) units=(\d+)", proc.stdout)
    assert m, proc.stdout
    items, failed, alerts, tickets, units = map(int, m.groups())
    assert items > 0 and alerts > 0 and tickets > 0
    assert failed == 0
    assert units >= 2, "tickets should reach several units through the routing rules"

    store = SQLiteStore(str(db))
    try:
        assert store.count(Query()) == items
        assert store.pending_enrichment() == []
        # other provinces' stories from national sources were filtered out
        assert store.count(Query(text="Nghe An xuong giong vu dong xuan")) == 0
        assert store.count(Query(text="Da Nang don hon 1 trieu luot khach")) == 0
        for t in store.find_docs("tickets"):
            assert t["lead_unit"] and t["due"]
    finally:
        store.close()
