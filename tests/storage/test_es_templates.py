"""The Elasticsearch backend without a server: the JSON it sends (templates, analysis, ILM policy,
query bodies), the upsert plan, client options, bulk failure handling, and the deployment files.

The analyzer is checked through a small model of the analysis chain (``storage.es.analysis``) that
interprets ``analysis.json`` itself; the model is first checked against token outputs documented
by Elastic, then used to show that the Vietnamese queries of the issue match.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from giamsat.core.errors import StoreError
from giamsat.core.model import Engagement, Enrichment, Item, Scored, item_id_for
from giamsat.storage import es as names
from giamsat.storage.base import FACETS, Query
from giamsat.storage.es import analysis as an
from giamsat.storage.es import queries as qb
from giamsat.storage.es.bulk import BulkResult, BulkUnavailable, _record, bulk_write, read_spool
from giamsat.storage.es.documents import (
    Existing,
    doc_source,
    item_source,
    plan_upserts,
    source_to_item,
    with_enrichment,
)

REPO = Path(__file__).resolve().parents[2]


def toks(tokens: list[an.Token]) -> list[str]:
    return [t.token for t in tokens]


# -- the analyzer model against Elastic's documented examples ---------------------------------------
def test_model_standard_tokenizer_documented_example() -> None:
    # Elasticsearch reference, "Standard tokenizer"
    text = "The 2 QUICK Brown-Foxes jumped over the lazy dog's bone."
    assert an.standard_tokenize(text) == [
        "The",
        "2",
        "QUICK",
        "Brown",
        "Foxes",
        "jumped",
        "over",
        "the",
        "lazy",
        "dog's",
        "bone",
    ]


def test_model_lowercase_documented_example() -> None:
    # "Lowercase token filter": THE Quick FoX JUMPs -> [ the, quick, fox, jumps ]
    assert toks(an.analyze_with("THE Quick FoX JUMPs", [], ["lowercase"])) == ["the", "quick", "fox", "jumps"]


def test_model_asciifolding_documented_example() -> None:
    # "ASCII folding token filter": açaí à la carte -> [ acai, a, la, carte ]
    assert toks(an.analyze_with("açaí à la carte", [], ["asciifolding"])) == ["acai", "a", "la", "carte"]


def test_model_asciifolding_preserve_original_emits_both_at_one_position() -> None:
    # preserve_original: "emit both original tokens and folded tokens"; Lucene emits the folded
    # token first and the original after it with a position increment of 0.
    out = an.analyze_with("açaí à la carte", [], [{"type": "asciifolding", "preserve_original": True}])
    assert [(t.token, t.position) for t in out] == [
        ("acai", 0), ("açaí", 0), ("a", 1), ("à", 1), ("la", 2), ("carte", 3),
    ]  # fmt: skip


def test_model_mapping_char_filter_documented_examples() -> None:
    # "Mapping character filter": Arabic-Indic digits, and emoticons with the standard tokenizer
    digits = [f"{chr(0x660 + d)} => {d}" for d in range(10)]
    assert an.apply_mapping("My license plate is ٢٥٠١٥", digits) == "My license plate is 25015"
    emoticons = {"type": "mapping", "mappings": [":) => _happy_", ":( => _sad_"]}
    assert toks(an.analyze_with("I'm delighted about it :(", [emoticons], [])) == [
        "I'm",
        "delighted",
        "about",
        "it",
        "_sad_",
    ]


# -- our Vietnamese analysis -------------------------------------------------------------------------
def test_vi_text_chain_is_char_filter_standard_lowercase_folding() -> None:
    settings = names.analysis_settings()
    vi = settings["analyzer"]["vi_text"]
    assert vi == {
        "type": "custom",
        "char_filter": ["vi_d_stroke"],
        "tokenizer": "standard",
        "filter": ["lowercase", "vi_folding"],
    }
    assert settings["filter"]["vi_folding"] == {"type": "asciifolding", "preserve_original": True}
    assert settings["char_filter"]["vi_d_stroke"] == {"type": "mapping", "mappings": ["đ => d", "Đ => D"]}


def test_vi_text_tokens() -> None:
    out = an.analyze("Đất đai Khánh Hòa")
    assert [(t.token, t.position) for t in out] == [
        ("dat", 0), ("dất", 0), ("dai", 1), ("khanh", 2), ("khánh", 2), ("hoa", 3), ("hòa", 3),
    ]  # fmt: skip
    # the char filter runs before tokenising: no token keeps a đ
    assert not any("đ" in t.token for t in an.analyze("ĐỒNG ĐỘI đường"))
    assert toks(an.analyze("Nha Trang 2025")) == ["nha", "trang", "2025"]


@pytest.mark.parametrize(
    ("query", "document", "hit"),
    [
        ("khanh hoa", "Sạt lở ở Khánh Hòa", True),
        ("dat dai", "Tranh chấp đất đai", True),
        ("Khánh Hoà", "Du lịch Khánh Hòa", True),  # old and new tone placement
        ("KHÁNH HÒA", "khánh hoà", True),
        ("đất", "DAT nen", True),
        ("khanh hoa", "Khánh Vĩnh", False),
        ("Hòa", "Hà Nội", False),
    ],
)
def test_vietnamese_queries_match_with_or_without_diacritics(query: str, document: str, hit: bool) -> None:
    assert an.matches(query, document) is hit


def test_folded_keyword_normalizer() -> None:
    assert an.normalize_keyword("Phường Đồng Xoài") == "phuong dong xoai"


# -- templates and the ILM policy -------------------------------------------------------------------
def test_items_template() -> None:
    t = names.index_template("items", "gs")
    assert t["index_patterns"] == ["gs-items-*"]
    assert t["template"]["aliases"] == {"gs-items": {}}
    settings = t["template"]["settings"]
    assert settings["index.lifecycle.name"] == names.ilm_policy_name("gs") == "gs-items"
    assert settings["analysis"] == names.analysis_settings()
    props = t["template"]["mappings"]["properties"]
    assert t["template"]["mappings"]["dynamic"] is False
    for field in ("title", "text"):
        assert props[field] == {**props[field], "type": "text", "analyzer": "vi_text"}
    for field in ("published", "fetched", "ts"):
        assert props[field]["type"] == "date"
    assert props["enrichment"] == {"type": "object", "enabled": False}
    assert props["pending"]["type"] == "boolean" and props["ingest_seq"]["type"] == "long"
    assert t["_meta"]["managed_by"] == "giamsat" and "{prefix}" not in json.dumps(t)
    # every analyzer or normalizer a mapping names is defined
    defined = set(settings["analysis"]["analyzer"]) | set(settings["analysis"]["normalizer"])
    used = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("analyzer", "normalizer", "search_analyzer"):
                if isinstance(node.get(key), str):
                    used.add(node[key])
            for v in node.values():
                walk(v)

    walk(t["template"]["mappings"])
    assert used and used <= defined


@pytest.mark.parametrize("name", FACETS)
def test_every_facet_is_a_keyword_field(name: str) -> None:
    props = names.index_template("items")["template"]["mappings"]["properties"]
    path = qb.FACET_FIELDS[name].split(".")
    spec = props[path[0]] if len(path) == 1 else props[path[0]]["fields"][path[1]]
    assert spec["type"] == "keyword" and "normalizer" not in spec  # facets show exact names


def test_all_templates_and_names() -> None:
    for kind in names.TEMPLATE_KINDS:
        t = names.index_template(kind, "giamsat")
        assert t["priority"] >= 200 and t["index_patterns"]
        assert all(p.startswith("giamsat-") for p in t["index_patterns"])
    assert names.index_template("docs")["index_patterns"] == ["giamsat-docs-*"]
    dyn = names.index_template("docs")["template"]["mappings"]["dynamic_templates"]
    assert {"fk_keywords", "fn_numbers"} == {next(iter(d)) for d in dyn}
    assert names.items_index("g", datetime(2025, 12, 31, 18, 0, tzinfo=UTC)) == "g-items-2025.12"
    # 31/12 01:00 in Hà Nội is still December in UTC... and 1/1 01:00 local is 31/12 UTC
    assert (
        names.items_index("g", datetime(2026, 1, 1, 1, 0, tzinfo=UTC) - timedelta(hours=7))
        == "g-items-2025.12"
    )
    assert names.docs_index("g", "tickets") == "g-docs-tickets"
    with pytest.raises(ValueError):
        names.docs_index("g", "../x")
    with pytest.raises(ValueError):
        names.check_prefix("Giamsat")
    with pytest.raises(ValueError):
        names.index_template("nope")


def test_ilm_policy_ages_by_write_time_and_never_blocks_writes() -> None:
    policy = names.ilm_policy()["policy"]
    assert set(policy["phases"]) == {"hot", "warm", "cold"}  # no automatic delete of records
    assert "rollover" not in policy["phases"]["hot"]["actions"]  # indices are monthly by name
    assert policy["phases"]["warm"]["actions"]["forcemerge"] == {"max_num_segments": 1}
    # an old month can still receive a revision or an enrichment: no phase makes it read-only
    actions = [a for phase in policy["phases"].values() for a in phase["actions"]]
    assert not {"readonly", "freeze", "shrink", "delete"} & set(actions)
    # and its age is counted from creation (first write), never from the article's month
    for kind in names.TEMPLATE_KINDS:
        settings = names.index_template(kind, "g")["template"]["settings"]
        assert "index.lifecycle.origination_date" not in settings
        assert "index.lifecycle.parse_origination_date" not in settings
    assert not hasattr(names, "index_settings_for")


def test_templates_and_policy_carry_a_digest_of_their_body() -> None:
    a = names.index_template("items", "g")
    assert a["_meta"]["version"] == names.digest(a) and len(a["_meta"]["version"]) == 16
    assert names.index_template("items", "g")["_meta"]["version"] == a["_meta"]["version"]  # stable
    assert names.index_template("items", "h")["_meta"]["version"] != a["_meta"]["version"]
    assert names.stored_version(a) == a["_meta"]["version"] and names.stored_version(None) is None
    policy = names.ilm_policy()
    assert (
        names.stored_version(policy["policy"]) == policy["policy"]["_meta"]["version"] == names.digest(policy)
    )
    # a small result window (tests, es-check) is written to the indices; the default is not
    assert "index.max_result_window" not in a["template"]["settings"]
    small = names.index_template("docs", "g", result_window=7)
    assert small["template"]["settings"]["index.max_result_window"] == 7
    assert small["_meta"]["version"] != names.index_template("docs", "g")["_meta"]["version"]
    assert names.template_prefix("g-docs", small) == "g"
    assert names.template_prefix("old-items", {"_meta": {"managed_by": "giamsat"}}) == "old"
    assert names.template_prefix("logs", {"_meta": {"managed_by": "someone"}}) is None


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("g-docs-*", "g-docs-x-items-*", True),
        ("g-items-*", "g-item-revisions", False),
        ("g-docs-*", "g-docs-tickets", True),
        ("g-raw", "g-raw", True),
        ("g-raw", "g-raw2", False),
        ("g-*", "h-*", False),
    ],
)
def test_patterns_overlap(a: str, b: str, overlap: bool) -> None:
    assert names.patterns_overlap(a, b) is overlap and names.patterns_overlap(b, a) is overlap


def test_overlapping_prefixes_are_found() -> None:
    # "giamsat-docs" would create giamsat-docs-items-2025.03, which giamsat's docs template also matches
    assert names.overlapping_prefixes("giamsat-docs", {"giamsat"}) == ["giamsat"]
    assert names.overlapping_prefixes("giamsat", {"giamsat-docs", "giamsat-items-x"}) == [
        "giamsat-docs",
        "giamsat-items-x",
    ]
    # the test prefixes and province prefixes beside the default one do not collide
    assert names.overlapping_prefixes("giamsat", {"giamsat-test-ab12", "khanhhoa", "giamsat"}) == []
    assert names.overlapping_prefixes("giamsat-raw", {"giamsat"}) == []  # giamsat-raw-* vs giamsat-raw


# -- query builders ----------------------------------------------------------------------------------
def test_text_query_syntax() -> None:
    assert qb.text_query("khánh hòa") == {
        "bool": {
            "must": [
                {"multi_match": {"query": "khánh", "fields": ["title^2", "text"], "operator": "and"}},
                {"multi_match": {"query": "hòa", "fields": ["title^2", "text"], "operator": "and"}},
            ]
        }
    }
    phrase = qb.text_query('"nha trang" -đất tranh*')["bool"]
    assert phrase["must"][0] == {
        "multi_match": {"query": "nha trang", "fields": ["title^2", "text"], "type": "phrase"}
    }
    assert phrase["must"][1]["bool"]["should"] == [
        {"prefix": {"title": "tranh"}},
        {"prefix": {"text": "tranh"}},
    ]
    assert phrase["must_not"][0]["multi_match"]["query"] == "đất"
    assert qb.text_query("Đường*")["bool"]["must"][0]["bool"]["should"][0] == {"prefix": {"title": "duong"}}
    assert qb.text_query("!!! -x") == {"match_none": {}}
    # decomposed input is normalised to NFC before it reaches the analyzer
    assert qb.text_query("Kha\u0301nh")["bool"]["must"][0]["multi_match"]["query"] == "Khánh"


def test_build_query_filters() -> None:
    q = Query(
        since=datetime(2025, 3, 1, tzinfo=UTC),
        until=datetime(2025, 3, 2, 7, 0, tzinfo=UTC),
        source_ids=["a"],
        localities=["Nha Trang"],
        topics=["dat-dai"],
        province="khanh-hoa",
        story_id="s1",
        min_risk=0.5,
    )
    flt = qb.build_query(q)["bool"]["filter"]
    assert {"range": {"ts": {"gte": "2025-03-01T00:00:00+00:00", "lt": "2025-03-02T07:00:00+00:00"}}} in flt
    assert {"terms": {"source_id": ["a"]}} in flt
    assert {"terms": {"localities.keyword": ["Nha Trang"]}} in flt
    assert {"terms": {"topics": ["dat-dai"]}} in flt
    assert {"term": {"province": "khanh-hoa"}} in flt and {"term": {"story_id": "s1"}} in flt
    assert {"range": {"risk": {"gte": 0.5}}} in flt
    assert qb.build_query(Query()) == {"match_all": {}}
    assert "must" in qb.build_query(Query(text="x"))["bool"]


def test_sorts() -> None:
    assert qb.sort_for(Query())[0] == {"ts": {"order": "desc", "unmapped_type": "date"}}
    assert qb.sort_for(Query(order="oldest"))[0]["ts"]["order"] == "asc"
    assert qb.sort_for(Query(order="risk"))[0] == {
        "risk": {"order": "desc", "unmapped_type": "float", "missing": "_last"}
    }
    assert qb.sort_for(Query(order="relevance", text="x"))[0] == "_score"
    assert qb.sort_for(Query(order="relevance")) == qb.sort_for(Query())
    body = qb.search_body(Query(), 20, 40)
    assert (body["size"], body["from"], body["track_total_hits"]) == (20, 40, True)


def test_aggregation_bodies() -> None:
    facet = qb.facet_body("locality", Query(), 5)
    assert facet["size"] == 0
    assert facet["aggs"]["facet"]["terms"] == {
        "field": "localities.keyword",
        "size": 5,
        "order": [{"_count": "desc"}, {"_key": "asc"}],
    }
    with pytest.raises(ValueError):
        qb.facet_body("colour", Query())
    hist = qb.histogram_body(Query(), "Asia/Ho_Chi_Minh")["aggs"]["days"]["date_histogram"]
    assert hist == {
        "field": "ts",
        "calendar_interval": "day",
        "time_zone": "Asia/Ho_Chi_Minh",
        "min_doc_count": 1,
        "format": "yyyy-MM-dd",
    }
    top = qb.top_stories_body(Query(text="x"), 3)
    assert {"exists": {"field": "story_id"}} in top["query"]["bool"]["filter"]
    stories = top["aggs"]["stories"]
    assert stories["terms"]["field"] == "story_id" and stories["terms"]["size"] == 3
    assert set(stories["aggs"]) == {"sources", "eng", "max_risk", "first_seen", "last_seen", "head"}
    assert qb.top_stories_body(Query(), 3)["query"] == {
        "bool": {"filter": [{"exists": {"field": "story_id"}}]}
    }
    scan = {"query": qb.build_query(Query())}
    pit = qb.pit_page(scan, 100, "PIT", "2m", ["x", 5])
    assert pit["pit"] == {"id": "PIT", "keep_alive": "2m"} and pit["sort"] == [{"_shard_doc": "asc"}]
    assert pit["search_after"] == ["x", 5] and "index" not in pit and "from" not in pit
    assert "search_after" not in qb.pit_page(scan, 100, "PIT", "2m", None)
    sorted_pit = qb.pit_page(qb.sorted_body(Query()), 7, "P", "1m", None)
    assert sorted_pit["sort"] == qb.sort_for(Query()) and sorted_pit["size"] == 7
    after = qb.after_page({**qb.sorted_body(Query()), "from": 30, "size": 99}, 7, ["t", 1, "id"])
    assert "from" not in after and after["size"] == 7 and after["search_after"] == ["t", 1, "id"]
    assert qb.scroll_first(scan, 7)["sort"] == ["_doc"] and qb.window_of({"from": 9990, "size": 50}) == 10040
    assert qb.window_of({}) == 10


def test_response_parsers() -> None:
    # shapes as returned by the search API
    assert qb.parse_facet({"aggregations": {"facet": {"buckets": [{"key": "a", "doc_count": 3}]}}}) == [
        ("a", 3)
    ]
    days = {
        "aggregations": {
            "days": {"buckets": [{"key_as_string": "2025-03-02", "key": 1740848400000, "doc_count": 2}]}
        }
    }
    assert qb.parse_histogram(days)[0][1] == 2 and str(qb.parse_histogram(days)[0][0]) == "2025-03-02"
    bucket = {
        "key": "s1",
        "doc_count": 3,
        "sources": {"value": 2},
        "eng": {"value": 7.0},
        "max_risk": {"value": 0.95},
        "first_seen": {"value": 1740798000000.0, "value_as_string": "2025-03-01T03:00:00.000Z"},
        "last_seen": {"value": None},
        "head": {"hits": {"hits": [{"_source": {"title": "T", "url": "u", "sentiment": "tieu-cuc"}}]}},
    }
    (s,) = qb.parse_top_stories({"aggregations": {"stories": {"buckets": [bucket]}}})
    assert (s.story_id, s.items, s.sources, s.engagement, s.title) == ("s1", 3, 2, 7, "T")
    assert s.first_seen == datetime(2025, 3, 1, 3, 0, tzinfo=UTC) and s.last_seen is None


def test_docs_queries() -> None:
    q = qb.docs_query({"status": ["moi", "dong"], "number": 3, "urgent": True, "unit": None})
    flt = q["bool"]["filter"]
    assert flt[0]["bool"]["should"] == [{"term": {"fk.status": "moi"}}, {"term": {"fk.status": "dong"}}]
    assert {"term": {"fn.number": 3}} in flt and {"term": {"fk.urgent": "true"}} in flt
    assert q["bool"]["must_not"] == [{"exists": {"field": "fk.unit"}}, {"exists": {"field": "fn.unit"}}]
    assert qb.docs_query({"status": []}) == {"match_none": {}}
    assert qb.docs_query(None) == {"match_all": {}}
    with pytest.raises(ValueError):
        qb.docs_query({"a.b": 1})
    sort = qb.docs_sort("-number")
    assert sort[0] == {"fn.number": {"order": "desc", "unmapped_type": "double", "missing": "_last"}}
    assert sort[1]["fk.number"]["order"] == "desc" and sort[2] == {"id": {"order": "asc"}}
    # a missing keyword sorts as "" (never a null sort value, which search_after may refuse)
    assert sort[1]["fk.number"]["missing"] == "" and qb.docs_sort("unit")[1]["fk.unit"]["missing"] == ""
    assert qb.docs_sort(None)[0] == {"updated": {"order": "desc"}}
    # every read body is sorted on a unique field last, so a page can follow the previous one
    assert qb.docs_search_body(None, "number")["sort"][-1] == {"id": {"order": "asc"}}
    assert qb.sort_for(Query(order="risk"))[-1] == qb.sort_for(Query())[-1] == qb.ID_TIEBREAK
    assert qb.pending_body()["sort"][-1] == qb.ID_TIEBREAK
    assert qb.events_body(None, None)["sort"] == [{"seq": {"order": "asc"}}]
    for body in (
        qb.docs_search_body(None, None),
        qb.pending_body(),
        qb.events_body("t", "1"),
        qb.sorted_body(Query()),
    ):
        assert "size" not in body and "from" not in body  # the store decides the window


def test_doc_source_splits_keywords_and_numbers() -> None:
    src = doc_source(
        {
            "id": "t1",
            "version": 2,
            "status": "moi",
            "number": 7,
            "urgent": False,
            "tags": ["a", "b"],
            "reach": {"x": 1},
        },
        datetime(2025, 3, 1, tzinfo=UTC),
    )
    assert src["fk"] == {"id": "t1", "status": "moi", "urgent": "false", "tags": ["a", "b"]}
    assert src["fn"] == {"version": 2, "number": 7}
    assert src["body"]["reach"] == {"x": 1} and src["version"] == 2


# -- the upsert plan ---------------------------------------------------------------------------------
def _item(text: str = "Nội dung", **kw) -> Item:
    return Item(
        source_id="s",
        url="https://a.vn/1",
        title="Tiêu đề",
        text=text,
        published=datetime(2025, 3, 1, 2, tzinfo=UTC),
        **kw,
    )


def test_plan_new_item_is_created_in_its_month() -> None:
    plan = plan_upserts([_item()], {}, "g", 100)
    (action,) = plan.actions
    assert action["_op_type"] == "create" and action["_index"] == "g-items-2025.03"
    assert action["_id"] == item_id_for("https://a.vn/1")
    src = action["_source"]
    assert (src["revision"], src["pending"], src["ingest_seq"], src["ts"]) == (
        1,
        True,
        100,
        "2025-03-01T02:00:00+00:00",
    )
    assert (plan.stats.new, plan.stats.ids) == (1, [action["_id"]])


def test_plan_unchanged_and_revised_use_compare_and_set() -> None:
    old = item_source(_item(), 1)
    old["id"] = item_id_for("https://a.vn/1")
    existing = {old["id"]: Existing(index="g-items-2025.03", source=old, seq_no=5, primary_term=1)}
    same = plan_upserts([_item()], existing, "g", 200)
    assert same.actions == [] and same.stats.unchanged == 1
    reach = plan_upserts([_item(engagement=Engagement(likes=3))], existing, "g", 200)
    (a,) = reach.actions
    assert (a["_op_type"], a["if_seq_no"], a["if_primary_term"]) == ("index", 5, 1)
    assert a["_source"]["eng_total"] == 3 and a["_source"]["revision"] == 1
    changed = plan_upserts([_item("Nội dung mới", author=None)], existing, "g", 200)
    rev, doc = changed.actions
    assert (
        rev["_index"] == "g-item-revisions" and rev["_id"] == f"{old['id']}-1" and rev["_op_type"] == "create"
    )
    assert rev["_source"]["text"] == "Nội dung"
    assert doc["_index"] == "g-items-2025.03" and doc["if_seq_no"] == 5  # stays in its month
    assert (doc["_source"]["revision"], doc["_source"]["text"], doc["_source"]["pending"]) == (
        2,
        "Nội dung mới",
        True,
    )
    assert changed.stats.revised == 1


def test_plan_repeats_in_one_batch_behave_sequentially() -> None:
    plan = plan_upserts([_item("a"), _item("a"), _item("b")], {}, "g", 1)
    assert (plan.stats.new, plan.stats.unchanged, plan.stats.revised) == (1, 1, 1)
    rev, doc = plan.actions
    assert rev["_source"]["text"] == "a" and doc["_op_type"] == "create" and doc["_source"]["revision"] == 2


def test_enrichment_round_trip_through_the_document() -> None:
    src = item_source(_item(), 1)
    enr = Enrichment(
        language="vi", sentiment=Scored("tieu-cuc", 0.9), topics=[Scored("dat-dai", 0.8)],
        localities=["Nha Trang", "Nha Trang"], risk=0.7, story_id="s1", province="khanh-hoa",
    )  # fmt: skip
    out = with_enrichment(src, enr)
    assert (out["pending"], out["enriched_rev"], out["topics"], out["localities"]) == (
        False,
        1,
        ["dat-dai"],
        ["Nha Trang"],
    )
    item = source_to_item(out)
    assert item.enrichment is not None and item.enrichment.sentiment.label == "tieu-cuc"
    assert item.published == datetime(2025, 3, 1, 2, tzinfo=UTC)


# -- connection and failure handling ------------------------------------------------------------------
def test_client_options_from_environment() -> None:
    from giamsat.storage.elasticsearch import client_options

    host, kw, shown = client_options(
        "https://es.local:9200/", {"ELASTICSEARCH_API_KEY": "k", "ELASTICSEARCH_CA_CERTS": "/ca.crt"}
    )
    assert host == shown == "https://es.local:9200" and kw["api_key"] == "k" and kw["ca_certs"] == "/ca.crt"
    _, kw, shown = client_options(
        "http://u:p@es:9200", {"ELASTICSEARCH_USERNAME": "x", "ELASTICSEARCH_PASSWORD": "y"}
    )
    assert kw["basic_auth"] == ("u", "p") and "p@" not in shown  # never show the password
    # credentials in a URL are percent-encoded: a password with @ : / % must arrive decoded
    _, kw, shown = client_options("https://giam%40sat:p%40ss%3Aw%2Frd%25@es:9200", {})
    assert kw["basic_auth"] == ("giam@sat", "p@ss:w/rd%") and "ss" not in shown
    _, kw, _ = client_options("http://only-user@es:9200", {"ELASTICSEARCH_PASSWORD": "from-env"})
    assert kw["basic_auth"] == ("only-user", "from-env")
    _, kw, _ = client_options(
        "http://es:9200", {"ELASTICSEARCH_USERNAME": "elastic", "ELASTICSEARCH_PASSWORD": "pw"}
    )
    assert kw["basic_auth"] == ("elastic", "pw")
    with pytest.raises(StoreError):
        client_options("ftp://es", {})


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server_is_a_clear_store_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from giamsat.storage import open_store

    monkeypatch.delenv("ELASTICSEARCH_API_KEY", raising=False)
    with pytest.raises(StoreError, match="không kết nối được Elasticsearch"):
        open_store(f"http://127.0.0.1:{_closed_port()}")


def test_bulk_with_server_down_spools_every_document(tmp_path: Path) -> None:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(f"http://127.0.0.1:{_closed_port()}", max_retries=0, request_timeout=2)
    spool = tmp_path / "queue.jsonl"
    actions = [
        {"_op_type": "index", "_index": "g-docs-x", "_id": str(i), "_source": {"n": i}} for i in range(3)
    ]
    with pytest.raises(BulkUnavailable) as err:
        bulk_write(client, actions, spool=spool, max_retries=0)
    assert err.value.count == 3
    queued = read_spool(spool)
    assert [q["action"]["_id"] for q in queued] == ["0", "1", "2"] and all(q["reason"] for q in queued)


def test_bulk_item_results_are_sorted_into_ok_conflicts_and_failures() -> None:
    result = BulkResult()
    a1 = {"_op_type": "index", "_index": "g-items-2025.03", "_id": "a", "_source": {}}
    a2 = {"_op_type": "create", "_index": "g-raw", "_id": "b", "_source": {}}
    a3 = {"_op_type": "index", "_index": "g-items-2025.03", "_id": "c", "_source": {}}
    a4 = {"_op_type": "index", "_index": "g-items-2025.03", "_id": "d", "_source": {}}
    pending = {("index", "a"): [a1], ("create", "b"): [a2], ("index", "c"): [a3], ("index", "d"): [a4]}
    conflict = {"type": "version_conflict_engine_exception", "reason": "[a]: version conflict"}
    _record(
        result,
        pending,
        False,
        {"index": {"_index": "g-items-2025.03", "_id": "a", "status": 409, "error": conflict}},
        {"g-raw"},
    )
    _record(
        result,
        pending,
        False,
        {"create": {"_index": "g-raw", "_id": "b", "status": 409, "error": conflict}},
        {"g-raw"},
    )
    bad = {"type": "document_parsing_exception", "reason": "failed to parse field [ts]"}
    _record(
        result,
        pending,
        False,
        {"index": {"_index": "g-items-2025.03", "_id": "c", "status": 400, "error": bad}},
        {"g-raw"},
    )
    _record(
        result, pending, True, {"index": {"_index": "g-items-2025.03", "_id": "d", "status": 201}}, {"g-raw"}
    )
    assert result.ok == 2 and result.conflicts == [a1]
    (failure,) = result.failed
    assert failure.action is a3 and failure.status == 400 and "failed to parse field [ts]" in failure.reason


# -- deployment files ----------------------------------------------------------------------------------
def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_structure() -> None:
    """What a province needs from ``docker compose up`` as is (checked statically: no Docker
    engine on this machine, docs/scale.md §4)."""
    c = _compose()
    services = c["services"]
    assert set(services) == {"elasticsearch", "setup", "scheduler", "worker", "dashboard", "proxy"}
    es = services["elasticsearch"]
    image_default = es["image"].split(":-")[1].rstrip("}")
    from elasticsearch import __versionstr__

    from giamsat.storage.es.compat import parse_version

    # the server is at least the client the image installs (Dockerfile pins client <= server)
    assert parse_version(image_default) >= parse_version(__versionstr__)
    assert es["image"].startswith("docker.elastic.co/elasticsearch/elasticsearch:${ES_VERSION:-9.")
    assert es["environment"]["xpack.security.enabled"] == "true"
    assert es["environment"]["discovery.type"] == "single-node"
    assert "${ELASTIC_PASSWORD:?" in es["environment"]["ELASTIC_PASSWORD"]
    assert any(v.endswith(":/usr/share/elasticsearch/data") for v in es["volumes"])
    assert es["ports"] == ["127.0.0.1:${ES_PORT:-9200}:9200"]  # never on all interfaces
    for name, svc in services.items():
        assert svc.get("mem_limit"), f"{name}: no memory limit"
        if name == "setup":
            assert svc["restart"] == "no" and svc["healthcheck"] == {"disable": True}
            continue
        assert "healthcheck" in svc and svc["healthcheck"]["test"], name
        assert svc.get("restart") == "unless-stopped", name
    # the setup service is the only one with the superuser; it creates the apps' user
    setup = services["setup"]
    assert setup["command"][:2] == ["es", "setup"]
    assert setup["environment"]["ELASTICSEARCH_USERNAME"] == "elastic"
    assert setup["depends_on"] == {"elasticsearch": {"condition": "service_healthy"}}
    for name in ("scheduler", "worker", "dashboard"):
        svc = services[name]
        env = svc["environment"]
        assert env["GIAMSAT_STORE"] == "http://elasticsearch:9200"
        assert env["ELASTICSEARCH_USERNAME"] == "${GIAMSAT_ES_APP_USER:-giamsat_app}" != "elastic"
        assert "GIAMSAT_ES_APP_PASSWORD" in env["ELASTICSEARCH_PASSWORD"]
        assert env["GIAMSAT_CONFIG_DIR"] == "/etc/giamsat"
        assert any(v.endswith(":/etc/giamsat:ro") for v in svc["volumes"])
        assert svc["depends_on"] == {"setup": {"condition": "service_completed_successfully"}}
        # health checks only read: `giamsat es health` opens the store with install=False
        if name != "dashboard":
            assert svc["healthcheck"]["test"] == ["CMD", "giamsat", "es", "health"]
    assert services["scheduler"]["command"] == ["run", "--no-process"]
    assert services["worker"]["command"] == ["process", "--loop"]
    dash = services["dashboard"]
    assert dash["command"][:3] == ["dashboard", "--address", "0.0.0.0"]  # not forced to 127.0.0.1
    assert "ports" not in dash and dash["expose"] == ["8501"]  # reachable only through the proxy
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy:") and "${HTTPS_PORT:-443}:443" in proxy["ports"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddy = (REPO / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert "tls internal" in caddy and "reverse_proxy dashboard:8501" in caddy
    assert set(c["volumes"]) == {"esdata", "giamsat-data", "caddy-data", "caddy-config"}
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    for var in (
        "ELASTIC_PASSWORD=",
        "GIAMSAT_ES_APP_PASSWORD=",
        "GIAMSAT_PUBLIC_HOST=",
        f"ES_VERSION={image_default}",
    ):
        assert var in example
    assert (REPO / "deploy" / "province" / "profiles" / "README.md").exists()


def test_app_role_is_least_privilege() -> None:
    from giamsat.cli.es import app_role

    role = app_role("giamsat")
    assert role["indices"] == [
        {
            "names": ["giamsat-*"],
            "privileges": ["read", "write", "create_index", "view_index_metadata", "maintenance"],
        }
    ]
    assert set(role["cluster"]) == {"monitor", "read_ilm"}  # no manage_*, no security, no all
    assert not any(
        p.startswith("manage") or p == "all" for p in role["cluster"] + role["indices"][0]["privileges"]
    )


def test_compose_config_is_accepted(tmp_path: Path) -> None:
    """``docker compose config`` (plugin) or ``docker-compose config`` when installed; otherwise the
    Compose Specification JSON schema shipped with docker-compose, when present."""
    env = ["--env-file", str(REPO / ".env.example")]
    for cmd in (["docker", "compose"], ["docker-compose"]):
        if not shutil.which(cmd[0]):
            continue
        probe = subprocess.run([*cmd, "version"], capture_output=True, text=True, timeout=60)
        if probe.returncode != 0:
            continue
        run = subprocess.run(
            [*cmd, "-f", str(REPO / "docker-compose.yml"), *env, "config", "-q"],
            capture_output=True, text=True, timeout=120, cwd=REPO,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        return
    schema = Path("/usr/lib/python3/dist-packages/compose/config/compose_spec.json")
    if not schema.exists():
        pytest.skip(
            "neither `docker compose` nor `docker-compose` is installed; structure checked by test_compose_structure"
        )
    import jsonschema

    jsonschema.validate(_compose(), json.loads(schema.read_text()))


def test_dockerfile_builds_from_the_wheel() -> None:
    """Two stages: ``pip wheel --no-deps .`` then only that wheel in a slim Python 3.11, non-root."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert stages == ["FROM python:3.11-slim AS build", "FROM python:3.11-slim"]
    build, final = text.split("\nFROM python:3.11-slim\n")
    assert "pip wheel --no-deps --wheel-dir /wheels ." in build
    assert "COPY --from=build /wheels /wheels" in final and "pip install /wheels/giamsat-*.whl" in final
    assert "COPY . " not in final and "pip install ." not in final  # no source tree in the image
    assert "USER giamsat" in final and final.index("USER giamsat") > final.index("pip install")
    assert 'ENTRYPOINT ["giamsat"]' in final and "GIAMSAT_CONFIG_DIR=/etc/giamsat" in final
    # the client matches the server: 8.x -> 8.16..<9, 9.x -> <= the image version
    assert (
        'client="elasticsearch>=8.16,<9"' in final
        and 'client="elasticsearch>=${major}.0,<=${ES_VERSION}"' in final
    )
    compose_default = _compose()["services"]["elasticsearch"]["image"].split(":-")[1].rstrip("}")
    assert f"ARG ES_VERSION={compose_default}" in final
    ignore = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".env"} <= set(ignore)


def test_dockerfile_client_rule_picks_a_supported_client() -> None:
    """The shell rule in the Dockerfile, run by the shell with a few server versions."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    rule = re.search(r'major="\$\{ES_VERSION%%\.\*\}".*?fi', text, re.S).group(0)  # type: ignore[union-attr]
    rule = rule.replace("\\\n", "\n").replace(" && ", "\n").replace("&& ", "")
    for server, expect in (("9.5.1", "elasticsearch>=9.0,<=9.5.1"), ("8.19.3", "elasticsearch>=8.16,<9")):
        out = subprocess.run(["sh", "-c", f'ES_VERSION={server}\n{rule}\necho "$client"'],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        assert out == expect
