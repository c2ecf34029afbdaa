"""Select the items of the hand-labelled gold set, fix their splits and write the manifest.

    GIAMSAT_DATA_DIR=/work/shared/data .venv/bin/python nlp/gold/select_items.py

Deterministic: every draw uses ``random.Random(SEED)`` over rows in file order, so the same data
gives the same ``items.jsonl``. The rules (quotas, splits) are stated in ``nlp/gold/README.md``;
this file is their only implementation. Batch files are written by ``batches.py``.

Splits are by source and time, never at random:

* ``test``  -- every item of a test-only set (terms unstated / research-only); Baomoi articles with
  an id >= ``BAOMOI_TEST_FROM`` (the most recent 35 % of Baomoi's article ids); VNTC items from its
  ``test`` file; VFND items without a date or among the latest 30 % by ``date_publish``.
* ``dev``   -- Baomoi ids in [``BAOMOI_DEV_FROM``, ``BAOMOI_TEST_FROM``); the next 10 % of VFND by date.
* ``train`` -- the rest (train-ok sets only).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from datasketch import MinHash, MinHashLSH
from names import (
    PUBLIC_WORDS,
    SIGNAL_WORDS,
    has_any,
    other_province_hit,
    topics_hit,
    watched_hits,
)

from giamsat.core.text import fold
from giamsat.nlp.goldset import MANIFEST, TERMS, Record, data_dir, iter_dataset, sha1

SEED = 20260301
HERE = Path(__file__).resolve().parent
GUIDE_IDS = HERE / "guide_ids.txt"  # worked examples of the guideline: never gold items

# Baomoi: only its 115,000 press articles (8-digit ids, which grow with time); the other 30,145
# rows are Facebook posts, shop ads and game news with ids of other shapes and no usable order.
BAOMOI_SHARES = {"train": 0.55, "dev": 0.10, "test": 0.35}
# sub-quotas per pre-2025 province (the split shares apply to each); a quota above the pool takes all
BAOMOI_PROVINCE = {
    "tinhkhanhhoa": 230,
    "tinhninhthuan": 130,
    "tinhlamdong": 160,
    "tinhdaknong": 100,
    "tinhbinhthuan": 140,
    "tinhhatinh": 360,
    "tinhlangson": 200,
}
SIGNAL_SHARE = 0.3  # of each province bucket, drawn first among items with complaint/rumour words
BAOMOI_OTHER_TOPIC = 150  # naming another province, with a taxonomy keyword
BAOMOI_SIGNAL = 100  # no watched province, with a complaint/rumour/denial keyword
BAOMOI_RANDOM = 150
# VNTC (2007): province items per (current province, file), then random ones per file
VNTC_PROVINCE = {
    ("lang-son", "test"): 90,
    ("lang-son", "train"): 40,
    ("ha-tinh", "test"): 35,
    ("ha-tinh", "train"): 35,
    ("khanh-hoa", "test"): 15,
    ("khanh-hoa", "train"): 20,
    ("lam-dong", "test"): 15,
    ("lam-dong", "train"): 20,
}
VNTC_RANDOM = {"train": 50, "test": 50}
VFND_TEST_SHARE, VFND_DEV_SHARE = 0.30, 0.10
REINTEL_TOTAL, REINTEL_UNRELIABLE_MAX = 350, 170
VNNEWS_PER_LABEL = 100
VIHSD_PER_LABEL = {"0": 70, "1": 65, "2": 65}
VICTSD_PER_LABEL = {"0": 75, "1": 75}
VICTSD_NEWS_SECTIONS = {"ThoiSu", "PhapLuat", "TheGioi", "GiaoDuc", "SucKhoe", "KinhDoanh"}
VIHOS_PER_CLASS = {True: 125, False: 125}
VNEXPRESS_TOTAL = 100


class Picker:
    """Accepts records in order, refusing near-duplicates of anything accepted before (MinHash LSH
    on word 3-grams of folded text, Jaccard >= 0.8) and the guideline's own examples."""

    def __init__(self, exclude: set[str]) -> None:
        self.lsh = MinHashLSH(threshold=0.8, num_perm=64)
        self.exact: set[str] = set()
        self.exclude = exclude
        self.items: list[dict[str, Any]] = []
        self.ids: set[str] = set()
        self.duplicates = 0

    def _signature(self, text: str) -> tuple[str, MinHash | None]:
        words = re.findall(r"[a-z0-9]+", fold(text))
        key = " ".join(words)
        if len(words) < 8:
            return key, None
        mh = MinHash(num_perm=64, seed=1)
        for i in range(len(words) - 2):
            mh.update(" ".join(words[i : i + 3]).encode())
        return key, mh

    def add(self, rec: Record, split: str, reason: str, stratum: str) -> bool:
        if rec.id in self.ids or rec.id in self.exclude or len(rec.text) < 10:
            return False
        key, mh = self._signature(rec.text)
        if key in self.exact or (mh is not None and self.lsh.query(mh)):
            self.duplicates += 1
            return False
        self.exact.add(key)
        if mh is not None:
            self.lsh.insert(rec.id, mh)
        self.ids.add(rec.id)
        self.items.append(
            {
                "id": rec.id,
                "dataset": rec.dataset,
                "split": split,
                "source_split": rec.split,
                "key": rec.key,
                "kind": rec.kind,
                "terms": TERMS[rec.dataset],
                "sha1": sha1(rec.text),
                "chars": len(rec.text),
                "truncated": rec.truncated,
                "reason": reason,
                "stratum": stratum,
                "source_label": rec.meta.get("label"),
                **({"date": rec.meta["date"]} if rec.meta.get("date") else {}),
            }
        )
        return True

    def take(
        self,
        pool: Iterable[Record],
        n: int,
        split: str | Callable[[Record], str],
        reason: str,
        stratum: str,
        rng: random.Random,
        prefer: Callable[[Record], bool] | None = None,
        prefer_share: float = 1.0,
    ) -> int:
        """Draw up to ``n`` records (shuffled with ``rng``); first up to ``prefer_share * n`` among
        those for which ``prefer`` holds."""
        order = list(pool)
        rng.shuffle(order)
        got = 0
        if prefer is not None:
            first = math.ceil(n * prefer_share)
            for rec in order:
                if got >= first:
                    break
                if prefer(rec) and self.add(
                    rec, split if isinstance(split, str) else split(rec), reason, stratum
                ):
                    got += 1
        for rec in order:
            if got >= n:
                break
            if self.add(rec, split if isinstance(split, str) else split(rec), reason, stratum):
                got += 1
        return got


def words(text: str) -> int:
    return len(text.split())


def main_old_province(rec: Record) -> str | None:
    hits = watched_hits(rec.text)
    return Counter(n.old for n in hits).most_common(1)[0][0] if hits else None


def main_province(rec: Record) -> str | None:
    hits = watched_hits(rec.text)
    return Counter(n.province for n in hits).most_common(1)[0][0] if hits else None


def signal(rec: Record) -> bool:
    return has_any(rec.text, SIGNAL_WORDS)


def public(rec: Record) -> bool:
    return has_any(rec.text, PUBLIC_WORDS)


def select_baomoi(p: Picker, root: Path, rng: random.Random) -> dict[str, int]:
    articles = [r for r in iter_dataset("baomoi", root) if r.key.isdigit() and len(r.key) == 8]
    ids = sorted(int(r.key) for r in articles)
    test_from = ids[int(len(ids) * (1 - BAOMOI_SHARES["test"]))]
    dev_from = ids[int(len(ids) * (1 - BAOMOI_SHARES["test"] - BAOMOI_SHARES["dev"]))]

    def slice_of(rec: Record) -> str:
        return "test" if int(rec.key) >= test_from else "dev" if int(rec.key) >= dev_from else "train"

    by_old: dict[tuple[str, str], list[Record]] = {}
    other_topic: dict[str, list[Record]] = {}
    signal_pool: dict[str, list[Record]] = {}
    rest: dict[str, list[Record]] = {}
    for rec in articles:
        sl = slice_of(rec)
        old = main_old_province(rec)
        if old:
            by_old.setdefault((old, sl), []).append(rec)
            continue
        rest.setdefault(sl, []).append(rec)
        if signal(rec):
            signal_pool.setdefault(sl, []).append(rec)
        elif other_province_hit(rec.text) and topics_hit(rec.text):
            other_topic.setdefault(sl, []).append(rec)
    for sl, share in BAOMOI_SHARES.items():
        for old, quota in BAOMOI_PROVINCE.items():
            pool = by_old.get((old, sl), [])
            n = round(quota * share)
            p.take(
                pool, n, sl, "province-match", f"baomoi/{old}", rng, prefer=signal, prefer_share=SIGNAL_SHARE
            )
        p.take(
            other_topic.get(sl, []), round(BAOMOI_OTHER_TOPIC * share), sl, "topic-match", "baomoi/other", rng
        )
        p.take(
            signal_pool.get(sl, []), round(BAOMOI_SIGNAL * share), sl, "signal-match", "baomoi/signal", rng
        )
        p.take(rest.get(sl, []), round(BAOMOI_RANDOM * share), sl, "random", "baomoi/random", rng)
    return {"test_from": test_from, "dev_from": dev_from}


def select_vntc(p: Picker, root: Path, rng: random.Random) -> None:
    by: dict[tuple[str, str], list[Record]] = {}
    rest: dict[str, list[Record]] = {}
    for rec in iter_dataset("vntc", root):
        prov = main_province(rec)
        (by.setdefault((prov, rec.split), []) if prov else rest.setdefault(rec.split, [])).append(rec)
    for (prov, file), n in VNTC_PROVINCE.items():
        p.take(
            by.get((prov, file), []),
            n,
            file,
            "province-match",
            f"vntc/{prov}",
            rng,
            prefer=signal,
            prefer_share=0.3,
        )
    for file, n in VNTC_RANDOM.items():
        p.take(rest.get(file, []), n, file, "random", "vntc/random", rng)


def select_vfnd(p: Picker, root: Path, rng: random.Random) -> None:
    recs = list(iter_dataset("vfnd", root))
    dated = sorted((r for r in recs if r.meta.get("date")), key=lambda r: (r.meta["date"], r.key))
    undated = sorted((r for r in recs if not r.meta.get("date")), key=lambda r: r.key)
    n_test = max(0, round(len(recs) * VFND_TEST_SHARE) - len(undated))
    n_dev = round(len(recs) * VFND_DEV_SHARE)
    split: dict[str, str] = {r.id: "test" for r in undated}
    for i, r in enumerate(reversed(dated)):
        split[r.id] = "test" if i < n_test else "dev" if i < n_test + n_dev else "train"
    for label in ("Fake", "Misleading", "Real"):
        pool = [r for r in recs if r.meta["label"] == label]
        p.take(pool, len(pool), lambda r: split[r.id], "label-stratified", f"vfnd/{label}", rng)


def select_test_only(p: Picker, root: Path, rng: random.Random) -> None:
    # ReINTEL: its own test file; every unreliable post (up to a cap), reliable ones naming places first
    rein = [r for r in iter_dataset("reintel", root) if r.split == "test"]
    n1 = p.take(
        [r for r in rein if r.meta["label"] == "1"],
        REINTEL_UNRELIABLE_MAX,
        "test",
        "label-stratified",
        "reintel/1",
        rng,
    )
    reliable = [r for r in rein if r.meta["label"] == "0"]
    placed = [r for r in reliable if watched_hits(r.text)]
    got = p.take(placed, REINTEL_TOTAL - n1, "test", "province-match", "reintel/0", rng)
    p.take(
        reliable,
        REINTEL_TOTAL - n1 - got,
        "test",
        "label-stratified",
        "reintel/0",
        rng,
        prefer=lambda r: signal(r) or other_province_hit(r.text),
        prefer_share=0.5,
    )
    # vnnews-v2: its validation file, both labels, posts naming the watched provinces first
    news = [r for r in iter_dataset("vnnews-v2", root) if r.split == "val"]
    for label in ("0", "1"):
        pool = [r for r in news if r.meta["label"] == label]
        placed = [r for r in pool if watched_hits(r.text)]
        got = p.take(placed, VNNEWS_PER_LABEL, "test", "province-match", f"vnnews-v2/{label}", rng)
        p.take(pool, VNNEWS_PER_LABEL - got, "test", "label-stratified", f"vnnews-v2/{label}", rng)
    # ViHSD test: the three labels, half of each about public affairs; at least 5 words
    hsd = [r for r in iter_dataset("vihsd", root) if r.split == "test" and words(r.text) >= 5]
    for label, n in VIHSD_PER_LABEL.items():
        pool = [r for r in hsd if r.meta["label"] == label]
        p.take(pool, n, "test", "label-stratified", f"vihsd/{label}", rng, prefer=public, prefer_share=0.5)
    # ViCTSD test: toxic and not, half from news sections
    ctsd = [r for r in iter_dataset("victsd", root) if r.split == "test" and words(r.text) >= 4]
    for label, n in VICTSD_PER_LABEL.items():
        pool = [r for r in ctsd if r.meta["label"] == label]
        news_section = lambda r: r.meta["section"] in VICTSD_NEWS_SECTIONS  # noqa: E731
        p.take(
            pool, n, "test", "label-stratified", f"victsd/{label}", rng, prefer=news_section, prefer_share=0.5
        )


def select_comments(p: Picker, root: Path, rng: random.Random) -> None:
    hos = [r for r in iter_dataset("vihos", root) if r.split == "train" and words(r.text) >= 5]
    for spans, n in VIHOS_PER_CLASS.items():
        pool = [r for r in hos if r.meta["spans"] is spans]
        tag = "spans" if spans else "no-spans"
        p.take(pool, n, "train", "label-stratified", f"vihos/{tag}", rng, prefer=public, prefer_share=0.5)
    vnx = [r for r in iter_dataset("vnexpress-comments", root) if words(r.text) >= 5]
    for label in ("0", "1", "2"):
        pool = [r for r in vnx if r.meta["label"] == label]
        p.take(
            pool,
            math.ceil(VNEXPRESS_TOTAL / 3),
            "train",
            "label-stratified",
            f"vnexpress-comments/{label}",
            rng,
        )


def read_guide_ids() -> set[str]:
    if not GUIDE_IDS.exists():
        return set()
    return {ln.split("#")[0].strip() for ln in GUIDE_IDS.read_text(encoding="utf-8").splitlines()} - {""}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", help="default: GIAMSAT_DATA_DIR / the settings' data_dir")
    ap.add_argument("--out", type=Path, default=MANIFEST)
    args = ap.parse_args(argv)
    root = data_dir(args.data_dir)
    p = Picker(read_guide_ids())
    # one generator per data set, so changing one set's quotas leaves the others' draws alone
    cuts = select_baomoi(p, root, random.Random(f"{SEED}-baomoi"))
    select_vntc(p, root, random.Random(f"{SEED}-vntc"))
    select_vfnd(p, root, random.Random(f"{SEED}-vfnd"))
    select_comments(p, root, random.Random(f"{SEED}-comments"))
    select_test_only(p, root, random.Random(f"{SEED}-test-only"))
    for it in p.items:
        if it["terms"] == "test-only" and it["split"] != "test":
            raise AssertionError(f"{it['id']}: a test-only set outside the test split")
    with args.out.open("w", encoding="utf-8") as fh:
        for it in p.items:
            fh.write(json.dumps(it, ensure_ascii=False) + "\n")
    counts = Counter((it["dataset"], it["split"]) for it in p.items)
    for (ds, sp), n in sorted(counts.items()):
        print(f"{ds:20} {sp:6} {n:5}")
    print(f"total {len(p.items)}; near-duplicates skipped {p.duplicates}; baomoi cut-offs {cuts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
