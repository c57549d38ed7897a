"""A cited document's number and date, read from what the agency typed."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.workflow.evidence import parse_evidence


@pytest.mark.parametrize(
    ("text", "number", "day"),
    [
        ("Công văn số 123/SNV-CCHC ngày 05/3/2024", "123/SNV-CCHC", date(2024, 3, 5)),
        ("Kế hoạch số 1839/KH-UBND ngày 15/3/2024 của UBND tỉnh", "1839/KH-UBND", date(2024, 3, 15)),
        ("Quyết định số: 45/QĐ-SNV, ngày 28 tháng 02 năm 2024", "45/QĐ-SNV", date(2024, 2, 28)),
        ("Báo cáo số 12/BC-STP ngày 1-4-2024.", "12/BC-STP", date(2024, 4, 1)),
        ("Tờ trình số 7 ngày 02.01.2024", "7", date(2024, 1, 2)),
        ("Đã đăng tải trên Cổng thông tin điện tử", "", None),
        ("Công văn số 5/SNV ngày 31/02/2024", "5/SNV", None),  # no such day: no date rather than a guess
    ],
)
def test_number_and_date(text, number, day):
    assert parse_evidence(text) == (number, day)
