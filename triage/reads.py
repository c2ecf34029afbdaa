"""Reading items as a person: every search, export and aggregate the dashboard, the CLI and the
reports make goes through here with the reader, and the reader's scope is put into the store
query itself (``Query.item_ids``), so no read path can show more than the role allows.

Who sees which items (``access.item_scope``):

* ``monitor``, ``leader``, ``admin`` - every item;
* ``unit`` - only the items attached to tickets where its unit leads or co-operates (the
  matter it has to answer), whatever it searches for; never tips, alerts or assessments of
  other units' matters, and no province-wide aggregate beyond those items;
* any other role - nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime

from giamsat.core.model import Item, Ticket
from giamsat.core.profile import User
from giamsat.storage.base import Page, Query, StorySummary
from giamsat.triage import access
from giamsat.triage.tickets import TicketActions


class Reads(TicketActions):
    def item_scope(self, actor: User) -> list[str] | None:
        """``None`` when the reader may see every item, else the ids it may see."""
        if access.reads_every_item(actor):
            return None
        if actor.role != "unit" or not actor.unit:
            return []
        tickets: list[Ticket] = self.list_tickets(actor, limit=100_000)
        return access.item_scope(actor, tickets, self.profile)

    def scoped(self, actor: User, query: Query) -> Query:
        """``query`` narrowed to what ``actor`` may read (an already narrower query stays so)."""
        scope = self.item_scope(actor)
        if scope is None:
            return query
        if query.item_ids is not None:
            allowed = set(scope)
            scope = [i for i in query.item_ids if i in allowed]
        return replace(query, item_ids=scope)

    def search_items(self, actor: User, query: Query, limit: int = 50, offset: int = 0) -> Page:
        return self.store.search(self.scoped(actor, query), limit=limit, offset=offset)

    def count_items(self, actor: User, query: Query) -> int:
        return self.store.count(self.scoped(actor, query))

    def iter_items(self, actor: User, query: Query, batch: int = 1000) -> Iterator[Item]:
        """The export path (CSV in the dashboard and the CLI)."""
        return self.store.iter_items(self.scoped(actor, query), batch=batch)

    def facet_items(self, actor: User, name: str, query: Query, limit: int = 20) -> list[tuple[str, int]]:
        return self.store.facet(name, self.scoped(actor, query), limit=limit)

    def histogram_items(self, actor: User, query: Query) -> list[tuple[date, int]]:
        return self.store.histogram(self.scoped(actor, query))

    def hourly_items(self, actor: User, query: Query) -> list[tuple[datetime, int]]:
        return self.store.hourly(self.scoped(actor, query))

    def top_stories(self, actor: User, query: Query, limit: int = 10) -> list[StorySummary]:
        return self.store.top_stories(self.scoped(actor, query), limit=limit)

    def top_reach(self, actor: User, name: str, query: Query, limit: int = 10) -> list[tuple[str, int, int]]:
        return self.store.top_reach(name, self.scoped(actor, query), limit=limit)

    def read_items(self, actor: User, item_ids: list[str]) -> list[Item]:
        """Items by id, in the order asked, leaving out those ``actor`` may not read."""
        scope = self.item_scope(actor)
        if scope is not None:
            allowed = set(scope)
            item_ids = [i for i in item_ids if i in allowed]
        return self.store.get_items(item_ids)
