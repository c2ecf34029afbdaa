"""Notifications as staff see them: what the outbox could not deliver, and sending it again.

The outbox itself (queue, delivery, backoff) is ``triage.notify``; who may look at it and requeue
is decided here, so the CLI (``giamsat notifications``) and the admin page cannot differ. Only the
coordinating roles (monitor, admin) may: the messages name tickets of every unit.
"""

from __future__ import annotations

from typing import Any

from giamsat.core.profile import User
from giamsat.triage import access
from giamsat.triage.base import TriageBase

NOTIFICATION_STATUSES = ("pending", "sent", "failed", "skipped")


class NotificationActions(TriageBase):
    def list_notifications(
        self, actor: User, status: list[str] | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        """Outbox messages with these statuses (default: failed), newest first."""
        access.require_coordinator(actor, "xem nhật ký gửi thông báo")
        wanted = list(status or ["failed"])
        unknown = [s for s in wanted if s not in NOTIFICATION_STATUSES]
        if unknown:
            raise ValueError(
                f"trạng thái thông báo không có: {', '.join(unknown)} (có: {', '.join(NOTIFICATION_STATUSES)})"
            )
        return self.store.find_docs("outbox", {"status": wanted}, order_by="-created", limit=limit)

    def count_failed_notifications(self) -> int:
        """For status lines (``giamsat sources``, the admin page): no actor, only a count."""
        return self.store.count_docs("outbox", {"status": "failed"})

    def retry_notifications(
        self, actor: User, ids: list[str] | None = None, ref: str | None = None
    ) -> list[str]:
        """Put failed messages back in the queue (all, those of a ticket/alert ``ref``, or ``ids``);
        the next worker tick sends them. Audited. Returns the ids requeued."""
        access.require_coordinator(actor, "gửi lại thông báo")
        done = self.outbox.retry_failed(ref=ref, ids=ids)
        if done:
            self._event("notification", ref or "outbox", "gui-lai", actor, after={"ids": done[:200]})
        return done

    def send_pending_notifications(self, actor: User) -> dict[str, int]:
        """Deliver due messages now (what the worker does each tick), for a retry that cannot wait."""
        access.require_coordinator(actor, "gửi thông báo")
        return self.outbox.flush()
