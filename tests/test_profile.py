"""Profiles: every shipped one loads with the 2025 structure; provinces extend only the national
base and never inherit another province's content; a broken one is refused with one clear line
naming the file where the mistake was written (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.core.errors import ConfigError
from giamsat.core.profile import PROVINCIAL, _provincial_in, available_profiles, load_profile
from giamsat.core.text import fold

PROFILES = Path(__file__).resolve().parent.parent / "config" / "profiles"
KH = PROFILES / "khanh-hoa.yaml"
PROVINCES = ["khanh-hoa", "lam-dong", "ha-tinh", "lang-son"]
# Codes of units dissolved or renamed in 2025 (and giamsat's old code for Sở Y tế).
OLD_CODES = {"so-tttt", "so-tnmt", "so-nnptnt", "so-khdt", "so-gtvt", "so-ldtbxh", "ban-tuyen-giao", "so-yte"}


@pytest.mark.parametrize("name", PROVINCES)
def test_shipped_profiles_have_the_2025_structure(name):
    p = load_profile(name)
    assert p.province.code == name
    assert p.coordinating_unit.code == "so-vhttdl"
    assert p.coordinating_unit.name == "Sở Văn hóa, Thể thao và Du lịch"
    codes = {u.code for u in p.units}
    assert not codes & OLD_CODES
    assert {"cong-an", "ban-tgdv", "so-khcn", "so-nnmt", "so-tai-chinh", "so-xay-dung", "so-noi-vu"} <= codes
    assert {"so-y-te", "so-gddt", "so-cong-thuong", "so-tu-phap", "thanh-tra", "vp-ubnd", "bdbp"} <= codes
    assert p.missing_sources() == [], "every unit and routing rule says where it comes from"
    assert p.old_code_uses() == []
    assert p.deadlines.source and "tỉnh cần xác nhận" in p.deadlines.source
    assert all(t.lexicon for t in p.topics), "every topic has the province's own lexicon"
    assert p.report.issuing_body == "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH" and p.report.symbol == "BC-SVHTTDL"
    # old codes resolve to the current unit and its current name
    assert p.unit_name("so-tnmt") == p.unit_name("so-nnptnt") == "Sở Nông nghiệp và Môi trường"
    assert p.unit_name("so-tttt") == "Sở Văn hóa, Thể thao và Du lịch"
    assert p.current_unit("ban-tuyen-giao") == "ban-tgdv"


@pytest.mark.parametrize("name", PROVINCES)
def test_giamsat_profile_command_passes(name):
    result = CliRunner().invoke(app, ["profile", name])
    assert result.exit_code == 0, result.output
    assert "Hợp lệ" in result.output and "Sở Văn hóa, Thể thao và Du lịch" in result.output
    assert "Lưu ý" not in result.output  # no old codes, no missing source, no bare topic


def test_profiles_listed_and_the_base_is_not_a_province():
    names = set(available_profiles())
    assert set(PROVINCES) <= names and not any(n.startswith("_") for n in names)
    with pytest.raises(ConfigError, match="base profile"):
        load_profile("_national")


def test_khanh_hoa_keeps_the_former_ninh_thuan_and_merged_tourism_department():
    kh = load_profile("khanh-hoa")
    assert kh.province.merged_from == ["Ninh Thuận"]
    places = {lm.name for lm in kh.gazetteer.landmarks}
    assert {"Phan Rang - Tháp Chàm", "Vĩnh Hy", "Núi Chúa", "Ninh Chữ", "Cà Ná"} <= places
    assert {"baoninhthuan", "ninhthuan-gov"} <= {s.id for s in kh.sources}
    assert kh.current_unit("so-du-lich") == "so-vhttdl"  # Sở Du lịch merged into Sở VHTTDL in 7/2025
    assert "Người Lao Động, 22/8/2025" in (kh.unit("so-vhttdl").source or "")
    assert "2086/QĐ-UBND" in (next(r for r in kh.routing.rules if r.id == "xau-doc").source or "")


def test_each_province_has_its_own_themes():
    ld, ht, ls = (load_profile(n) for n in ("lam-dong", "ha-tinh", "lang-son"))
    assert ld.province.merged_from == ["Đắk Nông", "Bình Thuận"]
    assert "bô xít" in ld.topic("khoang-san").lexicon and "phá rừng" in ld.topic("nong-nghiep").lexicon
    assert {"Đà Lạt", "Gia Nghĩa", "Phan Thiết", "Phú Quý"} <= {lm.name for lm in ld.gazetteer.landmarks}
    assert "Formosa" in ht.topic("moi-truong").lexicon and ht.topic("bien-dao")
    assert {"Vũng Áng", "Formosa"} <= {lm.name for lm in ht.gazetteer.landmarks}
    # Lạng Sơn is landlocked: no sea topic, nothing about Trường Sa; border gates and smuggling instead
    assert ls.topic("bien-dao") is None
    assert "truong sa" not in fold(json.dumps(ls.model_dump(mode="json"), ensure_ascii=False))
    assert "cửa khẩu" in ls.topic("bien-gioi").lexicon and "buôn lậu" in ls.topic("cong-thuong").lexicon
    assert {"Hữu Nghị", "Tân Thanh", "Chi Ma"} <= {lm.name for lm in ls.gazetteer.landmarks}
    assert any("Buôn lậu" in w.name for w in ls.alerts.watch)


def test_no_province_inherits_another_provinces_content():
    profiles = {n: load_profile(n) for n in PROVINCES}

    def provincial(p):  # the provincial values of one profile, comparable across provinces
        return {
            "smtp_from": {p.notifications.smtp_from},
            "letterhead": {p.report.parent_body, p.report.place},
            "user_agent": {p.crawl.user_agent},
            "watch": {w.name for w in p.alerts.watch},
            "landmarks": {lm.name for lm in p.gazetteer.landmarks},
            "own_sources": {s.url for s in p.sources if s.scope == "province"},
            "unit_emails": {u.email for u in p.units if u.email},
        }

    for a in PROVINCES:
        for b in PROVINCES:
            if a < b:
                pa, pb = provincial(profiles[a]), provincial(profiles[b])
                for key in pa:
                    assert not pa[key] & pb[key], f"{a} and {b} share {key}: {pa[key] & pb[key]}"
    # Nothing provincial can come from the base: the national file holds none of it...
    national = yaml.safe_load((PROFILES / "_national.yaml").read_text(encoding="utf-8"))
    assert _provincial_in(national) is None
    # ...and every province's provincial sections are written in its own file.
    for name in PROVINCES:
        raw = yaml.safe_load((PROFILES / f"{name}.yaml").read_text(encoding="utf-8"))
        assert raw["extends"] == "_national"
        for key in ("province", "gazetteer", "sources", "users", "notifications", "report"):
            assert key in raw, f"{name} must write its own {key}"
        assert raw["alerts"]["watch"] and raw["crawl"]["user_agent"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


REPORT = "report: {parent_body: UBND TỈNH LẠNG SƠN, issuing_body: 'SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH', place: Lạng Sơn}\n"
PROVINCE = "province: {code: lang-son, name: Lạng Sơn, admin_code: 20}\n"


def test_a_province_cannot_extend_another_province(tmp_path):
    path = _write(tmp_path / "p.yaml", "extends: khanh-hoa\n" + PROVINCE + REPORT)
    with pytest.raises(ConfigError) as exc:
        load_profile(str(path))
    assert (exc.value.file, exc.value.key) == (str(path), "extends")
    assert "never inherited" in exc.value.problem


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ("sources: [{id: a, type: rss, url: 'https://a.example/rss'}]\n", "sources"),
        ("alerts: {watch: [{name: cát lậu, keywords: [cát lậu]}]}\n", "alerts.watch"),
        ("topics: [{code: dat-dai, name: Đất đai, lexicon: [Trường Sa]}]\n", "topics[0].lexicon"),
        ("notifications: {smtp_from: giamsat@tinh.example}\n", "notifications"),
        ("units: [{code: a, name: A, email: a@tinh.example}]\n", "units[0].email"),
    ],
)
def test_a_base_profile_may_not_hold_provincial_content(tmp_path, monkeypatch, content, key):
    assert any(key.split("[")[0].split(".")[0] == p[0] for p in PROVINCIAL)
    (tmp_path / "profiles").mkdir()
    base = _write(tmp_path / "profiles" / "_vung.yaml", "extends: _national\n" + content)
    monkeypatch.setenv("GIAMSAT_CONFIG_DIR", str(tmp_path))
    path = _write(tmp_path / "p.yaml", "extends: _vung\n" + PROVINCE + REPORT)
    with pytest.raises(ConfigError) as exc:
        load_profile(str(path))
    assert (exc.value.file, exc.value.key) == (str(base), key)
    assert "provincial content" in exc.value.problem


def test_keyed_merge_renames_omits_and_adds(tmp_path):
    path = _write(
        tmp_path / "p.yaml",
        "extends: _national\n" + PROVINCE + REPORT + "units:\n"
        "  - {code: so-dttg, omit: true}\n"
        "  - {code: so-noi-vu, name: Sở Nội vụ tỉnh Lạng Sơn}\n"
        "  - {code: bql-kktck, name: Ban Quản lý Khu kinh tế cửa khẩu, source: thử}\n"
        "topics:\n"
        "  - {code: bien-dao, omit: true}\n"
        "  - {code: cua-khau, name: Cửa khẩu, lexicon: [thông quan]}\n"
        "routing:\n"
        "  rules:\n"
        "    - {id: chu-de-bien-dao, omit: true}\n"
        "    - {id: chu-de-dan-toc-ton-giao, lead: so-noi-vu}\n"
        "    - {id: chu-de-cua-khau, description: cửa khẩu, when: {first_topic: [cua-khau]}, lead: bql-kktck}\n",
    )
    p = load_profile(str(path))
    assert p.unit("so-dttg") is None and p.unit_name("so-noi-vu") == "Sở Nội vụ tỉnh Lạng Sơn"
    assert p.unit("so-noi-vu").replaces == ["so-ldtbxh"]  # fields not set are kept from the base
    assert p.units[-1].code == "bql-kktck" and p.topics[-1].code == "cua-khau" and p.topic("bien-dao") is None
    rule = next(r for r in p.routing.rules if r.id == "chu-de-dan-toc-ton-giao")
    assert rule.lead == "so-noi-vu" and rule.when.first_topic == ["dan-toc-ton-giao"]
    assert p.routing.rules[-1].id == "chu-de-cua-khau"


def test_an_error_in_an_inherited_entry_names_the_base_file(tmp_path):
    path = _write(
        tmp_path / "p.yaml",
        "extends: _national\n" + PROVINCE + REPORT + "units: [{code: bdbp, omit: true}]\n",
    )
    with pytest.raises(ConfigError) as exc:
        load_profile(str(path))
    assert exc.value.file == str((PROFILES / "_national.yaml").resolve()) or exc.value.file.endswith(
        "_national.yaml"
    )
    assert exc.value.key.startswith("routing.rules[") and exc.value.key.endswith("].lead")
    assert "unknown unit 'bdbp'" in exc.value.problem and "p.yaml" in exc.value.problem


def _broken(tmp_path, mutate) -> Path:
    data = yaml.safe_load(KH.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "key", "words"),
    [
        (lambda d: d["province"].pop("name"), "province.name", "missing"),
        (lambda d: d["units"].append({"code": "so-moi"}), "units[16].name", "missing"),
        (
            lambda d: d.update(deadlines={"khan": {"answer_hours": "mười hai"}}),
            "deadlines.khan.answer_hours",
            "number",
        ),
        (lambda d: d["sources"][0].update(interval_minutes=[1]), "sources[0].interval_minutes", "number"),
        (
            lambda d: d["routing"]["rules"].append({"id": "chu-de-dat-dai", "lead": "so-khong-co"}),
            "routing.rules[1].lead",
            "unknown unit 'so-khong-co'",
        ),
        (
            lambda d: d["routing"]["rules"][0].update(co_units=["ban-tgdv", "so-vhttdl", "ubnd-huyen"]),
            "routing.rules[0].co_units[2]",
            "unknown unit",
        ),
        (lambda d: d["users"][4].update(unit="so-xyz"), "users[4].unit", "unknown unit"),
        (lambda d: d["province"].update(admin_code=99), "province.admin_code", "official"),
        (lambda d: d["province"].update(colour="blue"), "province.colour", "unknown key"),
        (
            lambda d: d["routing"]["rules"].append(
                {"id": "x", "description": "x", "when": {"first_topic": ["dat"]}, "lead": "so-nnmt"}
            ),
            "routing.rules[1].when.first_topic[0]",
            "unknown topic",
        ),
        (
            lambda d: d["units"][1].update(replaces=["so-nnmt"]),
            "units[1].replaces[0]",
            "current unit",
        ),
        (
            lambda d: d["report_calendar"][1].update(period_start="01/01"),
            "report_calendar[1].due",
            "days after the period ends",
        ),
        (lambda d: d.update(extends="lam-dong"), "extends", "only a base profile"),
    ],
)
def test_broken_profile_names_file_and_key(tmp_path, mutate, key, words):
    path = _broken(tmp_path, mutate)
    with pytest.raises(ConfigError) as exc:
        load_profile(str(path))
    assert exc.value.file == str(path)
    assert exc.value.key == key
    assert words in exc.value.problem


def test_cli_exits_2_with_one_line(tmp_path):
    path = _broken(
        tmp_path, lambda d: d["routing"]["rules"].append({"id": "chu-de-dat-dai", "lead": "so-khong-co"})
    )
    proc = subprocess.run(
        [sys.executable, "-m", "giamsat", "--profile", str(path), "init"],
        capture_output=True,
        text=True,
        env={"GIAMSAT_STORE": f"sqlite:///{tmp_path / 'x.db'}", "PATH": ""},
    )
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and "routing.rules[1].lead" in lines[0]


def test_invalid_yaml_points_at_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("province:\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_profile(str(path))
    assert exc.value.key.startswith("line ")


def test_national_codes_are_the_gold_guidelines_codes():
    """The labelled data (nlp/gold, docs/annotation.md) and the national base use one list of
    topic and unit codes: a model trained on the gold set routes with the profiles' units."""
    import ast

    tree = ast.parse((PROFILES.parent.parent / "nlp" / "gold" / "validate.py").read_text(encoding="utf-8"))
    lists = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in ("TOPICS", "UNITS")
    }
    national = yaml.safe_load((PROFILES / "_national.yaml").read_text(encoding="utf-8"))
    assert [t["code"] for t in national["topics"]] == lists["TOPICS"]
    assert [u["code"] for u in national["units"]] == lists["UNITS"]
