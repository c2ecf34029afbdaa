"""Routing under the coordination regulation: who leads (chủ trì) and who helps (phối hợp).

The rules are data in the profile (``routing.rules``), evaluated in order:
* the first matching rule that names a ``lead`` decides the lead unit (later ``lead`` rules are
  skipped), and its id is recorded on the ticket for audit;
* every matching rule adds its ``co_units`` and, with ``add_ward_units``, the People's Committee
  of each named commune/ward (``ubnd-xa:<ward code>``).
A rule written with the code of a dissolved unit (``so-tnmt``) routes to the unit that replaces it
(``so-nnmt``), so a decision only ever names current units.
Deterministic: the same inputs always give the same decision, in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from giamsat.core.profile import WARD_UNIT_PREFIX, Profile, RoutingRule


@dataclass
class RoutingDecision:
    lead: str
    co_units: list[str] = field(default_factory=list)
    rule: str | None = None  # id of the rule that chose the lead
    fired: list[str] = field(default_factory=list)  # every rule that matched, in order
    explanation: str = ""  # "chủ trì: Sở NN&MT — quy tắc chủ đề đất đai"


def _matches(
    rule: RoutingRule, category: str | None, topics: list[str], ward_codes: list[str], severity: str | None
) -> bool:
    w = rule.when
    if w.category and category not in w.category:
        return False
    if w.first_topic and (not topics or topics[0] not in w.first_topic):
        return False
    if w.any_topic and not set(topics) & set(w.any_topic):
        return False
    if w.no_topic and topics:
        return False
    if w.has_locality and not ward_codes:
        return False
    return not (w.severity and severity not in w.severity)


def route(
    profile: Profile,
    category: str | None,
    topics: list[str],
    ward_codes: list[str] | None = None,
    severity: str | None = None,
) -> RoutingDecision:
    ward_codes = list(dict.fromkeys(ward_codes or []))
    lead: str | None = None
    lead_rule: RoutingRule | None = None
    co: list[str] = []
    fired: list[str] = []
    for rule in profile.routing.rules:
        if not _matches(rule, category, topics, ward_codes, severity):
            continue
        if rule.lead and lead is None:
            lead, lead_rule = rule.lead, rule
        elif rule.lead:
            continue  # a later lead rule neither leads nor adds co-units
        fired.append(rule.id)
        co.extend(rule.co_units)
        if rule.add_ward_units and profile.ward_units.enabled:
            co.extend(f"{WARD_UNIT_PREFIX}{code}" for code in ward_codes)
    if lead is None:
        lead = profile.routing.default_lead
    lead = profile.current_unit(lead)
    co_units = [c for c in dict.fromkeys(profile.current_unit(c) for c in co) if c != lead]
    short = profile.unit_short(lead)
    why = f"quy tắc {lead_rule.description}" if lead_rule else "đơn vị mặc định"
    return RoutingDecision(
        lead=lead,
        co_units=co_units,
        rule=lead_rule.id if lead_rule else None,
        fired=fired,
        explanation=f"chủ trì: {short} — {why}",
    )
