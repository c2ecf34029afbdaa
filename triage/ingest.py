"""Ingest: enriched items become one alert per story (opened, or updated with new reach)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from giamsat.core.errors import StaleEdit
from giamsat.core.model import Alert, Item
from giamsat.core.timeutil import fmt_datetime
from giamsat.triage import rules, templates
from giamsat.triage.base import (
    MAX_ITEM_IDS,
    SYSTEM,
    TriageBase,
    log,
)
from giamsat.triage.workflow import (
    more_urgent,
    severity_rank,
)


class Ingest(TriageBase):
    def ingest(self, items: list[Item]) -> list[Alert]:
        """Open or update one alert per story for enriched items over the risk threshold or
        matching a watch rule; reposts update reach and may raise severity. Returns the alerts
        opened or changed."""
        now = self.clock()
        groups: dict[str, list[Item]] = {}
        for item in items:
            if item.enrichment is None or not item.id:
                continue
            sid = item.enrichment.story_id or f"item:{item.id}"
            groups.setdefault(sid, []).append(item)
        changed = []
        # One transaction per batch (SQLite): one commit instead of one per alert, event and
        # notification - commits were most of the ingest time.
        with self.store.transaction():
            for sid, group in groups.items():
                triggered = []
                for it in group:
                    kind, reasons = rules.trigger_reasons(self.profile, it)
                    if kind:
                        triggered.append((it, kind, reasons))
                alert = self._upsert_story_alert(sid, group, triggered, now)
                if alert is not None:
                    changed.append(alert)
        return changed

    def _upsert_story_alert(
        self, sid: str, group: list[Item], triggered: list[tuple[Item, str, list[str]]], now: datetime
    ) -> Alert | None:
        aid = rules.alert_id_for_story(sid)
        for _attempt in range(5):
            doc = self.store.get_doc("alerts", aid)
            if doc is None and not triggered:
                return None  # nothing alarming and no alert to update
            try:
                return self._apply_story(aid, sid, doc, group, triggered, now)
            except StaleEdit:
                continue  # another worker wrote it first: re-read and merge again
        log.warning("alert %s: gave up after repeated concurrent edits", aid)
        return None

    def _apply_story(
        self,
        aid: str,
        sid: str,
        doc: dict[str, Any] | None,
        group: list[Item],
        triggered: list[tuple[Item, str, list[str]]],
        now: datetime,
    ) -> Alert | None:
        is_new = doc is None
        if doc is None:
            head, kind, _ = triggered[0]
            enr = head.enrichment
            assert enr is not None
            alert = Alert(
                id=aid,
                kind=kind,
                story_id=None if sid.startswith("item:") else sid,
                title=(head.title or head.text[:160]).strip(),
                category=enr.category.label if enr.category else None,
                created=now,
                updated=now,
            )
            version = 0
        else:
            alert = Alert.from_dict(doc)
            version = int(doc["version"])
        old = (alert.severity, len(alert.item_ids), alert.reach.get("items"), alert.status)
        for it in group:
            if it.id not in alert.item_ids and len(alert.item_ids) < MAX_ITEM_IDS:
                alert.item_ids.append(it.id)  # type: ignore[arg-type]
            if it.source_id not in alert.sources and len(alert.sources) < 50:
                alert.sources.append(it.source_id)
            enr = it.enrichment
            assert enr is not None
            alert.risk = max(alert.risk, enr.risk or 0.0)
            for t in enr.topics:
                if t.label not in alert.topics and len(alert.topics) < 10:
                    alert.topics.append(t.label)
            for loc in enr.localities:
                if loc not in alert.localities and len(alert.localities) < 20:
                    alert.localities.append(loc)
            if (not alert.category or alert.category == "none") and enr.category:
                alert.category = enr.category.label
        for _it, _kind, reasons in triggered:
            for r in reasons:
                if r not in alert.reasons and len(alert.reasons) < 20:
                    alert.reasons.append(r)
        # Severity: the most urgent any item of the story had, raised by the story's reach.
        base = alert.reach.get("base_severity", "thap")
        for it in group:
            base = more_urgent(base, rules.item_severity(it))
        reach = self._reach(sid, alert)
        reach["base_severity"] = base
        wanted = rules.raise_level(base, rules.reach_steps(reach["items"], reach["sources"]))
        raised = severity_rank(wanted) < severity_rank(alert.severity)
        if is_new and wanted != base:
            alert.reasons.append(f"lan truyền rộng: {reach['items']} bài, {reach['sources']} nguồn")
        if raised and not is_new:
            alert.reasons.append(
                f"mức độ tăng lên '{templates.sev(wanted)}' lúc {fmt_datetime(now)}: "
                f"{reach['items']} bài, {reach['sources']} nguồn"
            )
        if raised or is_new:
            alert.severity = more_urgent(alert.severity, wanted) if not is_new else wanted
        alert.reach = reach
        reopened = False
        if raised and not is_new and alert.status == "bo-qua":
            alert.status, reopened = "mo", True  # a dismissed story that grows is looked at again
        if not is_new and old == (
            alert.severity,
            len(alert.item_ids),
            alert.reach.get("items"),
            alert.status,
        ):
            return None
        alert.updated = now
        saved = self._save_alert(alert, version)
        if is_new:
            self._event(
                "alert",
                aid,
                "tao",
                SYSTEM,
                after={"severity": saved.severity, "story_id": sid},
                note="; ".join(saved.reasons[:3]),
            )
        elif raised:
            self._event(
                "alert",
                aid,
                "tang-muc-do",
                SYSTEM,
                before={"severity": old[0], "status": old[3]},
                after={"severity": saved.severity, "status": saved.status},
                note="mở lại" if reopened else None,
            )
        if (is_new or raised) and saved.severity in ("khan", "cao"):
            subject, body = templates.alert_opened(self.profile, saved)
            for addr in self._monitor_emails():
                self.outbox.enqueue("email", addr, subject, body, aid, "canh-bao")
            self.outbox.enqueue(
                "webhook", self.profile.notifications.webhook_url, subject, body, aid, "canh-bao"
            )
        return saved

    def _reach(self, sid: str, alert: Alert) -> dict[str, Any]:
        if not sid.startswith("item:"):
            s = self.store.story_stats(sid)
            return {
                "items": int(s["items"]),
                "sources": int(s["sources"]),
                "engagement": int(s["engagement"] or 0),
                "first_seen": s["first_seen"].isoformat() if s["first_seen"] else None,
                "last_seen": s["last_seen"].isoformat() if s["last_seen"] else None,
            }
        return {"items": len(alert.item_ids), "sources": len(alert.sources), "engagement": 0}
