"""Profiles: every shipped one loads; a broken one is refused with one clear line (exit 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from giamsat.core.errors import ConfigError
from giamsat.core.profile import available_profiles, load_profile

KH = Path(__file__).resolve().parent.parent / "config" / "profiles" / "khanh-hoa.yaml"


@pytest.mark.parametrize("name", ["khanh-hoa", "lam-dong", "ha-tinh", "lang-son"])
def test_shipped_profiles_are_valid(name):
    p = load_profile(name)
    assert p.province.code == name
    assert p.coordinating_unit
    assert p.routing.rules


def test_profiles_listed():
    assert {"khanh-hoa", "lam-dong", "ha-tinh", "lang-son"} <= set(available_profiles())


def test_lam_dong_renames_units_by_config_alone():
    ld = load_profile("lam-dong")
    assert ld.coordinating_unit.code == "so-vhttdl"
    assert ld.province.merged_from == ["Đắk Nông", "Bình Thuận"]
    assert ld.topics == load_profile("khanh-hoa").topics  # inherited through 'extends'


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
        (lambda d: d.pop("units"), "units", "missing"),
        (
            lambda d: d["deadlines"]["khan"].update(answer_hours="mười hai"),
            "deadlines.khan.answer_hours",
            "number",
        ),
        (lambda d: d["sources"][0].update(interval_minutes=[1]), "sources[0].interval_minutes", "number"),
        (
            lambda d: d["routing"]["rules"][1].update(lead="so-khong-co"),
            "routing.rules[1].lead",
            "unknown unit 'so-khong-co'",
        ),
        (
            lambda d: d["routing"]["rules"][0]["co_units"].append("ubnd-huyen"),
            "routing.rules[0].co_units[2]",
            "unknown unit",
        ),
        (lambda d: d["users"][4].update(unit="so-xyz"), "users[4].unit", "unknown unit"),
        (lambda d: d["province"].update(admin_code=99), "province.admin_code", "official"),
        (lambda d: d["province"].update(colour="blue"), "province.colour", "unknown key"),
        (
            lambda d: d["routing"]["rules"][1]["when"].update(first_topic=["dat"]),
            "routing.rules[1].when.first_topic[0]",
            "unknown topic",
        ),
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
    path = _broken(tmp_path, lambda d: d["routing"]["rules"][1].update(lead="so-khong-co"))
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
