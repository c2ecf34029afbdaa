"""Hostile input, measured: what the audit's worst inputs cost now (docs/security.md).

    PYTHONPATH=tests .venv/bin/python benchmarks/hostile.py

* place-mention matching on 20 / 160 / 640 KB of place names (linear: the audit's 160 KB took 105 s);
* ``process_pending`` on one 300 KB post of place names plus 50 normal posts (the audit: stuck
  after 240 s with 0 of 50 done);
* importing a JSONL file with one 50 MB line (the audit: 4 GB of memory), peak memory of the
  importing process;
* a full-text search of 50,000 words on SQLite (the audit: 150 s).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from giamsat.core.model import Item
from giamsat.core.profile import load_profile
from giamsat.nlp.mentions import MentionFinder
from giamsat.pipeline import process_pending
from giamsat.storage.base import Query
from giamsat.storage.sqlite import SQLiteStore

PLACES = "Nha Trang, Cam Ranh - phường Nam Nha Trang - xã Vạn Ninh, tỉnh Khánh Hòa; Đà Lạt - Phan Rang\n"


def place_names(size: int) -> str:
    return (PLACES * (size // len(PLACES) + 1))[:size]


def main() -> None:
    profile = load_profile("khanh-hoa")
    finder = MentionFinder.for_profile(profile)
    finder.find("Nha Trang")
    for kb in (20, 160, 640):
        t0 = time.perf_counter()
        n = len(finder.find(place_names(kb * 1000)))
        print(f"mentions, {kb} KB of place names: {time.perf_counter() - t0:.2f} s ({n} mentions)")

    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(f"sqlite:///{tmp}/b.db")
        normal = "Người dân phường Nam Nha Trang, tỉnh Khánh Hòa phản ánh bãi rác tự phát bốc mùi. Bài {i}."
        items = [Item(source_id="mxh", url="https://mxh.example/h", kind="social", text=place_names(300_000))]
        items += [
            Item(source_id="mxh", url=f"https://mxh.example/{i}", kind="social", text=normal.format(i=i))
            for i in range(50)
        ]
        store.upsert_items(items)
        t0 = time.perf_counter()
        report = process_pending(profile, store)
        print(
            f"process_pending, one 300 KB post + 50 posts: {time.perf_counter() - t0:.1f} s "
            f"({report.enriched} enriched, {report.failed} marked)"
        )
        words = " ".join(f"tu{i}" for i in range(50_000))
        t0 = time.perf_counter()
        store.search(Query(text=words))
        print(
            f"search of 50,000 words (SQLite, {store.count(Query())} items): {time.perf_counter() - t0:.3f} s"
        )
        store.close()

        small = Path(tmp) / "small.jsonl"
        small.write_text(
            json.dumps({"text": "Khánh Hòa", "url": "https://m.example/0"}) + "\n", encoding="utf-8"
        )
        path = Path(tmp) / "huge.jsonl"
        with path.open("wb") as fh:
            fh.write(json.dumps({"text": "Khánh Hòa", "url": "https://m.example/1"}).encode() + b"\n")
            fh.write(b'{"text": "' + b"a" * 50_000_000 + b'"}\n')
            fh.write(json.dumps({"text": "Nha Trang", "url": "https://m.example/2"}).encode() + b"\n")
        script = (
            "import resource, time, pathlib\n"
            "from giamsat.core.profile import load_profile\n"
            "from giamsat.crawlers.runner import import_social_export\n"
            "from giamsat.storage.sqlite import SQLiteStore\n"
            f"s = SQLiteStore('sqlite:///{tmp}/i.db'); p = load_profile('khanh-hoa')\n"
            f"import_social_export(s, p, pathlib.Path('{small}'))  # warm: profile and NLP loaded\n"
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "t0 = time.perf_counter()\n"
            f"r = import_social_export(s, p, pathlib.Path('{path}')).sources['import']\n"
            "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "print(f'{time.perf_counter() - t0:.1f} {r.new} {r.error_count} {base // 1024} {peak // 1024}')\n"
        )
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        secs, new, errors, base, peak = out.stdout.split()
        print(
            f"import with one 50 MB line: {secs} s, {new} rows imported, {errors} error, "
            f"peak memory of the process {base} MB before the import, {peak} MB after"
        )


if __name__ == "__main__":
    main()
