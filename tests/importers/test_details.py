"""The plan's own details read from its document (issue 8, point 2): number, date, kind, title, year or period,
issuer and signer; a draft's placeholders are flagged, never taken for values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from docx import Document as WordDocument

from tests.importers.builders import write_xlsx
from tracker.agencies.directory import read_directory
from tracker.agencies.resolver import AliasIndex
from tracker.importers.details import read_date, read_details, read_number
from tracker.importers.pipeline import build_plan
from tracker.importers.readers import read_path

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
HEADER = ["STT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
ROWS = [["1", "Rà soát thủ tục hành chính", "Sở Nội vụ", "Sở Tư pháp", "Quý I/2027"]]


def _plan(path: Path, **kwargs):
    return build_plan(read_path(path), AliasIndex.from_directory(read_directory()), **kwargs)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("123/KH-UBND", "123/KH-UBND"),
        ("3532/QĐ-UBND ngày 23/12/2022", "3532/QĐ-UBND"),
        ("20/2008/NĐ-CP", "20/2008/NĐ-CP"),
        ("123/KH- UBND ngày", "123/KH-UBND"),
        ("#sovb/QĐ-UBND", ""),
        ("#sov/b/KH-UBND ngày #nbh", ""),
        ("          /QĐ-UBND Quảng Nam", ""),
        ("…/KH-UBND", ""),
        ("", ""),
    ],
)
def test_a_number_is_read_only_when_issued(text, number):
    assert read_number(text)[0] == number


@pytest.mark.parametrize(
    ("text", "issued"),
    [
        ("15/01/2027 của UBND tỉnh", date(2027, 1, 15)),
        ("15 tháng 01 năm 2027", date(2027, 1, 15)),
        ("5-3-2027", date(2027, 3, 5)),
        ("#nbh/6/2023", None),
        ("tháng 8 năm 2021", None),
        ("/8/2021 của", None),
        ("31/02/2027", None),
    ],
)
def test_a_date_is_read_only_when_whole(text, issued):
    assert read_date(text)[0] == issued


def test_a_plan_under_its_own_number():
    found = read_details(
        [
            "ỦY BAN NHÂN DÂN",
            "TỈNH QUẢNG NAM",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Số: 123/KH-UBND",
            "Quảng Nam, ngày 15 tháng 01 năm 2027",
            "KẾ HOẠCH",
            "Cải cách hành chính tỉnh Quảng Nam năm 2027",
            "Căn cứ Kế hoạch số 99/KH-UBND ngày 03/02/2020 của UBND tỉnh;",
            "I. MỤC ĐÍCH, YÊU CẦU",
            "Nơi nhận:",
            "- Như trên;",
            "TM. ỦY BAN NHÂN DÂN",
            "KT. CHỦ TỊCH",
            "PHÓ CHỦ TỊCH",
            "(Đã ký)",
            "Nguyễn Văn An",
        ]
    )
    assert found.values == {
        "doc_number": "123/KH-UBND",
        "doc_kind": "Kế hoạch",
        "issued_on": date(2027, 1, 15),
        "title": "Cải cách hành chính tỉnh Quảng Nam năm 2027",
        "year": 2027,
        "issuer": "UBND tỉnh Quảng Nam",
        "signer": "Nguyễn Văn An",
    }
    assert found.notes == {}


def test_a_citation_is_never_the_plans_own_number_or_date():
    found = read_details(
        [
            "KẾ HOẠCH",
            "Triển khai chuyển đổi số năm 2027",
            "Căn cứ Kế hoạch số 99/KH-UBND ngày 03/02/2020 của UBND tỉnh Quảng Nam;",
            "Thực hiện Quyết định số 5/QĐ-TTg ngày 01/01/2026 của Thủ tướng Chính phủ,",
        ]
    )
    assert "doc_number" not in found.values and "issued_on" not in found.values and "issuer" not in found.values
    assert found.notes["doc_number"] == "Văn bản không ghi số, ký hiệu: hãy nhập."
    assert found.notes["issued_on"] == "Văn bản không ghi ngày ban hành: hãy nhập."
    assert found.notes["issuer"] == "Không thấy cơ quan ban hành trong văn bản: hãy nhập."
    assert found.notes["signer"] == "Không thấy người ký trong văn bản."
    assert found.values["year"] == 2027


def test_a_year_from_the_date_alone_is_flagged():
    found = read_details(["Kế hoạch số 12/KH-UBND ngày 05/01/2027 của UBND tỉnh Quảng Nam", "PHỤ LỤC"])
    assert (found.values["doc_number"], found.values["issued_on"], found.values["year"]) == (
        "12/KH-UBND",
        date(2027, 1, 5),
        2027,
    )
    assert found.notes["year"] == "Tên kế hoạch không ghi năm; năm lấy theo ngày ban hành: hãy kiểm tra."


@pytest.mark.parametrize(
    ("name", "expected", "notes"),
    [
        (
            "002_691fbd729f25c83e.txt",
            {
                "doc_kind": "Quyết định",
                "title": "Kế hoạch cải cách hành chính tỉnh Quảng Nam giai đoạn 2021-2025",
                "period_start": date(2021, 1, 1),
                "period_end": date(2025, 12, 31),
                "issuer": "UBND tỉnh Quảng Nam",
                "signer": "Hồ Quang Bửu",
            },
            {
                "doc_number": "Văn bản chưa có số (ghi “/QĐ-UBND”): nhập số, ký hiệu khi văn bản được ban hành.",
                "issued_on": "Văn bản chưa có ngày ban hành (ghi “ngày /8/2021”): nhập ngày khi văn bản được ban hành.",
            },
        ),
        (
            "003_bf596eddea21cdd5.txt",
            {"doc_kind": "Kế hoạch", "year": 2023, "issuer": "UBND tỉnh Quảng Nam", "signer": "Lê Trí Thanh"},
            {
                "doc_number": "Văn bản chưa có số (ghi “#sov/b/KH-UBND”): nhập số, ký hiệu khi văn bản được ban hành.",
                "issued_on": "Văn bản chưa có ngày ban hành (ghi “ngày #nbh/6/2023”): "
                "nhập ngày khi văn bản được ban hành.",
            },
        ),
        (
            "004_4bf868cb18751383.txt",
            {"doc_kind": "Quyết định", "year": 2024, "issuer": "UBND tỉnh Quảng Nam", "signer": "Hồ Quang Bửu"},
            {"doc_number": "Văn bản chưa có số (ghi “#sovb/QĐ-UBND”): nhập số, ký hiệu khi văn bản được ban hành."},
        ),
    ],
)
def test_the_seed_documents(name, expected, notes):
    path = SEEDS / name
    if not path.exists():
        pytest.skip("../shared/seeds is not here")
    plan = _plan(path)
    assert {key: plan.plan.get(key) for key in expected} == expected
    assert "doc_number" not in plan.plan and "issued_on" not in plan.plan  # placeholders are never values
    for key, note in notes.items():
        assert plan.plan["notes"][key] == note
    if name.startswith("004"):
        assert plan.plan["title"].startswith("Kế hoạch hoạt động kiểm soát thủ tục hành chính")
        assert plan.plan["title"].endswith("năm 2024 trên địa bàn tỉnh Quảng Nam")


def test_title_rows_of_a_sheet(tmp_path):
    path = write_xlsx(
        [HEADER, *ROWS],
        tmp_path / "phu-luc.xlsx",
        preamble=(
            "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM",
            "PHỤ LỤC",
            "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2027",
            "(Kèm theo Kế hoạch số 123/KH-UBND ngày 15/01/2027 của Ủy ban nhân dân tỉnh Quảng Nam)",
        ),
    )
    plan = _plan(path)
    assert {k: plan.plan.get(k) for k in ("doc_kind", "doc_number", "issued_on", "title", "year", "issuer")} == {
        "doc_kind": "Kế hoạch",
        "doc_number": "123/KH-UBND",
        "issued_on": date(2027, 1, 15),
        "title": "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2027",
        "year": 2027,
        "issuer": "UBND tỉnh Quảng Nam",
    }
    assert plan.tasks[0].schedule.due_dates == [date(2027, 3, 31)]  # the year from the title row
    assert set(plan.plan["notes"]) == {"signer"}


def test_a_word_decision_with_its_heading_and_signature_laid_out_in_tables(tmp_path):
    document = WordDocument()
    heading = document.add_table(rows=2, cols=2)
    heading.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NAM"
    heading.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    heading.cell(1, 0).text = "Số: #sovb/QĐ-UBND"
    heading.cell(1, 1).text = "Quảng Nam, ngày #nbh tháng 3 năm 2027"
    for line in (
        "QUYẾT ĐỊNH",
        "Ban hành Kế hoạch kiểm soát thủ tục hành chính",
        "giai đoạn 2026 – 2030",
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM",
        "Căn cứ Quyết định số 3532/QĐ-UBND ngày 23/12/2022 của UBND tỉnh;",
        "QUYẾT ĐỊNH:",
    ):
        document.add_paragraph(line)
    signature = document.add_table(rows=1, cols=2)
    signature.cell(0, 0).text = "Nơi nhận:\n- Như Điều 3;"
    signature.cell(0, 1).text = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nLÊ VĂN DŨNG"
    document.add_paragraph("PHỤ LỤC")
    appendix = document.add_table(rows=2, cols=5)
    for r, row in enumerate([HEADER, *ROWS]):
        for c, value in enumerate(row):
            appendix.cell(r, c).text = value
    path = tmp_path / "quyet-dinh.docx"
    document.save(path)

    plan = _plan(path)
    assert {
        k: plan.plan.get(k) for k in ("doc_kind", "title", "period_start", "period_end", "year", "issuer", "signer")
    } == {
        "doc_kind": "Quyết định",
        "title": "Kế hoạch kiểm soát thủ tục hành chính giai đoạn 2026 – 2030",
        "period_start": date(2026, 1, 1),
        "period_end": date(2030, 12, 31),
        "year": 2026,
        "issuer": "UBND tỉnh Quảng Nam",
        "signer": "Lê Văn Dũng",
    }
    assert plan.plan["notes"]["doc_number"].startswith("Văn bản chưa có số (ghi “#sovb/QĐ-UBND”)")
    assert plan.plan["notes"]["issued_on"].startswith("Văn bản chưa có ngày ban hành (ghi “ngày #nbh tháng 3")
    assert [t.content for t in plan.tasks] == ["Rà soát thủ tục hành chính"]


def test_the_year_a_person_gives_wins(tmp_path):
    path = write_xlsx([HEADER, *ROWS], tmp_path / "p.xlsx", preamble=("KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026",))
    plan = _plan(path, year=2027)
    assert plan.plan["year"] == 2027 and "year" not in plan.plan["notes"]
