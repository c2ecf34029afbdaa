"""Loaders for the public Vietnamese data sets in ``/work/shared/data`` and our domain corpus.

Every loader returns plain ``Example`` lists; nothing is copied into the repository. Sets that
ship without splits (VnExpress comments, Baomoi, our corpus) are split deterministically by a
hash of a stable id: 80 % train, 10 % dev, 10 % test (``hash_split``). Terms of use per set are
in ``TERMS``: only ``train-ok`` sets may feed the shipped models (``nlp.train``); the others are
for evaluation (``nlp.evaluate`` may fit a model on their train split to reproduce a paper's
setting, never for shipping).
"""

from __future__ import annotations

import csv
import hashlib
import json
import lzma
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from giamsat.core.errors import ConfigError
from giamsat.core.resources import package_path
from giamsat.core.settings import Settings

CORPUS_DIR = package_path("nlp", "corpus")

csv.field_size_limit(sys.maxsize)

TERMS: dict[str, str] = {
    "reintel": "terms-unstated",
    "vfnd": "gpl-3.0",
    "vnnews": "terms-unstated",
    "vihsd": "research-only",
    "victsd": "terms-unstated",
    "vihos": "train-ok",
    "vsmec": "terms-unstated",
    "vsfc": "unclear",
    "vnexpress": "train-ok",
    "vntc": "train-ok",
    "baomoi": "train-ok",
    "corpus": "train-ok",
}

VNEXPRESS_SENTIMENT = {"0": "trung-tinh", "1": "tich-cuc", "2": "tieu-cuc"}


@dataclass
class Example:
    id: str
    text: str
    label: Any
    meta: dict[str, Any] = field(default_factory=dict)


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``GIAMSAT_DATA_DIR``, else ``../shared/data`` relative to the repository root."""
    if explicit:
        return Path(explicit)
    configured = Settings.from_env().data_dir
    if configured is None:
        raise ConfigError("(environment)", "GIAMSAT_DATA_DIR", "set it to the folder of public data sets")
    return configured


def hash_split(key: str) -> str:
    """Deterministic 80/10/10 split from a stable id (independent of file order and growth)."""
    bucket = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % 10
    return "test" if bucket == 9 else "dev" if bucket == 8 else "train"


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def read_xz_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


# -- misinformation ---------------------------------------------------------------------------
def reintel(split: str, root: Path | None = None) -> list[Example]:
    path = data_dir(root) / "reintel" / f"{split}.csv"
    out = []
    for row in read_csv(path):
        meta = {k: row.get(k) for k in ("num_like_post", "num_comment_post", "num_share_post")}
        out.append(Example(f"reintel-{row['id']}", row.get("post_message") or "", int(row["label"]), meta))
    return out


def vnnews(split: str, root: Path | None = None) -> list[Example]:
    name = {"train": "train_data.csv", "val": "val_data.csv", "test": "val_data.csv"}[split]
    rows = read_csv(data_dir(root) / "vnnews-v2" / name)
    return [Example(f"vnnews-{split}-{i}", r["content"], int(r["label"])) for i, r in enumerate(rows)]


def vfnd(root: Path | None = None) -> list[Example]:
    """Both VFND CSVs, de-duplicated by text (they overlap heavily)."""
    seen: set[str] = set()
    out = []
    for name in ("vn_news_223_tdlfr.csv", "vn_news_226_tlfr.csv"):
        for i, row in enumerate(read_csv(data_dir(root) / "vfnd" / "CSV" / name)):
            key = " ".join(row["text"].split())[:500]
            if key in seen:
                continue
            seen.add(key)
            out.append(Example(f"vfnd-{name[8:11]}-{i}", row["text"], int(row["label"])))
    return out


# -- toxicity ---------------------------------------------------------------------------------
def vihsd(split: str, root: Path | None = None) -> list[Example]:
    rows = read_csv(data_dir(root) / "vihsd" / f"{split}.csv")
    return [
        Example(f"vihsd-{split}-{i}", r["free_text"] or "", int(r["label_id"])) for i, r in enumerate(rows)
    ]


def victsd(split: str, target: str = "Toxicity", root: Path | None = None) -> list[Example]:
    rows = read_csv(data_dir(root) / "victsd" / f"ViCTSD_{split}.csv")
    return [
        Example(f"victsd-{split}-{r.get('') or i}", r["Comment"] or "", int(r[target]), {"title": r["Title"]})
        for i, r in enumerate(rows)
    ]


def vihos(split: str, root: Path | None = None) -> list[Example]:
    """ViHOS comments; label 1 when the comment has at least one hate/offensive span."""
    base = data_dir(root) / "vihos"
    path = (
        base / "Test_data" / "test.csv"
        if split == "test"
        else base / "Span_Extraction_based_version" / f"{split}.csv"
    )
    out = []
    for i, r in enumerate(read_csv(path)):
        spans = (r.get("index_spans") or "").strip()
        toxic = int(spans not in ("", "[]"))
        out.append(Example(f"vihos-{split}-{i}", r["content"] or "", toxic))
    return out


# -- sentiment / emotion ----------------------------------------------------------------------
def vsmec(split: str, root: Path | None = None) -> list[Example]:
    rows = read_csv(data_dir(root) / "uit-vsmec" / f"{split}.csv")
    return [Example(f"vsmec-{split}-{i}", r["Sentence"] or "", r["Emotion"]) for i, r in enumerate(rows)]


def vsfc(split: str, root: Path | None = None) -> list[Example]:
    rows = read_csv(data_dir(root) / "uit-vsfc" / f"{split}.csv")
    return [Example(f"vsfc-{split}-{i}", r["text"] or "", int(r["sentiment"])) for i, r in enumerate(rows)]


def vnexpress(split: str | None = None, root: Path | None = None) -> list[Example]:
    """VnExpress comments + news sentences (MIT), labels mapped to our sentiment codes,
    split by hash of the text (the set has no splits and contains repeats)."""
    out = []
    base = data_dir(root) / "vnexpress-comments"
    for name, col in (("comments.csv", "commentgoc"), ("newscontent.csv", "Lọc nội dung")):
        for r in read_csv(base / name):
            text = " ".join((r.get(col) or "").split())
            if not text or r.get("label") not in VNEXPRESS_SENTIMENT:
                continue
            key = f"vnexpress-{name[:4]}-{text}"
            if split is None or hash_split(key) == split:
                out.append(Example(key[:80], text, VNEXPRESS_SENTIMENT[r["label"]], {"file": name}))
    return out


# -- topics -----------------------------------------------------------------------------------
def vntc(split: str, root: Path | None = None, limit: int | None = None, stride: int = 1) -> list[Example]:
    """VNTC 10 topics (full articles). ``stride`` keeps every n-th row (deterministic subsample)."""
    out = []
    path = data_dir(root) / "vntc" / f"vntc_{split}.jsonl.xz"
    for i, r in enumerate(read_xz_jsonl(path)):
        if i % stride:
            continue
        out.append(Example(f"vntc-{split}-{r.get('file', i)}", r["title"], r["label"].strip()))
        if limit and len(out) >= limit:
            break
    return out


def baomoi(root: Path | None = None, per_label: int | None = None) -> list[Example]:
    """Baomoi title + lead, 29 noisy categories; ``per_label`` caps rows per category (first
    rows in file order, which is deterministic)."""
    counts: dict[str, int] = {}
    out = []
    for r in read_xz_jsonl(data_dir(root) / "baomoi" / "tc201805_baomoi.jsonl.xz"):
        label = r["label"]
        if per_label is not None and counts.get(label, 0) >= per_label:
            continue
        counts[label] = counts.get(label, 0) + 1
        text = r.get("text") or r.get("title") or ""
        out.append(Example(f"baomoi-{r.get('baomoi_id')}", text, label))
    return out


# -- our domain corpus ------------------------------------------------------------------------
HELDOUT_FILES = ("heldout.jsonl",)


def corpus(split: str | None = None, corpus_dir: Path | None = None) -> list[Example]:
    """Records of ``nlp/corpus/*.jsonl`` (whatever is there now), split by hash of ``id``.

    Lines that are not valid records are skipped (the writers append while we train)."""
    base = corpus_dir or CORPUS_DIR
    out = []
    # heldout.jsonl is a test-only set written independently of the corpus: it is read by
    # benchmarks/heldout.py alone, never split into train/dev/test here.
    for path in sorted(p for p in base.glob("*.jsonl") if p.name not in HELDOUT_FILES):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if (
                    not isinstance(rec, dict)
                    or not rec.get("id")
                    or not (rec.get("text") or rec.get("title"))
                ):
                    continue
                rid = str(rec["id"])
                if split is not None and hash_split(rid) != split:
                    continue
                text = "\n".join(x for x in (rec.get("title"), rec.get("text")) if x)
                out.append(Example(rid, text, rec, {"file": path.name, "style": rec.get("style")}))
    return out
