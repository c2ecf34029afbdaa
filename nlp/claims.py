"""Registry of debunked claims and their official answers (the store collection ``claims``):
``{id, text, answer, answer_url, source, created, created_by, status}`` (``status``: ``hieu-luc``
active | ``thu-hoi`` withdrawn). Every change is an audit event. Who may change it is checked by
``triage.claims``; matching texts against it is ``nlp.claim_matcher``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from giamsat.core.errors import NotFound
from giamsat.core.model import Event

COLLECTION = "claims"
PAGE = 500
ACTIVE = "hieu-luc"
WITHDRAWN = "thu-hoi"


def claims_add(
    store: Any, text: str, answer: str, url: str | None, actor: str, source: str | None = None
) -> dict[str, Any]:
    """Add a debunked claim with its official answer; audited as an event.

    Ví dụ: giamsat claims add "Khánh Hòa thu hồi toàn bộ đất ven biển Cam Ranh" --answer "..." --url https://...
    """
    text, answer = (text or "").strip(), (answer or "").strip()
    if len(text.split()) < 4:
        raise ValueError("nội dung tin sai cần ít nhất 4 từ để đối chiếu được")
    if not answer:
        raise ValueError("cần nội dung trả lời/đính chính chính thức (answer)")
    doc = {
        "text": text,
        "answer": answer,
        "answer_url": url or None,
        "source": source,
        "created": datetime.now(UTC).isoformat(),
        "created_by": actor,
        "status": ACTIVE,
    }
    saved = store.put_doc(COLLECTION, doc)
    store.append_event(
        Event(entity="claim", entity_id=str(saved["id"]), action="create", actor=actor, after=saved)
    )
    return saved


def claims_list(store: Any, include_withdrawn: bool = False) -> list[dict[str, Any]]:
    """All claims, newest first (active ones only unless ``include_withdrawn``).

    Ví dụ: giamsat claims list
    """
    where = None if include_withdrawn else {"status": ACTIVE}
    # Read in pages: one request for "everything" would ask Elasticsearch for a result window
    # far beyond its 10,000 limit (and fail every enrichment once a claim exists).
    out: list[dict[str, Any]] = []
    while True:
        page = store.find_docs(COLLECTION, where=where, order_by="-created", limit=PAGE, offset=len(out))
        out.extend(page)
        if len(page) < PAGE:
            return out


def registry_version(store: Any) -> tuple[int, int]:
    """Changes whenever a claim is added (total + 1) or withdrawn (active - 1), the registry's only
    edits: two counts, cheap enough to ask once per enrichment batch so that a long-running
    worker picks up a claim added from the dashboard without reloading on every batch."""
    return (int(store.count_docs(COLLECTION)), int(store.count_docs(COLLECTION, {"status": ACTIVE})))


def claims_withdraw(store: Any, claim_id: str, actor: str) -> dict[str, Any]:
    """Withdraw a claim (kept for the record, no longer matched)."""
    doc = store.get_doc(COLLECTION, claim_id)
    if doc is None:
        raise NotFound(f"không có tin đã bác bỏ #{claim_id}")
    before = dict(doc)
    doc["status"] = WITHDRAWN
    saved = store.put_doc(COLLECTION, doc, expected_version=doc.get("version"))
    store.append_event(
        Event(entity="claim", entity_id=claim_id, action="withdraw", actor=actor, before=before, after=saved)
    )
    return saved
