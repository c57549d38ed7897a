"""Charts drawn on the server as SVG: no script, no library to serve, readable on a phone (they scale to the width
of their card). Each chart is an image with a title for screen readers; the page prints its numbers as a table too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from tracker.core.dates import format_number


@dataclass
class Bar:
    label: str
    value: float | None
    #: The number printed beside the bar ("12", "85%")
    text: str = ""
    href: str | None = None
    css: str = ""


def _svg(width: int, height: int, title: str, body: str, kind: str = "") -> Markup:
    # every text in ``body`` went through escape(); the rest are numbers and this module's class names
    return Markup(  # noqa: S704
        f'<svg class="chart {kind}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"{body}</svg>"
    )


def donut(segments: list[Bar], title: str, *, size: int = 200) -> Markup:
    """A ring of the segments' shares with the total in the middle."""
    total = sum(s.value or 0 for s in segments)
    radius, stroke = size / 2 - 18, 30
    centre = size / 2
    circumference = 2 * math.pi * radius
    parts, offset = [], 0.0
    for segment in segments:
        if not segment.value:
            continue
        length = circumference * segment.value / total
        parts.append(
            f'<circle class="seg {escape(segment.css)}" cx="{centre}" cy="{centre}" r="{radius:.2f}" fill="none" '
            f'stroke-width="{stroke}" stroke-dasharray="{length:.2f} {circumference - length:.2f}" '
            f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {centre} {centre})">'
            f"<title>{escape(segment.label)}: {escape(segment.text)}</title></circle>"
        )
        offset += length
    if not parts:
        parts.append(
            f'<circle class="seg empty" cx="{centre}" cy="{centre}" r="{radius:.2f}" fill="none" '
            f'stroke-width="{stroke}"/>'
        )
    parts.append(
        f'<text x="{centre}" y="{centre - 4}" text-anchor="middle" class="big">{format_number(total)}</text>'
        f'<text x="{centre}" y="{centre + 16}" text-anchor="middle" class="note">nhiệm vụ</text>'
    )
    return _svg(size, size, title, "".join(parts))


def hbars(bars: list[Bar], title: str) -> Markup:
    """Horizontal bars as a list: each row its label (text that wraps on a phone), its bar (an SVG whose length is
    a share of the longest) and its number; a bar with a link is a link."""
    top = max((b.value or 0 for b in bars), default=0) or 1
    rows = []
    for bar in bars:
        share = 100 * (bar.value or 0) / top
        svg = (
            f'<svg class="hbar" width="100%" height="18" role="presentation" aria-hidden="true" '
            f'xmlns="http://www.w3.org/2000/svg"><rect class="bar {escape(bar.css)}" x="0" y="2" '
            f'width="{max(share, 0.5 if bar.value else 0):.2f}%" height="14" rx="3"/></svg>'
        )
        label = f'<a href="{escape(bar.href)}">{escape(bar.label)}</a>' if bar.href else escape(bar.label)
        rows.append(
            f'<li><span class="hbar-label">{label}</span>{svg}<span class="hbar-value">{escape(bar.text)}</span></li>'
        )
    # every text in ``rows`` went through escape()
    return Markup(f'<ol class="hbars" aria-label="{escape(title)}">{"".join(rows)}</ol>')  # noqa: S704


def columns(bars: list[Bar], title: str, *, width: int = 420, height: int = 190, top: float | None = None) -> Markup:
    """Vertical columns with their number above and their label below; a value of None is drawn as "—"."""
    top = top or max((b.value or 0 for b in bars), default=0) or 1
    base, slot = height - 28, width / max(len(bars), 1)
    parts = [f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" class="axis"/>']
    for i, bar in enumerate(bars):
        x = i * slot
        tall = (base - 24) * (bar.value or 0) / top
        parts.append(
            f'<rect class="bar {escape(bar.css)}" x="{x + slot * 0.18:.1f}" y="{base - tall:.1f}" '
            f'width="{slot * 0.64:.1f}" height="{tall:.1f}" rx="2"/>'
            f'<text x="{x + slot / 2:.1f}" y="{base - tall - 6:.1f}" text-anchor="middle" class="value">'
            f"{escape(bar.text if bar.value is not None else '—')}</text>"
            f'<text x="{x + slot / 2:.1f}" y="{base + 16}" text-anchor="middle" class="label">'
            f"{escape(bar.label)}</text>"
        )
    return _svg(width, height, title, "".join(parts), "columns")


def stacked(segments: list[Bar], title: str, *, width: int = 640, height: int = 18) -> Markup:
    """One bar split by the segments' shares (a plan's five classes)."""
    total = sum(s.value or 0 for s in segments) or 1
    parts, x = [], 0.0
    for segment in segments:
        if not segment.value:
            continue
        length = width * segment.value / total
        parts.append(
            f'<rect class="seg {escape(segment.css)}" x="{x:.2f}" y="0" width="{length:.2f}" height="{height}">'
            f"<title>{escape(segment.label)}: {escape(segment.text)}</title></rect>"
        )
        x += length
    return _svg(width, height, title, "".join(parts))
