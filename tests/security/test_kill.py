"""Defect 4: a kill -9 at any point loses nothing and splits nothing.

Real child processes are killed with SIGKILL at chosen points (``GIAMSAT_FAULT``, see
``giamsat.core.faults``): during a crawl, after the story assignment, between enrichment and
triage, during story indexing, during a snapshot of the index, just before and after a commit.
The worker is then restarted and the end state is compared with an uninterrupted run of the
same input: every item enriched exactly once, every item in the same story, every alert present
with all its items and opened once, no notification lost or doubled, and a repost that arrives
after the kill joins its story's alert.

The ``autocommit`` runs use a store where each write commits on its own, as on Elasticsearch (no
multi-document transaction): they exercise the started/done batch markers and the repair on
restart (``giamsat.pipeline.StoryState``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
import yaml
from support import kill_worker
from support.fixture_site import TEST_SETTINGS, source

from giamsat.core.model import Item
from giamsat.crawlers.runner import crawl
from giamsat.storage.base import Query
from giamsat.storage.sqlite import SQLiteStore

pytestmark = pytest.mark.kill

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
REPOSTS, BATCH = 3, 6  # 24 items in 4 batches: small, so the suite stays under ~90 s
# Eight unrelated events in eight places, each with its own watch keyword (so each one opens its
# own alert whatever the models say), told three times: the post, a share, a hashtagged copy.
EVENTS = [
    (
        "Alpha",
        "Nha Trang",
        "Đêm qua mưa lớn làm ngập sâu đường Trần Phú, nhiều xe máy chết máy giữa dòng nước.",
    ),
    (
        "Bravo",
        "Cam Ranh",
        "Cháy lớn tại chợ đầu mối sáng nay, lực lượng phòng cháy điều sáu xe chữa cháy tới hiện trường.",
    ),
    (
        "Charlie",
        "Ninh Hòa",
        "Xe tải mất phanh lao vào quán nước ven quốc lộ, ba người bị thương nặng được đưa đi cấp cứu.",
    ),
    (
        "Delta",
        "Vạn Ninh",
        "Phụ huynh phản ánh trường tiểu học thu thêm nhiều khoản tiền ngoài quy định đầu năm học.",
    ),
    (
        "Echo",
        "Diên Khánh",
        "Bệnh viện huyện quá tải, bệnh nhân sốt xuất huyết phải nằm ghép hai người một giường.",
    ),
    (
        "Foxtrot",
        "Cam Lâm",
        "Lễ hội cầu ngư năm nay thu hút hàng nghìn ngư dân và du khách về đình làng ven biển.",
    ),
    (
        "Golf",
        "Khánh Vĩnh",
        "Mất điện kéo dài hai ngày khiến hàng trăm hộ dân vùng cao không có nước sinh hoạt.",
    ),
    (
        "Hotel",
        "Khánh Sơn",
        "Đàn bò của đồng bào bị chết hàng loạt nghi do dịch lở mồm long móng lan từ bản bên.",
    ),
]
STORIES = len(EVENTS)


def _story_text(s: int) -> str:
    code, place, body = EVENTS[s]
    return f"{place}: {body} Mật danh {code}."


def _repost(s: int, r: int) -> Item:
    text = _story_text(s)
    text = [text, f"Chia sẻ: {text}", f"{text} #khanhhoa #tinnong"][r % 3]
    return Item(
        source_id=f"mxh-{r}",
        url=f"https://mxh.example/s{s}/r{r}",
        kind="social",
        text=text,
        language="vi",  # as the crawler would have set it
        published=T0 + timedelta(minutes=10 * r + s),
    )


def write_profile(path: Path) -> Path:
    """Khánh Hòa's profile with one watch rule per event (its own code word)."""
    data = yaml.safe_load(
        resources.files("giamsat").joinpath("config/profiles/khanh-hoa.yaml").read_text("utf-8")
    )
    data.setdefault("alerts", {})["watch"] = [
        {"name": f"Theo dõi {code}", "keywords": [f"mật danh {code}"]} for code, _, _ in EVENTS
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def kill_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_profile(tmp_path_factory.mktemp("profile") / "kill.yaml")


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "seed.db"
    store = SQLiteStore(f"sqlite:///{path}")
    # reposts interleaved: each story spreads over several batches, so a lost index would split it
    store.upsert_items([_repost(s, r) for r in range(REPOSTS) for s in range(STORIES)])
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@dataclass
class Outcome:
    stories: dict[str, str | None]  # item id -> story id
    enriched_at: dict[str, datetime]
    alerts: dict[str, list[str]]  # alert id -> sorted item ids
    opened: Counter  # alert id -> number of "tao" events
    outbox: Counter  # (ref, event, channel) -> messages
    pending: int


def outcome(db: Path) -> Outcome:
    store = SQLiteStore(f"sqlite:///{db}")
    try:
        items = list(store.iter_items(Query()))
        return Outcome(
            stories={i.id: i.enrichment.story_id for i in items if i.enrichment},
            enriched_at={i.id: i.enrichment.enriched_at for i in items if i.enrichment},
            alerts={a["id"]: sorted(a["item_ids"]) for a in store.find_docs("alerts", limit=10_000)},
            opened=Counter(e.entity_id for e in store.events("alert", limit=100_000) if e.action == "tao"),
            outbox=Counter(
                (d["ref"], d["event"], d["channel"]) for d in store.find_docs("outbox", limit=10_000)
            ),
            pending=len(store.pending_enrichment(10_000)),
        )
    finally:
        store.close()


def _copy(seed: Path, to: Path) -> Path:
    shutil.copy(seed, to)
    return to


@pytest.fixture(scope="module")
def reference(seed_db: Path, kill_profile: Path, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    db = _copy(seed_db, tmp_path_factory.mktemp("ref") / "ref.db")
    kill_worker.run(str(db), batch=BATCH, profile=str(kill_profile))
    ref = outcome(db)
    # the input is what the test needs: every story whole, one alert per story
    assert ref.pending == 0 and len(set(ref.stories.values())) == STORIES
    assert len(ref.alerts) == STORIES and all(len(ids) == REPOSTS for ids in ref.alerts.values())
    return ref


def _killed_run(db: Path, point: str, autocommit: bool, profile: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIAMSAT_FAULT": point, "PYTHONPATH": str(TESTS)}
    cmd = [
        sys.executable,
        "-m",
        "support.kill_worker",
        str(db),
        "--batch",
        str(BATCH),
        "--profile",
        str(profile),
    ]
    return subprocess.run(
        cmd + (["--autocommit"] if autocommit else []),
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )


POINTS = [
    ("pipeline:after-enrich:2", False),  # story index updated in memory, nothing written
    ("pipeline:after-save:2", False),  # enrichments written, alerts not (the audit lost 72 alerts here)
    ("pipeline:after-ingest:2", False),  # alerts written, story journal not
    ("pipeline:journal:3", False),  # journal written, snapshot of the index not
    ("pipeline:snapshot:1", False),  # during the snapshot of the story index
    ("pipeline:after-commit:3", False),
    ("pipeline:after-save:2", True),  # Elasticsearch-like: each write on its own
    ("pipeline:after-ingest:3", True),
    ("pipeline:snapshot:1", True),
]


@pytest.mark.parametrize(("point", "autocommit"), POINTS, ids=[f"{p}{'-es' if a else ''}" for p, a in POINTS])
def test_a_kill_loses_nothing_and_splits_nothing(
    point, autocommit, seed_db, reference, kill_profile, tmp_path
):
    db = _copy(seed_db, tmp_path / "w.db")
    proc = _killed_run(db, point, autocommit, kill_profile)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr[-3000:]
    killed = outcome(db)
    assert killed.pending > 0  # the kill did interrupt the work

    kill_worker.run(str(db), batch=BATCH, autocommit=autocommit, profile=str(kill_profile))  # the restart
    after = outcome(db)
    assert after.pending == 0
    assert after.stories == reference.stories  # same story for every item: nothing split
    assert after.alerts == reference.alerts  # every alert present, with all its items
    assert set(after.opened.values()) == {1}  # none opened twice
    assert after.outbox == reference.outbox  # no notification lost or sent twice
    for item_id, at in killed.enriched_at.items():  # what was saved before the kill is not redone
        assert after.enriched_at[item_id] == at, item_id

    # a repost arriving after the kill joins its story's alert
    store = SQLiteStore(f"sqlite:///{db}")
    try:
        late = _repost(0, 4)  # "Chia sẻ: ..." again, from another page
        late.url = "https://mxh.example/s0/late"
        store.upsert_items([late])
    finally:
        store.close()
    kill_worker.run(str(db), batch=BATCH, autocommit=autocommit, profile=str(kill_profile))
    final = outcome(db)
    first = SQLiteStore(f"sqlite:///{db}")
    try:
        story0 = first.get_item_by_url("https://mxh.example/s0/r0").enrichment.story_id
        late_item = first.get_item_by_url("https://mxh.example/s0/late")
    finally:
        first.close()
    assert late_item.enrichment.story_id == story0
    alert = next(ids for ids in final.alerts.values() if late_item.id in ids)
    assert len(alert) == REPOSTS + 1 and len(final.alerts) == STORIES


def test_a_crawl_killed_mid_run_stores_every_item_exactly_once(tmp_store, crawl_profile, monkeypatch):
    from support.fixture_site import FixtureSite

    site = FixtureSite()
    try:
        site.state.generated = 80  # the crawler stores 50 items at a time: the kill follows the first 50
        src = [source("fx-gen", "rss", f"{site.url}/gen-feed.xml", scope="province")]
        monkeypatch.setenv("GIAMSAT_FAULT", "crawl:after-store:1")
        first = crawl(
            crawl_profile, tmp_store, src, settings={**TEST_SETTINGS, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
        )
        assert first.interrupted  # killed: no report written by the child
        stored = tmp_store.count(Query(source_ids=["fx-gen"]))
        assert 0 < stored < 80
        monkeypatch.delenv("GIAMSAT_FAULT")
        second = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS)
        assert second.sources["fx-gen"].finished
        items = list(tmp_store.iter_items(Query(source_ids=["fx-gen"])))
        assert len(items) == 80 == len({i.canonical_url for i in items})
        assert all(i.revision == 1 for i in items)  # re-fetched pages did not become revisions
    finally:
        site.close()
