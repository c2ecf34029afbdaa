"""The gold set: real items labelled by the project (docs/annotation.md), read back from the public
data sets (no text is stored in the repository; ``nlp/gold/items.jsonl`` keeps each item's
reference and the sha1 of the text the annotators saw). Only a source checkout has the gold
set: the wheel ships neither the labels nor the data.

An item id is ``<dataset>:<key>``; the key says where the row is:

==================== ============================== =============================================
dataset              key                            row
==================== ============================== =============================================
baomoi               ``<baomoi_id>``                ``baomoi/tc201805_baomoi.jsonl.xz``
vntc                 ``<train|test>/<file>``        ``vntc/vntc_<split>.jsonl.xz``, field ``file``
vfnd                 ``<Fake|Real|Misleading>/<A|S>/<n>``  ``vfnd/Dataset/.../VFND_Ac_Fake_<n>.json``
vihos                ``<train|dev|test>/<index>``   first (unnamed) column of the CSV
vnexpress-comments   ``comments/<row>``             0-based data row of ``comments.csv``
reintel              ``<train|test>/<id>``          ``reintel/<split>.csv``, column ``id``
vnnews-v2            ``<train|val>/<row>``          0-based data row of ``<split>_data.csv``
vihsd                ``<train|dev|test>/<row>``     0-based data row of ``vihsd/<split>.csv``
victsd               ``<train|valid|test>/<index>`` first (unnamed) column of ``ViCTSD_<split>.csv``
==================== ============================== =============================================

The text an annotator sees is built by :func:`shown_text` (first 2,500 characters, cut at a space);
``items.jsonl`` keeps its sha1 and :func:`load_texts` refuses an item whose text changed.

Run as a script (``.venv/bin/python -m giamsat.nlp.goldset``) it checks every item of the manifest.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from giamsat.core.resources import checkout_root
from giamsat.core.settings import Settings
from giamsat.nlp.datasets import read_csv, read_xz_jsonl

csv.field_size_limit(sys.maxsize)

GOLD_DIR = (checkout_root() or Path(".")) / "nlp" / "gold"
MANIFEST = GOLD_DIR / "items.jsonl"
MAX_CHARS = 2500

# licence class of each data set (see /work/shared/data/README.md)
TERMS = {
    "baomoi": "train-ok",
    "vntc": "train-ok",
    "vfnd": "train-ok",  # GPL-3.0
    "vihos": "train-ok",
    "vnexpress-comments": "train-ok",
    "reintel": "test-only",
    "vnnews-v2": "test-only",
    "vihsd": "test-only",
    "victsd": "test-only",
}
DATASETS = tuple(TERMS)
VFND_FOLDERS = {"A": "Article_Contents", "S": "Social_Contents"}


class GoldDataError(Exception):
    """An item cannot be read back as it was selected."""


@dataclass
class Record:
    id: str
    dataset: str
    split: str  # the data set's own split (file), "all" when it has none
    key: str
    kind: str  # press | social | comment
    text: str  # as shown to annotators
    truncated: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def shown_text(raw: str) -> tuple[str, bool]:
    """The text annotators see: stripped, at most ``MAX_CHARS`` characters cut at a space."""
    text = (raw or "").strip()
    if len(text) <= MAX_CHARS:
        return text, False
    cut = text[:MAX_CHARS]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_CHARS - 200 else cut).rstrip(), True


def data_dir(explicit: str | Path | None = None) -> Path:
    path = Path(explicit) if explicit else Settings.from_env().data_dir
    if path is None or not path.is_dir():
        raise GoldDataError(f"data folder not found ({path}); set GIAMSAT_DATA_DIR=/work/shared/data")
    return path


def _record(dataset: str, split: str, key: str, kind: str, raw: str, **meta: Any) -> Record:
    text, truncated = shown_text(raw)
    return Record(f"{dataset}:{key}", dataset, split, key, kind, text, truncated, meta)


def _nz(value: Any) -> str:
    return "" if value in (None, "None") else str(value).strip()


def vfnd_text(doc: dict[str, Any]) -> str:
    """Title + body of a news-please JSON (some files hold the whole article in ``title``)."""
    title, body = _nz(doc.get("title")), _nz(doc.get("text")) or _nz(doc.get("maintext"))
    if not title or body.startswith(title):
        return body or title
    if not body or body in title:
        return title
    return f"{title}\n{body}"


def iter_dataset(dataset: str, root: Path) -> Iterator[Record]:
    """Every row of one data set as a :class:`Record` (files in a fixed order)."""
    if dataset == "baomoi":
        for r in read_xz_jsonl(root / "baomoi" / "tc201805_baomoi.jsonl.xz"):
            yield _record("baomoi", "all", r["baomoi_id"], "press", r.get("text") or "", label=r["label"])
    elif dataset == "vntc":
        for split in ("train", "test"):
            for r in read_xz_jsonl(root / "vntc" / f"vntc_{split}.jsonl.xz"):
                key = f"{split}/{r['file']}"
                yield _record("vntc", split, key, "press", r.get("text") or "", label=r["label"].strip())
    elif dataset == "vfnd":
        for path in sorted((root / "vfnd" / "Dataset").glob("*/*/*.json")):
            label, folder = path.parent.parent.name, path.parent.name
            letter = "S" if folder.startswith("Social") else "A"
            n = path.stem.rsplit("_", 1)[1]
            doc = json.loads(path.read_text(encoding="utf-8"))
            date = _nz(doc.get("date_publish")) or _nz(doc.get("publish_date"))
            yield _record(
                "vfnd",
                "all",
                f"{label}/{letter}/{n}",
                "social" if letter == "S" else "press",
                vfnd_text(doc),
                label=label,
                date=date[:10] or None,
                domain=_nz(doc.get("source_domain")) or None,
            )
    elif dataset == "vihos":
        base = root / "vihos"
        files = {
            "train": base / "Span_Extraction_based_version" / "train.csv",
            "dev": base / "Span_Extraction_based_version" / "dev.csv",
            "test": base / "Test_data" / "test.csv",
        }
        for split, path in files.items():
            for r in read_csv(path):
                spans = (r.get("index_spans") or "").strip()
                has = spans not in ("", "[]")
                yield _record("vihos", split, f"{split}/{r['']}", "comment", r["content"] or "", spans=has)
    elif dataset == "vnexpress-comments":
        for i, r in enumerate(read_csv(root / "vnexpress-comments" / "comments.csv")):
            key = f"comments/{i}"  # the file's own first column repeats
            yield _record(
                "vnexpress-comments", "all", key, "comment", r["commentgoc"] or "", label=r["label"]
            )
    elif dataset == "reintel":
        for split in ("train", "test"):
            for r in read_csv(root / "reintel" / f"{split}.csv"):
                key = f"{split}/{r['id']}"
                yield _record("reintel", split, key, "social", r["post_message"] or "", label=r["label"])
    elif dataset == "vnnews-v2":
        for split in ("train", "val"):
            for i, r in enumerate(read_csv(root / "vnnews-v2" / f"{split}_data.csv")):
                yield _record(
                    "vnnews-v2", split, f"{split}/{i}", "social", r["content"] or "", label=r["label"]
                )
    elif dataset == "vihsd":
        for split in ("train", "dev", "test"):
            for i, r in enumerate(read_csv(root / "vihsd" / f"{split}.csv")):
                yield _record(
                    "vihsd", split, f"{split}/{i}", "comment", r["free_text"] or "", label=r["label_id"]
                )
    elif dataset == "victsd":
        for split in ("train", "valid", "test"):
            for r in read_csv(root / "victsd" / f"ViCTSD_{split}.csv"):
                yield _record(
                    "victsd",
                    split,
                    f"{split}/{r['']}",
                    "comment",
                    r["Comment"] or "",
                    label=r["Toxicity"],
                    constructive=r["Constructiveness"],
                    context=r["Title"],
                    section=r["Topic"],
                )
    else:
        raise GoldDataError(f"unknown data set {dataset!r}")


def read_records(ids: Iterable[str], root: str | Path | None = None) -> dict[str, Record]:
    """The records with these ids, read from the data sets (whether or not they are gold items)."""
    wanted = set(ids)
    base = data_dir(root)
    out: dict[str, Record] = {}
    for dataset in sorted({i.split(":", 1)[0] for i in wanted}):
        if dataset not in TERMS:
            raise GoldDataError(
                f"unknown data set in id {next(i for i in wanted if i.startswith(dataset))!r}"
            )
        for rec in iter_dataset(dataset, base):
            if rec.id in wanted:
                if rec.id in out:
                    raise GoldDataError(f"{rec.id}: two rows have this id")
                out[rec.id] = rec
    missing = sorted(wanted - set(out))
    if missing:
        raise GoldDataError(f"{len(missing)} ids not found in the data sets, e.g. {missing[:3]}")
    return out


def read_manifest(path: Path = MANIFEST) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_texts(
    data_dir: str | Path | None = None, manifest: Path = MANIFEST, only: set[str] | None = None
) -> dict[str, str]:
    """``{id: text}`` for every item of the manifest (or the ``only`` ones), each checked against
    its sha1."""
    items = [it for it in read_manifest(manifest) if only is None or it["id"] in only]
    records = read_records((it["id"] for it in items), data_dir)
    out: dict[str, str] = {}
    for it in items:
        text = records[it["id"]].text
        if sha1(text) != it["sha1"]:
            raise GoldDataError(f"{it['id']}: text differs from the one selected (sha1 mismatch)")
        out[it["id"]] = text
    return out


if __name__ == "__main__":
    texts = load_texts()
    print(f"{len(texts)} items read back, every sha1 matches")


def split_fingerprint(split: str, labels_file: Path | None = None) -> dict[str, Any]:
    """sha256 over a split's manifest entries and final labels (canonical JSON, sorted by id): pinned
    in ``nlp/gate.json`` for the frozen test split, so any change to it — an item added, a label
    edited — fails CI until deliberately re-pinned."""
    labels_file = labels_file or GOLD_DIR / "labels.jsonl"
    manifest = {m["id"]: m for m in read_manifest() if m["split"] == split}
    labels = {}
    for line in labels_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            if rec["id"] in manifest:
                labels[rec["id"]] = rec
    h = hashlib.sha256()
    for item_id in sorted(manifest):
        h.update(
            json.dumps([manifest[item_id], labels.get(item_id)], ensure_ascii=False, sort_keys=True).encode()
        )
    return {"items": len(manifest), "labelled": len(labels), "sha256": h.hexdigest()}
