"""Small pieces of HTML a list repeats on every row, built in Python: a Jinja macro call or a ``url_for`` costs tens
of microseconds, and a list of 50 rows makes hundreds of them."""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from markupsafe import Markup, escape

#: A number no real id reaches (ids stop at 2**31 - 1), replaced in a built URL by each row's id
_PLACEHOLDER = 987654321987


def status_badge(status: str, days: int | None = None) -> Markup:
    """The status class's badge, with the days late when there are any."""
    from tracker.plans.status import STATUS_LABELS

    late = f" ({days} ngày)" if days else ""
    return Markup(f'<span class="badge st-{escape(status)}">{escape(STATUS_LABELS[status])}{late}</span>')  # noqa: S704


def state_badge(state: str | None) -> Markup:
    """The report's state as a badge; nothing for an item not yet reported on."""
    from tracker.plans.models import ITEM_STATE_LABELS

    if not state or state == "open":
        return Markup("")
    return Markup(f'<span class="badge state-{escape(state)}">{escape(ITEM_STATE_LABELS[state])}</span>')  # noqa: S704


def options(choices: list[tuple[int, str]]) -> Markup:
    """``<option>`` elements of (id, label) pairs, built once for a list that changes rarely (300 agencies)."""
    return Markup(  # noqa: S704 - the labels are escaped, the values are integers
        "".join(f'<option value="{int(value)}">{escape(label)}</option>' for value, label in choices)
    )


def select_option(built: Markup, value: int | None) -> Markup:
    """``options(…)`` with the option of ``value`` selected."""
    if value is None:
        return built
    mark = f'<option value="{int(value)}">'
    # on the plain string: Markup.replace would escape its arguments and find nothing
    return Markup(str(built).replace(mark, f'<option value="{int(value)}" selected>', 1))  # noqa: S704 - built


def url_pattern(endpoint: str, name: str, **values) -> Callable[[int], str]:
    """``url_for(endpoint, name=id, **values)`` for many ids at the cost of one: the URL is built once with a
    placeholder id, and each row's integer id replaces it."""
    prefix, suffix = url_for(endpoint, **{name: _PLACEHOLDER}, **values).split(str(_PLACEHOLDER), 1)

    def build(value: int) -> str:
        return f"{prefix}{int(value)}{suffix}"

    return build
