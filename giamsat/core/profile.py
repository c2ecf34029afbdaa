"""Province profiles: everything province-specific, as YAML data in ``config/profiles/``.

A profile is validated on load (pydantic). Any problem becomes one ``ConfigError`` naming the
file, the key path (``routing.rules[2].lead``) and what was expected, so an office editing its
profile sees exactly what to fix. A province adopts giamsat by writing one of these files.

A profile may ``extends:`` another one (by name): keys it sets replace the parent's, which keeps
a small province file short.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from giamsat.core.codes import CATEGORIES
from giamsat.core.errors import ConfigError
from giamsat.core.model import Kind
from giamsat.core.resources import package_path
from giamsat.core.settings import Settings

WARD_UNIT_PREFIX = "ubnd-xa:"  # a commune/ward People's Committee: ubnd-xa:<ward code>


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Province(_Strict):
    code: str = Field(description="slug of the current province, e.g. khanh-hoa")
    name: str
    admin_code: int = Field(description="official code of the province (vietnam-provinces)")
    aliases: list[str] = []
    merged_from: list[str] = Field(
        default=[], description="names of provinces merged into this one on 1/7/2025"
    )
    timezone: str = "Asia/Ho_Chi_Minh"
    languages: list[str] = ["vi"]


class Landmark(_Strict):
    name: str
    aliases: list[str] = []
    level: Literal["landmark", "nickname", "old-name"] = "landmark"
    ward: str | None = Field(default=None, description="ward code it belongs to, when known")


class Gazetteer(_Strict):
    landmarks: list[Landmark] = []
    # Phrases that look like a place but are not, in this province's press (e.g. a verb).
    stop_phrases: list[str] = []


class Source(_Strict):
    id: str
    type: Literal["rss", "site", "social-import", "youtube", "facebook", "forum", "telegram", "tip"]
    url: str
    name: str | None = None
    scope: Literal["province", "national"] = "national"
    kind: Kind = "press"
    tier: Literal["chinh-thong", "uy-tin", "chua-xac-minh", "doi-tuong-xau"] = "uy-tin"
    interval_minutes: float = Field(default=30, gt=0, description="polling interval; 0.5 = every 30 s")
    enabled: bool = True
    obey_robots: bool = True
    options: dict[str, Any] = {}

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", v):
            raise ValueError("a lower-case slug (a-z, 0-9, '-', '_', '.')")
        return v


class Topic(_Strict):
    code: str
    name: str
    description: str = ""
    lexicon: list[str] = Field(default=[], description="phrases that explain the topic")


class CategoryLexicon(_Strict):
    """Phrases that explain (not decide) a triage category, shown as reasons."""

    phan_anh: list[str] = Field(default=[], alias="phan-anh")
    sai_su_that: list[str] = Field(default=[], alias="sai-su-that")
    xau_doc: list[str] = Field(default=[], alias="xau-doc")
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Unit(_Strict):
    code: str
    name: str
    short: str | None = None
    coordinating: bool = Field(default=False, description="the đầu mối unit (receives escalations)")
    email: str | None = None
    leader_email: str | None = None
    webhook: str | None = None


class WardUnits(_Strict):
    """Each commune/ward People's Committee is a unit ``ubnd-xa:<ward code>``."""

    enabled: bool = True
    name_template: str = "UBND {ward}"


class RuleWhen(_Strict):
    category: list[str] = []
    first_topic: list[str] = []
    any_topic: list[str] = []
    no_topic: bool = False
    has_locality: bool = False
    severity: list[str] = []


class RoutingRule(_Strict):
    id: str
    description: str
    when: RuleWhen = RuleWhen()
    lead: str | None = None
    co_units: list[str] = []
    add_ward_units: bool = Field(default=False, description="add ubnd-xa:<code> of each named ward")


class Routing(_Strict):
    rules: list[RoutingRule]
    default_lead: str


class Deadline(_Strict):
    answer_hours: float = Field(gt=0)
    ack_hours: float | None = Field(default=None, gt=0)


class Deadlines(_Strict):
    khan: Deadline = Deadline(answer_hours=12, ack_hours=2)
    cao: Deadline = Deadline(answer_hours=24, ack_hours=2)
    trung_binh: Deadline = Field(default=Deadline(answer_hours=72), alias="trung-binh")
    thap: Deadline = Deadline(answer_hours=168)
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def for_severity(self, severity: str) -> Deadline:
        return getattr(self, severity.replace("-", "_"))


class WatchRule(_Strict):
    name: str
    keywords: list[str] = []
    sources: list[str] = []
    localities: list[str] = []
    categories: list[str] = []


class Alerts(_Strict):
    risk_threshold: float = Field(default=0.5, ge=0, le=1)
    claim_lock_minutes: int = Field(default=30, ge=1)
    watch: list[WatchRule] = []
    spike_min_count: int = 5
    spike_factor: float = 3.0


class User(_Strict):
    username: str
    name: str
    role: Literal["monitor", "leader", "unit", "admin"]
    unit: str | None = None
    email: str | None = None
    password_hash: str | None = Field(
        default=None, description="argon2 hash; normally set with `giamsat users passwd`"
    )

    @model_validator(mode="after")
    def _unit_needs_unit(self) -> User:
        if self.role == "unit" and not self.unit:
            raise ValueError("a user with role 'unit' needs 'unit:' (the unit code)")
        return self


class Crawl(_Strict):
    user_agent: str = "giamsat/0.1 (+giam sat bao chi; lien he: so-tttt)"
    concurrency_per_domain: int = 2
    delay_seconds: float = 1.0
    max_page_bytes: int = 5_000_000
    timeout_seconds: int = 30


class Notifications(_Strict):
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "giamsat@localhost"
    smtp_user_env: str | None = Field(default=None, description="name of the env var with the SMTP user")
    smtp_password_env: str | None = None
    smtp_starttls: bool = False
    webhook_url: str | None = None
    webhook_token_env: str | None = None
    max_attempts: int = 5


class Report(_Strict):
    parent_body: str = Field(description="cơ quan chủ quản, e.g. UBND TỈNH KHÁNH HÒA")
    issuing_body: str = Field(description="cơ quan ban hành, e.g. SỞ THÔNG TIN VÀ TRUYỀN THÔNG")
    symbol: str = Field(default="BC-STTTT", description="ký hiệu văn bản")
    place: str = Field(description="địa danh, e.g. Khánh Hòa")
    signer_title: str = "GIÁM ĐỐC"
    signer_name: str = ""
    recipients: list[str] = []


class Profile(_Strict):
    profile_version: Literal[1] = 1
    province: Province
    gazetteer: Gazetteer = Gazetteer()
    sources: list[Source] = []
    topics: list[Topic]
    category_lexicon: CategoryLexicon = CategoryLexicon()
    units: list[Unit]
    ward_units: WardUnits = WardUnits()
    routing: Routing
    deadlines: Deadlines = Deadlines()
    alerts: Alerts = Alerts()
    users: list[User] = []
    crawl: Crawl = Crawl()
    notifications: Notifications = Notifications()
    report: Report
    path: str | None = Field(default=None, exclude=True)

    # -- cross-references, checked once so later stages can trust them ------------------------
    @model_validator(mode="after")
    def _references(self) -> Profile:
        official = official_provinces()
        if self.province.admin_code not in official:
            raise _RefError(
                "province.admin_code",
                f"not an official province code (2025 list from vietnam-provinces): {self.province.admin_code}",
            )
        slug = official[self.province.admin_code]
        if self.province.code != slug:
            raise _RefError(
                "province.code",
                f"'{slug}' for admin_code {self.province.admin_code} (got '{self.province.code}')",
            )
        unit_codes = {u.code for u in self.units}
        topic_codes = {t.code for t in self.topics}

        def unit_ok(code: str) -> bool:
            return code in unit_codes or code.startswith(WARD_UNIT_PREFIX)

        for i, rule in enumerate(self.routing.rules):
            if rule.lead and not unit_ok(rule.lead):
                raise _RefError(
                    f"routing.rules[{i}].lead",
                    f"unknown unit '{rule.lead}' (known: {', '.join(sorted(unit_codes))})",
                )
            for j, co in enumerate(rule.co_units):
                if not unit_ok(co):
                    raise _RefError(f"routing.rules[{i}].co_units[{j}]", f"unknown unit '{co}'")
            for field_name in ("first_topic", "any_topic"):
                for j, t in enumerate(getattr(rule.when, field_name)):
                    if t not in topic_codes:
                        raise _RefError(f"routing.rules[{i}].when.{field_name}[{j}]", f"unknown topic '{t}'")
            for j, c in enumerate(rule.when.category):
                if c not in CATEGORIES:
                    raise _RefError(
                        f"routing.rules[{i}].when.category[{j}]", f"one of {', '.join(CATEGORIES)}"
                    )
        if not unit_ok(self.routing.default_lead):
            raise _RefError("routing.default_lead", f"unknown unit '{self.routing.default_lead}'")
        for i, user in enumerate(self.users):
            if user.unit and not unit_ok(user.unit):
                raise _RefError(f"users[{i}].unit", f"unknown unit '{user.unit}'")
        if sum(u.coordinating for u in self.units) != 1:
            raise _RefError("units", "exactly one unit must have 'coordinating: true' (đơn vị đầu mối)")
        ids = [s.id for s in self.sources]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise _RefError("sources", f"duplicate source id(s): {', '.join(sorted(dupes))}")
        return self

    # -- conveniences ------------------------------------------------------------------------
    @property
    def coordinating_unit(self) -> Unit:
        return next(u for u in self.units if u.coordinating)

    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)

    def unit_name(self, code: str) -> str:
        unit = self.unit(code)
        if unit:
            return unit.name
        if code.startswith(WARD_UNIT_PREFIX):
            return self.ward_units.name_template.format(ward=ward_name(code[len(WARD_UNIT_PREFIX) :]))
        return code

    def topic(self, code: str) -> Topic | None:
        return next((t for t in self.topics if t.code == code), None)

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def user(self, username: str) -> User | None:
        return next((u for u in self.users if u.username == username), None)


@lru_cache(maxsize=1)
def official_provinces() -> dict[int, str]:
    """Official code -> slug of the 34 provinces since 1/7/2025, from the maintained package."""
    from vietnam_provinces import Province as OfficialProvince

    return {int(p.code): p.codename.replace("_", "-") for p in OfficialProvince.iter_all()}


class _RefError(ValueError):
    def __init__(self, key: str, problem: str) -> None:
        self.key, self.problem = key, problem
        super().__init__(f"{key}: {problem}")


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def shipped_profiles_dir() -> Path:
    return package_path("config", "profiles")


def profile_dirs() -> list[Path]:
    """Where profiles are looked up by name: the province's own folder (``GIAMSAT_CONFIG_DIR``)
    first, then the profiles shipped in the package (which the province's may ``extends:``)."""
    own = Settings.from_env().config_dir
    return [*([own / "profiles"] if own else []), shipped_profiles_dir()]


def available_profiles() -> list[str]:
    return sorted({p.stem for d in profile_dirs() for p in d.glob("*.yaml") if not p.stem.startswith("_")})


def resolve_profile_path(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or os.sep in name_or_path:
        if not candidate.exists():
            raise ConfigError(str(candidate), "(file)", "file not found")
        return candidate
    for folder in profile_dirs():
        path = folder / f"{name_or_path}.yaml"
        if path.exists():
            return path
    raise ConfigError(
        str(profile_dirs()[0] / f"{name_or_path}.yaml"),
        "(file)",
        f"no profile named '{name_or_path}' (available: {', '.join(available_profiles())})",
    )


def _read_yaml(path: Path, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise ConfigError(str(path), where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), "(file)", "not UTF-8 text") from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), "(top level)", "a mapping of keys (province:, units:, ...)")
    parent = data.pop("extends", None)
    if parent:
        if parent in seen:
            raise ConfigError(str(path), "extends", f"circular 'extends' through '{parent}'")
        data = _deep_merge(_read_yaml(resolve_profile_path(parent), (*seen, parent)), data)
    return data


@lru_cache(maxsize=4096)
def ward_name(code: str) -> str:
    """The official name of a commune/ward ("Phường Ninh Hòa") from its code; the code itself
    when the official list does not know it (people read names, never codes)."""
    from vietnam_provinces import Ward, WardCode

    try:
        return str(Ward.from_code(WardCode(int(code))).name)
    except Exception:  # unknown code, or not a number: show what we have
        return code


def load_profile(name_or_path: str | None = None) -> Profile:
    """Load and validate a profile by name (``khanh-hoa``) or path; default from
    ``GIAMSAT_PROFILE``, else ``khanh-hoa``."""
    name_or_path = name_or_path or Settings.from_env().profile
    return _load_cached(str(resolve_profile_path(name_or_path).resolve()))


@lru_cache(maxsize=16)
def _load_cached(path_str: str) -> Profile:
    path = Path(path_str)
    data = _read_yaml(path)
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _RefError):
            raise ConfigError(str(path), ctx_error.key, ctx_error.problem) from None
        msg = err["msg"]
        if err["type"] == "missing":
            msg = "required key is missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown key (check spelling; see docs/configuration.md)"
        elif "input" in err and err["type"] not in ("value_error",):
            msg = f"{msg} (got {err['input']!r})"[:300]
        raise ConfigError(str(path), _loc(err["loc"]), msg) from None
    profile.path = str(path)
    return profile
