"""Ingest: enriched items become one alert per story (opened, or updated with new reach)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from giamsat.core.codes import CATEGORY_TITLES
from giamsat.core.errors import NotFound, StaleEdit
from giamsat.core.model import Alert, Item
from giamsat.core.timeutil import fmt_datetime
from giamsat.storage.base import Query
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
                if not triggered:
                    triggered = self._spread(sid, group)
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
        answers = [it for it in group if rules.is_answer(it)]
        group = [it for it in group if not rules.is_answer(it)]
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
        if is_new:  # an answer published before the first alarming post still belongs to it
            answers += self._earlier_answers(sid)
        old = (
            alert.severity,
            len(alert.item_ids),
            alert.reach.get("items"),
            alert.status,
            len(alert.answers),
        )
        new_answers = [it for it in answers if it.id and it.id not in alert.answers]
        for it in new_answers:
            alert.answers.append(it.id)  # type: ignore[arg-type]
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
        if new_answers:
            # the matter has been answered publicly: one level less urgent, said on the alert
            lowered = rules.lower_level(alert.severity if not is_new else wanted, 1)
            raised = raised and severity_rank(lowered) < severity_rank(old[0])
            head = new_answers[0]
            alert.reasons.append(
                f"đã có thông tin chính thức/đính chính ({self._source_name(head)}, "
                f"{fmt_datetime(head.published or head.fetched)}): mức độ giảm còn '{templates.sev(lowered)}'"
            )
            alert.severity = lowered
        alert.reach = reach
        reopened = False
        if raised and not is_new and alert.status == "bo-qua":
            alert.status, reopened = "mo", True  # a dismissed story that grows is looked at again
        if not is_new and old == (
            alert.severity,
            len(alert.item_ids),
            alert.reach.get("items"),
            alert.status,
            len(alert.answers),
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
        if new_answers and not is_new:
            self._event(
                "alert",
                aid,
                "co-tra-loi-chinh-thuc",
                SYSTEM,
                before={"severity": old[0]},
                after={"severity": saved.severity, "answers": [it.id for it in new_answers]},
                note=(new_answers[0].title or new_answers[0].text[:120]).strip(),
            )
            if saved.ticket_id:
                self._attach_official_answers(saved.ticket_id, new_answers, now)
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

    def _spread(self, sid: str, group: list[Item]) -> list[tuple[Item, str, list[str]]]:
        """A story no single post of which is alarming, told by enough posts to be looked at
        (``profile.alerts.spread_*``). Only stories with a candidate post pay for the count."""
        candidates = rules.spread_candidates(self.profile, group)
        if not candidates or sid.startswith("item:"):
            return []
        n = int(self.store.story_stats(sid)["items"])
        if n < self.profile.alerts.spread_min_items:
            return []
        head = candidates[0]
        category = head.enrichment.category.label if head.enrichment and head.enrichment.category else ""
        label = CATEGORY_TITLES.get(category, category)
        return [(head, "spread", [f"{label} lan rộng: {n} bài cùng một sự việc"])]

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

    # -- official answers -----------------------------------------------------------------
    def _earlier_answers(self, sid: str) -> list[Item]:
        if sid.startswith("item:"):
            return []
        page = self.store.search(Query(story_id=sid, order="oldest"), limit=200)
        return [it for it in page.items if rules.is_answer(it)]

    def _source_name(self, item: Item) -> str:
        source = self.profile.source(item.source_id)
        return (source.name if source else None) or item.source_id

    def _attach_official_answers(self, ticket_id: str, answers: list[Item], now: datetime) -> None:
        """Tell the ticket (and its units) that the matter was answered publicly."""
        for _attempt in range(5):
            try:
                ticket, doc = self._load_ticket_doc(ticket_id)
            except NotFound:
                return
            known = {a.get("item_id") for a in ticket.official_answers}
            fresh = [it for it in answers if it.id not in known]
            if not fresh:
                return
            for it in fresh:
                ticket.official_answers.append(
                    {
                        "item_id": it.id,
                        "title": (it.title or it.text[:200]).strip(),
                        "url": it.url,
                        "source_id": it.source_id,
                        "source": self._source_name(it),
                        "at": (it.published or it.fetched).isoformat(),
                    }
                )
            ticket.updated = now
            try:
                saved = self._save_ticket(ticket, doc, int(doc["version"]))
            except StaleEdit:
                continue
            self._event(
                "ticket",
                ticket_id,
                "co-tra-loi-chinh-thuc",
                SYSTEM,
                after={"official_answers": [it.id for it in fresh]},
                note=(fresh[0].title or fresh[0].text[:120]).strip(),
            )
            subject, body = templates.official_answer_found(self.profile, saved, fresh[0])
            self._notify_units(
                [saved.lead_unit, *saved.co_units], subject, body, ticket_id, "tra-loi-chinh-thuc"
            )
            return
