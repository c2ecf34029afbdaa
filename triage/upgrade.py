"""Rewrite the codes of dissolved units on stored tickets (``giamsat units upgrade``).

Every screen, report and notification already shows an old code (``so-tnmt``) as the unit that
replaced it (``Profile.current_unit``), so nothing needs this to keep working. It exists so the
store itself speaks the current structure, and it rewrites nothing silently: each changed ticket
gets one ``doi-ma-don-vi`` Event with the fields before and after and the mapping applied
("so-tnmt → so-nnmt (Sở Nông nghiệp và Môi trường)"), and the run returns a summary. The event
log is the record of what happened and is never rewritten. ``dry_run`` only counts.

Fields rewritten: ``lead_unit``, ``co_units`` (duplicates that two old units now share are merged,
and the lead is not also a co-unit), the routing decision kept with the ticket (``routing.lead``,
``routing.co_units``) and the addressees of past escalations (``escalations[].to``).
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from giamsat.core.errors import StaleEdit
from giamsat.core.profile import Profile, User
from giamsat.triage import access
from giamsat.triage.base import TriageBase


@dataclass
class UnitUpgradeReport:
    scanned: int = 0
    changed: list[str] = field(default_factory=list)  # ticket ids rewritten (or to rewrite)
    mappings: Counter[tuple[str, str]] = field(default_factory=Counter)  # (old, new) -> tickets
    unknown: Counter[str] = field(default_factory=Counter)  # codes neither current nor replaced
    skipped_stale: list[str] = field(default_factory=list)  # kept changing under us: try again
    dry_run: bool = False

    def summary(self, profile: Profile) -> str:
        verb = "sẽ đổi" if self.dry_run else "đã đổi"
        lines = [f"Đã xem {self.scanned} phiếu; {verb} mã đơn vị trên {len(self.changed)} phiếu."]
        for (old, new), count in sorted(self.mappings.items()):
            lines.append(f"  {old} → {new} ({profile.unit_name(new)}): {count} phiếu")
        if self.unknown:
            lines.append(
                "Mã không có trong hồ sơ (giữ nguyên, cần kiểm tra): "
                + ", ".join(f"{c} ({k} phiếu)" for c, k in sorted(self.unknown.items()))
            )
        if self.skipped_stale:
            lines.append("Phiếu đang được sửa, chưa đổi (chạy lại): " + ", ".join(self.skipped_stale))
        return "\n".join(lines)


def remap_ticket(
    profile: Profile, doc: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, str]], set[str]]:
    """Pure: the ticket doc with current unit codes, the changed fields before/after, the
    (old, new) pairs applied and codes the profile does not know (left as they are)."""
    old_to_new = profile.replaced_codes()
    current = {u.code for u in profile.units}
    used: list[tuple[str, str]] = []
    unknown: set[str] = set()

    def cur(code: Any) -> Any:
        if not isinstance(code, str) or not code:
            return code
        if code in old_to_new:
            used.append((code, old_to_new[code]))
            return old_to_new[code]
        if code not in current and not code.startswith("ubnd-xa:"):
            unknown.add(code)
        return code

    def co_list(codes: Any, lead: Any) -> Any:
        if not isinstance(codes, list):
            return codes
        return [c for c in dict.fromkeys(cur(c) for c in codes) if c != lead]

    new = copy.deepcopy(doc)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    lead = cur(doc.get("lead_unit"))
    co = co_list(doc.get("co_units"), lead)
    for key, value in (("lead_unit", lead), ("co_units", co)):
        if value != doc.get(key):
            before[key], after[key] = doc.get(key), value
            new[key] = value
    routing = doc.get("routing")
    if isinstance(routing, dict):
        r_lead = cur(routing.get("lead"))
        r_co = co_list(routing.get("co_units"), r_lead)
        if r_lead != routing.get("lead") or r_co != routing.get("co_units"):
            before["routing"] = {"lead": routing.get("lead"), "co_units": routing.get("co_units")}
            after["routing"] = {"lead": r_lead, "co_units": r_co}
            new["routing"] = {**routing, "lead": r_lead, "co_units": r_co}
    escalations = doc.get("escalations")
    if isinstance(escalations, list):
        new_esc = [
            {**e, "to": list(dict.fromkeys(cur(c) for c in e["to"]))}
            if isinstance(e, dict) and isinstance(e.get("to"), list)
            else e
            for e in escalations
        ]
        if new_esc != escalations:
            before["escalations.to"] = [e.get("to") for e in escalations if isinstance(e, dict)]
            after["escalations.to"] = [e.get("to") for e in new_esc if isinstance(e, dict)]
            new["escalations"] = new_esc
    return new, {"before": before, "after": after}, list(dict.fromkeys(used)), unknown


class UnitCodeUpgrade(TriageBase):
    def upgrade_unit_codes(self, actor: User, dry_run: bool = False) -> UnitUpgradeReport:
        """Rewrite old unit codes on every stored ticket, one audited Event per ticket."""
        access.require_admin(actor, "đổi mã đơn vị trên phiếu đã lưu")
        report = UnitUpgradeReport(dry_run=dry_run)
        ids = [str(d["id"]) for d in self._iter_docs("tickets", {}, order_by="created")]
        for ticket_id in ids:
            for _attempt in range(3):
                doc = self.store.get_doc("tickets", ticket_id)
                if doc is None:
                    break
                new, change, used, unknown = remap_ticket(self.profile, doc)
                if _attempt == 0:
                    report.scanned += 1
                    report.unknown.update(unknown)
                if not change["after"]:
                    break
                if not dry_run:
                    new.pop("history", None)
                    try:
                        self.store.put_doc("tickets", new, expected_version=doc["version"])
                    except StaleEdit:
                        continue  # someone changed the ticket meanwhile: read it again
                    note = "; ".join(f"{o} → {n} ({self.profile.unit_name(n)})" for o, n in used)
                    self._event(
                        "ticket",
                        ticket_id,
                        "doi-ma-don-vi",
                        actor,
                        change["before"],
                        change["after"],
                        f"Đổi mã đơn vị theo bộ máy hiện hành ({self.profile.path or 'hồ sơ'}): {note}",
                    )
                report.changed.append(ticket_id)
                report.mappings.update(used)
                break
            else:
                report.skipped_stale.append(ticket_id)
        return report

    def count_old_unit_codes(self) -> int:
        """How many stored tickets still carry an old unit code (``giamsat init`` reports it)."""
        return sum(1 for doc in self._iter_docs("tickets", {}) if remap_ticket(self.profile, doc)[1]["after"])
