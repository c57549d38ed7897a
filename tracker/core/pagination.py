"""Pages of a query: two queries (count and rows) whatever the table's size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from tracker.extensions import db


@dataclass
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(
    query: Select, number: int, per_page: int | None = None, *, scalars: bool = True, total: int | None = None
) -> Page:
    """A page of ``query``; ``total`` when the caller already knows how many rows it has (no count query)."""
    per_page = per_page or current_app.config["ITEMS_PER_PAGE"]
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = min(max(1, number), max(1, -(-total // per_page)))
    result = db.session.execute(query.limit(per_page).offset((number - 1) * per_page))
    items = list(result.scalars()) if scalars else list(result)
    return Page(items=items, number=number, per_page=per_page, total=total)
