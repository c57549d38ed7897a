"""`tracker parse-deadline`: the exact JSON shape other tools rely on, one text or one per line from stdin."""

from __future__ import annotations

import json

import pytest

from config import TestConfig
from tracker import create_app


@pytest.fixture
def runner(tmp_path):
    return create_app(TestConfig, instance_path=str(tmp_path)).test_cli_runner()


def test_one_text_as_json(runner):
    result = runner.invoke(args=["parse-deadline", "Quý I/2024", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "text": "Quý I/2024",
        "kind": "date",
        "due_dates": ["2024-03-31"],
        "relative": None,
        "needs_review": False,
    }


def test_stdin_gives_one_object_per_line_in_order(runner):
    lines = [
        "Định kỳ trước ngày 10 hằng tháng",
        "Thường xuyên",
        "",
        "Chậm nhất là 03 ngày làm việc kể từ ngày quyết định công bố",
        "Theo kế hoạch của Bộ Nội vụ",
    ]
    result = runner.invoke(args=["parse-deadline", "-", "--year", "2024", "--json"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    objects = [json.loads(line) for line in result.output.splitlines()]
    assert [o["text"] for o in objects] == lines
    assert [o["kind"] for o in objects] == ["recurring", "continuous", "unknown", "relative", "external"]
    assert len(objects[0]["due_dates"]) == 12
    assert objects[3]["relative"] == {"amount": 3, "unit": "working_days", "after": "quyết định công bố"}
    assert set(objects[0]) == {"text", "kind", "due_dates", "relative", "needs_review"}


def test_plain_output_uses_vietnamese_dates(runner):
    result = runner.invoke(args=["parse-deadline", "Trước ngày 15/3/2025", "--year", "2024"])
    assert result.output.strip() == "Trước ngày 15/3/2025: date; 15/03/2025 (cần kiểm tra)"
