"""A plan for the workflow tests: Sở Nội vụ leads task 1 (Sở Y tế and Sở Tư pháp coordinate), Sở Xây dựng task 2."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import dated, make_plan
from tracker.plans.models import Assignment, Task
from tracker.plans.operations import TaskSpec

DUE = date(2024, 3, 15)


@pytest.fixture
def world(db, clock):
    plan = make_plan(
        db,
        clock,
        [
            TaskSpec(
                content="Rà soát thủ tục hành chính",
                number="1",
                lead_text="Sở Nội vụ",
                coordinators_text="Sở Y tế, Sở Tư pháp",
                lead_codes=["SNV"],
                coordinator_codes=["SYT", "STP"],
                deadline_text="Trước ngày 15/3/2024",
                schedule=dated(DUE),
            ),
            TaskSpec(
                content="Cải tạo trụ sở bộ phận một cửa",
                number="2",
                lead_text="Sở Xây dựng",
                lead_codes=["SXD"],
                deadline_text="Quý II/2024",
                schedule=dated(date(2024, 6, 30)),
            ),
        ],
    )
    tasks = {t.number: t for t in db.session.scalars(select(Task))}
    items = {(a.task.number, a.agency.code): a.items[0] for a in db.session.scalars(select(Assignment))}
    return {"plan": plan, "tasks": tasks, "items": items}


def pdf_bytes(text: str = "bien ban") -> bytes:
    """A small real PDF (one page, one line of text)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
