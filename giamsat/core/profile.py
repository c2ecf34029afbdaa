"""Province profiles: everything province-specific, as YAML data in ``config/profiles/``.

A profile is validated on load (pydantic). Any problem becomes one ``ConfigError`` naming the
file, the key path (``routing.rules[2].lead``) and what was expected, so an office editing its
profile sees exactly what to fix. A province adopts giamsat by writing one of these files.

A province may ``extends:`` a *base* profile (a file whose name starts with ``_``, e.g.
``_national.yaml``: the national topic skeleton, categories, deadlines, the 2025 departments and
the default routing). Only bases can be extended, and a base may not hold provincial content
(``PROVINCIAL``: sources, watch rules, lexicons, places, users, mail sender, letterhead, contacts),
so no province ever inherits another province's. Merging: mappings key by key; the lists of
records in ``KEYED_LISTS`` (topics, units, routing rules, report calendar) entry by entry on their
``code``/``id`` (``omit: true`` drops a base entry); other lists are replaced. An error is reported
in the file and at the index where the offending entry was written.

Units may declare ``replaces: [old codes]``: stored tickets and profiles written with the codes
of the pre-2025 departments resolve to the current unit (``Profile.current_unit``) and display
its current name.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from giamsat.core import periods
from giamsat.core.codes import CATEGORIES
from giamsat.core.errors import ConfigError
from giamsat.core.model import Kind
from giamsat.core.resources import package_path
from giamsat.core.settings import Settings

WARD_UNIT_PREFIX = "ubnd-xa:"  # a commune/ward People's Committee: ubnd-xa:<ward code>
BASE_PREFIX = "_"  # config/profiles/_national.yaml: a base profile, extended by provinces
# Lists of records merged entry by entry on this key when a province extends a base.
KEYED_LISTS: dict[tuple[str, ...], str] = {
    ("topics",): "code",
    ("units",): "code",
    ("routing", "rules"): "id",
    ("report_calendar",): "id",
}
# Provincial content: never in a base profile, so never inherited by another province.
# ``*`` stands for every entry of a list.
PROVINCIAL: tuple[tuple[str, ...], ...] = (
    ("province",),
    ("gazetteer",),
    ("sources",),
    ("users",),
    ("notifications",),
    ("report",),
    ("crawl", "user_agent"),
    ("alerts", "watch"),
    ("topics", "*", "lexicon"),
    ("units", "*", "email"),
    ("units", "*", "leader_email"),
    ("units", "*", "webhook"),
    ("report_calendar", "*", "recipients"),
)
DEFAULT_SOURCE_NOTE = "mặc định của giamsat, tỉnh cần xác nhận"


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


WEB_SCHEMES = ("http://", "https://")
# per-type options that name URLs (fetched like the source's own url) and that count things
URL_OPTIONS = ("feeds", "list_pages", "sitemaps", "sitemap", "api_base")


def _web_url(value: Any, what: str) -> str:
    from urllib.parse import urlsplit

    try:
        host = urlsplit(value).hostname if isinstance(value, str) else None
    except ValueError:
        host = None
    if not host or not value.lower().startswith(WEB_SCHEMES):
        raise ValueError(f"{what}: an http:// or https:// URL (got {str(value)[:100]!r})")
    return value


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
    allow_private_network: bool = Field(
        default=False,
        description="may reach loopback/private/link-local addresses (an intranet source); see docs/security.md",
    )
    options: dict[str, Any] = {}

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", v):
            raise ValueError("a lower-case slug (a-z, 0-9, '-', '_', '.')")
        return v

    @model_validator(mode="after")
    def _urls_and_limits(self) -> Source:
        # a social-import source reads a local folder; everything else is fetched over http(s)
        if self.type == "social-import":
            if "://" in self.url and not self.url.startswith("file://"):
                raise ValueError("url: a social-import source names a folder: file:///path/ or /path/")
        else:
            _web_url(self.url, "url")
        for key in URL_OPTIONS:
            value = self.options.get(key)
            if value is None:
                continue
            for i, v in enumerate(value if isinstance(value, list) else [value]):
                _web_url(v, f"options.{key}" + (f"[{i}]" if isinstance(value, list) else ""))
        for key, value in self.options.items():
            counts = key.startswith("max_") or key == "limit"
            if counts and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError(f"options.{key}: a whole number >= 0 (got {value!r})")
        pattern = self.options.get("link_pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise ValueError(f"options.link_pattern: not a regular expression ({exc})") from None
        return self

    def option_urls(self) -> list[str]:
        """The URLs named in ``options`` (feeds, list pages, sitemaps, API base)."""
        out: list[str] = []
        for key in URL_OPTIONS:
            value = self.options.get(key)
            if value:
                out.extend(value if isinstance(value, list) else [value])
        return out


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
    description: str = Field(default="", description="what the unit answers for (lĩnh vực)")
    coordinating: bool = Field(default=False, description="the đầu mối unit (receives escalations)")
    replaces: list[str] = Field(
        default=[], description="codes of dissolved units it took over (so-tnmt -> so-nnmt)"
    )
    source: str | None = Field(default=None, description="the decree/decision the unit comes from")
    email: str | None = None
    leader_email: str | None = None
    webhook: str | None = None
    webhook_token_env: str | None = Field(
        default=None, description="env var with this unit's own webhook token (never the global one)"
    )

    @field_validator("webhook")
    @classmethod
    def _webhook_url(cls, v: str | None) -> str | None:
        return None if v is None else _web_url(v, "webhook")


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
    source: str | None = Field(default=None, description="where this assignment comes from")


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
    source: str | None = Field(default=None, description="where these deadlines come from")
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
    spike_min_count: int = Field(default=5, ge=1)
    spike_factor: float = Field(default=3.0, gt=0)
    # A matter many people raise is worth an officer's look even when no single post is risky:
    # a story with this many posts, one of them in these categories at this risk or more, opens
    # an alert ("spread"). 0 turns it off.
    spread_min_items: int = Field(default=3, ge=0)
    spread_min_risk: float = Field(default=0.15, ge=0, le=1)
    spread_categories: list[str] = ["phan-anh", "sai-su-that", "xau-doc"]


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
    user_agent: str = "giamsat/0.1 (+giam sat bao chi, mang xa hoi)"
    concurrency_per_domain: int = Field(default=2, ge=1, le=64)
    delay_seconds: float = Field(default=1.0, ge=0)
    max_page_bytes: int = Field(default=5_000_000, ge=1, le=100_000_000)
    timeout_seconds: int = Field(default=30, ge=1, le=600)


class Notifications(_Strict):
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "giamsat@localhost"
    smtp_user_env: str | None = Field(default=None, description="name of the env var with the SMTP user")
    smtp_password_env: str | None = None
    smtp_starttls: bool = False
    webhook_url: str | None = None
    webhook_token_env: str | None = None
    allow_private_network: bool = Field(
        default=False, description="webhooks may reach loopback/private addresses (a gateway on the LAN)"
    )
    max_attempts: int = Field(default=5, ge=1)

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, v: str | None) -> str | None:
        return None if v is None else _web_url(v, "webhook_url")


class Report(_Strict):
    parent_body: str = Field(description="cơ quan chủ quản, e.g. UBND TỈNH KHÁNH HÒA")
    issuing_body: str = Field(description="cơ quan ban hành, e.g. SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH")
    symbol: str = Field(default="BC-SVHTTDL", description="ký hiệu văn bản")
    place: str = Field(description="địa danh, e.g. Khánh Hòa")
    signer_title: str = "GIÁM ĐỐC"
    signer_name: str = ""
    recipients: list[str] = []


class ReportSchedule(_Strict):
    """One report of the province's reporting calendar (see ``giamsat.core.periods``)."""

    id: str
    name: str = Field(description="title line, e.g. 'Báo cáo kết quả giám sát thông tin'")
    kind: Literal["daily", "weekly", "monthly", "quarterly", "yearly", "ad-hoc"]
    period_start: str | int | None = Field(default=None, description="when each period starts")
    due: str | int | None = Field(default=None, description="when the report is due")
    remind_days: list[int] = Field(default=[], description="reminders N days before the due date")
    remind_units: list[str] = Field(default=[], description="units reminded (default: the coordinating unit)")
    recipients: list[str] = Field(default=[], description="Nơi nhận (default: report.recipients)")
    source: str | None = Field(default=None, description="the plan/decision that asks for it")

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", v):
            raise ValueError("a lower-case slug (a-z, 0-9, '-')")
        if v in periods.KINDS:
            raise ValueError(f"not a report kind ({', '.join(periods.KINDS)}): pick a name of its own")
        return v

    @field_validator("remind_days")
    @classmethod
    def _positive(cls, v: list[int]) -> list[int]:
        if any(d < 0 or d > 366 for d in v):
            raise ValueError("days before the due date, 0-366")
        return sorted(set(v), reverse=True)

    @model_validator(mode="after")
    def _cycle(self) -> ReportSchedule:
        try:
            periods.parse_cycle(self.kind, self.period_start, self.due)
        except ValueError as exc:
            field_name, sep, problem = str(exc).partition(": ")
            if sep and field_name in ("kind", "period_start", "due"):
                raise _RefError(field_name, problem) from None
            raise
        return self

    @property
    def cycle(self) -> periods.Cycle:
        return periods.parse_cycle(self.kind, self.period_start, self.due)


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
    report_calendar: list[ReportSchedule] = []
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
        for name, codes in (
            ("units", [u.code for u in self.units]),
            ("topics", [t.code for t in self.topics]),
            ("routing.rules", [r.id for r in self.routing.rules]),
            ("report_calendar", [r.id for r in self.report_calendar]),
            ("sources", [s.id for s in self.sources]),
            ("users", [u.username for u in self.users]),
        ):
            dupes = sorted({c for c in codes if codes.count(c) > 1})
            if dupes:
                raise _RefError(name, f"duplicate code(s)/id(s): {', '.join(dupes)}")
        unit_codes = {u.code for u in self.units}
        claimed: dict[str, str] = {}
        for i, unit in enumerate(self.units):
            for j, old in enumerate(unit.replaces):
                where = f"units[{i}].replaces[{j}]"
                if old in unit_codes:
                    raise _RefError(
                        where,
                        f"'{old}' is a current unit of this profile; a code is either current or replaced "
                        "(keep the old unit, or drop it and list its code here)",
                    )
                if old in claimed and claimed[old] != unit.code:
                    raise _RefError(where, f"'{old}' is already replaced by '{claimed[old]}'")
                claimed[old] = unit.code
        topic_codes = {t.code for t in self.topics}

        def unit_ok(code: str) -> bool:
            return code in unit_codes or code in claimed or code.startswith(WARD_UNIT_PREFIX)

        def unknown(code: str) -> str:
            return f"unknown unit '{code}' (known: {', '.join(sorted(unit_codes))})"

        for i, rule in enumerate(self.routing.rules):
            if rule.lead and not unit_ok(rule.lead):
                raise _RefError(f"routing.rules[{i}].lead", unknown(rule.lead))
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
        for i, sched in enumerate(self.report_calendar):
            for j, code in enumerate(sched.remind_units):
                if not unit_ok(code):
                    raise _RefError(f"report_calendar[{i}].remind_units[{j}]", unknown(code))
        if sum(u.coordinating for u in self.units) != 1:
            raise _RefError("units", "exactly one unit must have 'coordinating: true' (đơn vị đầu mối)")
        return self

    # -- conveniences ------------------------------------------------------------------------
    @property
    def coordinating_unit(self) -> Unit:
        return next(u for u in self.units if u.coordinating)

    def replaced_codes(self) -> dict[str, str]:
        """Old unit code -> the current unit's code (from every unit's ``replaces``)."""
        return {old: u.code for u in self.units for old in u.replaces}

    def current_unit(self, code: str) -> str:
        """The current code for ``code``: itself for a current unit or a ward unit, the replacing
        unit's for an old one (``so-tnmt`` -> ``so-nnmt``); an unknown code stays as it is."""
        if any(u.code == code for u in self.units):
            return code
        return self.replaced_codes().get(code, code)

    def same_unit(self, a: str | None, b: str | None) -> bool:
        return bool(a) and bool(b) and self.current_unit(a or "") == self.current_unit(b or "")

    def unit(self, code: str) -> Unit | None:
        """The unit for a current or an old (replaced) code."""
        code = self.current_unit(code)
        return next((u for u in self.units if u.code == code), None)

    def unit_name(self, code: str) -> str:
        """Display name: the current unit's name, also for the code of a dissolved unit."""
        unit = self.unit(code)
        if unit:
            return unit.name
        if code.startswith(WARD_UNIT_PREFIX):
            return self.ward_units.name_template.format(ward=ward_name(code[len(WARD_UNIT_PREFIX) :]))
        return code

    def unit_short(self, code: str) -> str:
        unit = self.unit(code)
        return (unit.short or unit.name) if unit else self.unit_name(code)

    def old_code_uses(self) -> list[str]:
        """References in this profile written with an old unit code (they work; listed by
        ``giamsat profile`` so the office can update them)."""
        old = self.replaced_codes()
        refs: list[tuple[str, str]] = [("routing.default_lead", self.routing.default_lead)]
        for i, r in enumerate(self.routing.rules):
            refs += [(f"routing.rules[{i}].lead", r.lead or "")]
            refs += [(f"routing.rules[{i}].co_units[{j}]", c) for j, c in enumerate(r.co_units)]
        refs += [(f"users[{i}].unit", u.unit or "") for i, u in enumerate(self.users)]
        for i, s in enumerate(self.report_calendar):
            refs += [(f"report_calendar[{i}].remind_units[{j}]", c) for j, c in enumerate(s.remind_units)]
        return [
            f"{key}: '{code}' là mã cũ, nay là '{old[code]}' ({self.unit_name(code)})"
            for key, code in refs
            if code in old
        ]

    def missing_sources(self) -> list[str]:
        """Units and routing rules without a ``source:`` note (where the assignment comes from)."""
        out = [f"units[{i}] ({u.code})" for i, u in enumerate(self.units) if not u.source]
        out += [f"routing.rules[{i}] ({r.id})" for i, r in enumerate(self.routing.rules) if not r.source]
        return out

    def topic(self, code: str) -> Topic | None:
        return next((t for t in self.topics if t.code == code), None)

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def user(self, username: str) -> User | None:
        return next((u for u in self.users if u.username == username), None)

    def schedule(self, schedule_id: str) -> ReportSchedule | None:
        return next((s for s in self.report_calendar if s.id == schedule_id), None)


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


def is_base(path: Path) -> bool:
    return path.stem.startswith(BASE_PREFIX)


@dataclass
class _Layer:
    """One file of an ``extends`` chain, as written (without ``extends``)."""

    path: Path
    data: dict[str, Any]


def _read_one(path: Path) -> dict[str, Any]:
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


def _provincial_in(data: dict[str, Any]) -> str | None:
    """The first provincial key path present in ``data`` (``topics[3].lexicon``), if any."""

    def walk(node: Any, pattern: tuple[str, ...], done: str) -> str | None:
        if not pattern:
            return done
        head, rest = pattern[0], pattern[1:]
        if head == "*":
            for i, entry in enumerate(node if isinstance(node, list) else []):
                found = walk(entry, rest, f"{done}[{i}]")
                if found:
                    return found
            return None
        if isinstance(node, dict) and head in node:
            return walk(node[head], rest, f"{done}.{head}" if done else head)
        return None

    for pattern in PROVINCIAL:
        found = walk(data, pattern, "")
        if found:
            return found
    return None


def _read_chain(path: Path, seen: tuple[str, ...] = ()) -> list[_Layer]:
    """The ``extends`` chain of ``path``, base first. Only a base profile may be extended, and a
    base holds no provincial content: a province never inherits another province's."""
    data = _read_one(path)
    if is_base(path):
        found = _provincial_in(data)
        if found:
            raise ConfigError(
                str(path),
                found,
                "provincial content is not allowed in a base profile (every province extending it "
                "would inherit it): move it to the province's own file",
            )
    parent = data.pop("extends", None)
    if not parent:
        return [_Layer(path, data)]
    if not isinstance(parent, str):
        raise ConfigError(str(path), "extends", f"the name of a base profile (got {parent!r})")
    if parent in seen:
        raise ConfigError(str(path), "extends", f"circular 'extends' through '{parent}'")
    parent_path = resolve_profile_path(parent)
    if not is_base(parent_path):
        raise ConfigError(
            str(path),
            "extends",
            f"only a base profile (a file named '{BASE_PREFIX}…', e.g. _national) can be extended; "
            f"'{parent}' is a province, and its sources, watch rules, lexicons, places, users, mail "
            "sender and letterhead are never inherited — copy what applies into this file",
        )
    return [*_read_chain(parent_path, (*seen, parent)), _Layer(path, data)]


def _merge(base: dict[str, Any], over: dict[str, Any], where: tuple[str, ...], file: Path) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        here = (*where, key)
        record_key = KEYED_LISTS.get(here)
        if record_key and isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = _merge_records(merged[key], value, record_key, here, file)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value, here, file)
        else:
            merged[key] = value
    return merged


def _merge_records(
    base: list[Any], over: list[Any], key: str, where: tuple[str, ...], file: Path
) -> list[Any]:
    """Merge lists of records on ``key``: an entry with a known key changes the fields it sets,
    ``omit: true`` drops it, a new key is appended. Entries that are not records are left to
    validation, which then names them."""
    out = list(base)
    index = {e.get(key): i for i, e in enumerate(out) if isinstance(e, dict) and key in e}
    for j, entry in enumerate(over):
        if not isinstance(entry, dict) or key not in entry:
            out.append(entry)
            continue
        entry = dict(entry)
        omit = entry.pop("omit", False)
        if omit is not True and omit is not False:
            raise ConfigError(str(file), f"{_loc((*where, j))}.omit", "true or false")
        code = entry[key]
        if code in index:
            i = index[code]
            out[i] = None if omit else {**out[i], **entry}
        elif omit:
            raise ConfigError(
                str(file), f"{_loc((*where, j))}.omit", f"no {key} '{code}' in the base profile to omit"
            )
        else:
            index[code] = len(out)
            out.append(entry)
    return [e for e in out if e is not None]


def _merge_chain(layers: list[_Layer]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for layer in layers:
        data = _merge(data, layer.data, (), layer.path)
    return data


def _translate(
    layer: dict[str, Any], merged: dict[str, Any], loc: tuple[Any, ...]
) -> tuple[tuple[Any, ...], int]:
    """Follow ``loc`` (a key path in the merged data) into one layer: list indexes of keyed lists
    become that layer's indexes. Returns the translated path and how many parts were found."""
    node: Any = layer
    mnode: Any = merged
    out: list[Any] = []
    names: list[str] = []
    for depth, part in enumerate(loc):
        if isinstance(part, int):
            record_key = KEYED_LISTS.get(tuple(names))
            if not isinstance(node, list):
                return tuple(out), depth
            if record_key and isinstance(mnode, list) and part < len(mnode) and isinstance(mnode[part], dict):
                code = mnode[part].get(record_key)
                j = next(
                    (k for k, e in enumerate(node) if isinstance(e, dict) and e.get(record_key) == code), None
                )
                if j is None:
                    return tuple(out), depth
            elif part < len(node):
                j = part
            else:
                return tuple(out), depth
            out.append(j)
            node = node[j]
            mnode = mnode[part] if isinstance(mnode, list) and part < len(mnode) else None
        else:
            if not isinstance(node, dict) or part not in node:
                return tuple(out), depth
            out.append(part)
            names.append(str(part))
            node = node[part]
            mnode = mnode.get(part) if isinstance(mnode, dict) else None
    return tuple(out), len(loc)


def _origin(
    layers: list[_Layer], merged: dict[str, Any], loc: tuple[Any, ...]
) -> tuple[Path, tuple[Any, ...]]:
    """The file (and key path in it) where the value at ``loc`` was written: the most specific
    layer holding the whole path, else the one holding the longest part of it."""
    best: tuple[int, Path, tuple[Any, ...]] = (-1, layers[-1].path, loc)
    for layer in reversed(layers):
        translated, found = _translate(layer.data, merged, loc)
        if found == len(loc):
            return layer.path, translated
        if found > best[0]:
            best = (found, layer.path, translated + loc[found:])
    return best[1], best[2]


def _parse_loc(key: str) -> tuple[Any, ...]:
    return tuple(int(p[1:-1]) if p.startswith("[") else p for p in re.findall(r"\[\d+\]|[^.\[\]]+", key))


def load_profile(name_or_path: str | None = None) -> Profile:
    """Load and validate a profile by name (``khanh-hoa``) or path; default from
    ``GIAMSAT_PROFILE``, else ``khanh-hoa``."""
    name_or_path = name_or_path or Settings.from_env().profile
    return _load_cached(str(resolve_profile_path(name_or_path).resolve()))


@lru_cache(maxsize=16)
def _load_cached(path_str: str) -> Profile:
    path = Path(path_str)
    if is_base(path):
        raise ConfigError(
            str(path), "(file)", "a base profile, not a province: load a province profile that extends it"
        )
    layers = _read_chain(path)
    data = _merge_chain(layers)
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _RefError):
            loc, msg = loc + _parse_loc(ctx_error.key), ctx_error.problem
        else:
            msg = err["msg"]
            if err["type"] == "missing":
                msg = "required key is missing"
            elif err["type"] == "extra_forbidden":
                msg = "unknown key (check spelling; see docs/configuration.md)"
            elif err["type"] == "value_error":
                msg = msg.removeprefix("Value error, ")
            elif "input" in err:
                msg = f"{msg} (got {err['input']!r})"[:300]
        file, where = _origin(layers, data, loc)
        if file != path:
            msg += f" (inherited by {path.name}: override this entry there, or drop it with 'omit: true')"
        raise ConfigError(str(file), _loc(where), msg) from None
    profile.path = str(path)
    return profile
