"""Every profile key is documented (as datasette tests its settings), and the README opens with
the two commands CI and users run."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from giamsat.core.profile import Profile
from giamsat.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _keys(model: type[BaseModel]) -> set[str]:
    out: set[str] = set()
    for name, f in model.model_fields.items():
        if name == "path":
            continue
        out.add(f.alias or name)
        for t in (f.annotation, *typing.get_args(f.annotation)):
            if isinstance(t, type) and issubclass(t, BaseModel):
                out |= _keys(t)
    return out


def test_every_profile_key_is_documented():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    # a key counts as documented when it is written as code: `due`, `report_calendar[]`, `.symbol`
    code = " ".join(re.findall(r"`([^`]+)`", doc))
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_-]*", code))
    keys = _keys(Profile) | {"extends", "omit"}
    missing = sorted(k for k in keys if k not in words)
    assert not missing, f"document these keys in docs/configuration.md: {missing}"


def test_provincial_content_is_documented():
    from giamsat.core.profile import PROVINCIAL

    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for path in PROVINCIAL:
        written = ".".join(p if p != "*" else "" for p in path).replace("..", "[].")
        assert f"`{written}`" in doc, f"docs/configuration.md: list `{written}` as provincial content"


def test_every_setting_is_documented_and_every_documented_variable_exists():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    declared = {env for env, _ in Settings.variables()}
    documented = set(re.findall(r"`(GIAMSAT_[A-Z_]+)`", doc))
    assert declared - documented == set(), f"document in docs/configuration.md: {declared - documented}"
    assert documented - declared == set(), f"documented but not declared in Settings: {documented - declared}"


def test_code_reads_giamsat_variables_only_through_settings():
    readers = []
    for path in (ROOT / "giamsat").rglob("*.py"):
        if path.name == "settings.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(
                r"""(environ\.get|getenv)\(\s*["']GIAMSAT_|environ\[["']GIAMSAT_\w+["']\](?!\s*=)""", line
            ):
                readers.append(f"{path.relative_to(ROOT)}:{n}")
    assert not readers, f"read GIAMSAT_* through giamsat.core.settings.Settings: {readers}"


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("---")[0]
    assert "make demo" in head and "make test" in head
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")
