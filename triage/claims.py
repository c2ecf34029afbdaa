"""The registry of debunked claims as staff use it: add, withdraw, list — with the role checks.

The registry itself (storage and matching) is ``giamsat.nlp.claims``, because the Enricher
matches every new item against it; who may change it is a triage decision and is checked here,
so the CLI and the dashboard cannot differ.
"""

from __future__ import annotations

from typing import Any

from giamsat.core.profile import User
from giamsat.nlp import claims as registry
from giamsat.triage import access
from giamsat.triage.base import TriageBase


class ClaimActions(TriageBase):
    def add_claim(
        self, actor: User, text: str, answer: str, url: str | None = None, source: str | None = None
    ) -> dict[str, Any]:
        access.require_coordinator(actor, "thêm tin đã bác bỏ")
        return registry.claims_add(self.store, text, answer, url, actor.username, source)

    def withdraw_claim(self, actor: User, claim_id: str) -> dict[str, Any]:
        access.require_coordinator(actor, "thu hồi tin đã bác bỏ")
        return registry.claims_withdraw(self.store, claim_id, actor.username)

    def list_claims(self, actor: User, include_withdrawn: bool = False) -> list[dict[str, Any]]:
        # every known user may read the registry: it holds public answers
        return registry.claims_list(self.store, include_withdrawn=include_withdrawn)
