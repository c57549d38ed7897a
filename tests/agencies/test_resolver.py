"""The agency resolver: Quảng Nam's cells from the seeds, group phrases, and real cells from other provinces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config import TestConfig
from tracker import create_app
from tracker.agencies.directory import read_directory
from tracker.agencies.resolver import AliasIndex, resolve_cell

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "agencies.txt"


@pytest.fixture(scope="module")
def index() -> AliasIndex:
    return AliasIndex.from_directory(read_directory())


@pytest.mark.parametrize(
    ("cell", "agencies", "groups", "unresolved"),
    [
        ("Sở TT&TT", ["Sở Thông tin và Truyền thông"], [], []),
        ("Sở Thông tin - Truyền thông; Sở Nội vụ", ["Sở Thông tin và Truyền thông", "Sở Nội vụ"], [], []),
        ("VP UBND tỉnh", ["Văn phòng UBND tỉnh"], [], []),
        ("Đài PT-TH tỉnh", ["Đài Phát thanh - Truyền hình Quảng Nam"], [], []),
        (
            "Sở Văn hóa, Thể thao và Du lịch; Sở Lao động - Thương binh và Xã hội",
            ["Sở Văn hóa, Thể thao và Du lịch", "Sở Lao động - Thương binh và Xã hội"],
            [],
            [],
        ),
        ("Sở Văn hoá, Thể thao và Du lịch", ["Sở Văn hóa, Thể thao và Du lịch"], [], []),  # old-style accent
        ("Ủy ban nhân dân thành phố Hội An", ["UBND thành phố Hội An"], [], []),
        (
            "Sở Nội vụ theo dõi, đôn đốc các sở, ban, ngành, UBND các huyện, thành phố",
            ["Sở Nội vụ"],
            ["ALL_DEPARTMENTS", "ALL_DISTRICTS"],
            [],
        ),
        (
            "- Đoàn kiểm tra CCHC của tỉnh - Sở Nội vụ, Văn phòng UBND tỉnh",
            ["Sở Nội vụ", "Văn phòng UBND tỉnh"],
            [],
            ["Đoàn kiểm tra CCHC của tỉnh"],
        ),
        (
            "Sở Thông tin và Truyền thông chủ trì về hạ tầng kỹ thuật; phối hợp với Sở Tư pháp",
            ["Sở Thông tin và Truyền thông", "Sở Tư pháp"],
            [],
            [],
        ),
        ("Các Sở, ban, ngành, UBND cấp huyện, cấp xã", [], ["ALL_DEPARTMENTS", "ALL_DISTRICTS", "ALL_COMMUNES"], []),
        (
            "Các Sở, Ban, ngành; UBND cấp huyện; UBND cấp xã",
            [],
            ["ALL_DEPARTMENTS", "ALL_DISTRICTS", "ALL_COMMUNES"],
            [],
        ),
        ("Các cơ quan, đơn vị, địa phương", [], ["ALL_AGENCIES"], []),
        ("Các cơ quan chuyên môn thuộc UBND tỉnh", [], ["ALL_DEPARTMENTS"], []),
        ("UBND các huyện, thị xã, thành phố", [], ["ALL_DISTRICTS"], []),
        (
            "- Các sở, ban, ngành, UBND cấp huyện - Đại biểu HĐND tỉnh",
            [],
            ["ALL_DEPARTMENTS", "ALL_DISTRICTS"],
            ["Đại biểu HĐND tỉnh"],
        ),
        ("Bộ Nội vụ", [], [], ["Bộ Nội vụ"]),
        (
            "Các cơ quan, đơn vị, tổ chức, cá nhân liên quan",
            [],
            [],
            ["Các cơ quan, đơn vị, tổ chức, cá nhân liên quan"],
        ),
        ("<p>Văn phòng UBND tỉnh</p>", ["Văn phòng UBND tỉnh"], [], []),
        ("", [], [], []),
    ],
)
def test_cells(index, cell, agencies, groups, unresolved):
    assert resolve_cell(cell, index).to_json() == {"agencies": agencies, "groups": groups, "unresolved": unresolved}


def test_an_unknown_body_is_flagged_with_what_was_resolved():
    text = (
        "Sở Kế hoạch và Đầu tư chủ trì, tham mưu UBND tỉnh tổ chức đối thoại/diễn đàn với doanh nghiệp "
        "Ban Tiếp công dân tỉnh: tham mưu tổ chức đối thoại với người dân."
    )
    result = resolve_cell(text, AliasIndex.from_directory(read_directory()))
    assert result.agencies == ["Sở Kế hoạch và Đầu tư"]
    assert result.unresolved == ["Ban Tiếp công dân tỉnh"]


def _corpus_cells() -> list[str]:
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is absent (the corpus lives in ../shared, outside the project)")
    cells = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.startswith("# SECTION 2"):
            break
        parts = line.split("\t")
        if not line.startswith("#") and len(parts) >= 2:
            cells.append(parts[1])
    return cells


def test_no_real_cell_is_silently_dropped(index):
    """Every real cell from other provinces yields an agency, a group or text flagged for a person."""
    cells = _corpus_cells()
    assert len(cells) > 300
    for cell in cells:
        result = resolve_cell(cell, index)
        assert result.agencies or result.groups or result.unresolved, cell


def test_other_provinces_abbreviations_resolve_to_our_departments(index):
    for cell, name in [
        ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
        ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo"),
        ("Sở Văn hoá Thể thao du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
    ]:
        assert resolve_cell(cell, index).agencies == [name], cell


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises(text):
    resolve_cell(text, AliasIndex.from_directory(read_directory()))


def test_resolve_command_json_and_stdin(tmp_path):
    runner = create_app(
        TestConfig, instance_path=str(tmp_path), SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}"
    ).test_cli_runner()
    result = runner.invoke(args=["agencies", "resolve", "Sở TT&TT", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"agencies": ["Sở Thông tin và Truyền thông"], "groups": [], "unresolved": []}
    result = runner.invoke(
        args=["agencies", "resolve", "-", "--json"], input="VP UBND tỉnh\nUBND cấp huyện\nBộ Tư pháp\n"
    )
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines == [
        {"agencies": ["Văn phòng UBND tỉnh"], "groups": [], "unresolved": []},
        {"agencies": [], "groups": ["ALL_DISTRICTS"], "unresolved": []},
        {"agencies": [], "groups": [], "unresolved": ["Bộ Tư pháp"]},
    ]


# --- issue 8: phrases as data, short forms, national bodies, those concerned ---------------------------


@pytest.mark.parametrize(
    ("cell", "agencies"),
    [
        ("Sở NV", ["Sở Nội vụ"]),
        ("Ban QL các KKT và KCN", ["Ban Quản lý các Khu kinh tế và Khu công nghiệp"]),
        ("TT Phục vụ HCC tỉnh", ["Trung tâm Phục vụ hành chính công tỉnh"]),
    ],
)
def test_short_forms_resolve(index, cell, agencies):
    assert resolve_cell(cell, index).to_json() == {"agencies": agencies, "groups": [], "unresolved": []}


@pytest.mark.parametrize(
    "cell", ["Bộ Nội vụ", "Văn phòng Chính phủ", "Ủy ban Dân tộc", "Bộ Tư pháp", "Thanh tra Chính phủ", "Bộ Công an"]
)
def test_a_national_body_is_flagged_never_the_provincial_one(index, cell):
    assert resolve_cell(cell, index).to_json() == {"agencies": [], "groups": [], "unresolved": [cell]}


def test_a_national_body_beside_the_provincial_one(index):
    result = resolve_cell("Bộ Nội vụ; Sở Nội vụ, Văn phòng Chính phủ", index)
    assert (result.agencies, result.unresolved) == (["Sở Nội vụ"], ["Bộ Nội vụ", "Văn phòng Chính phủ"])


@pytest.mark.parametrize(
    ("cell", "agencies", "groups", "unresolved"),
    [
        # those concerned are not the whole group: a person names them
        ("Các cơ quan, đơn vị, địa phương liên quan", [], [], ["Các cơ quan, đơn vị, địa phương liên quan"]),
        (
            "- Sở Thông tin và Truyền thông; - Văn phòng UBND tỉnh và Sở, Ban, ngành liên quan.",
            ["Sở Thông tin và Truyền thông", "Văn phòng UBND tỉnh"],
            [],
            ["Sở, Ban, ngành liên quan"],
        ),
        (
            "Bưu điện tỉnh, Sở Thông tin và Truyền thông và các đơn vị có liên quan",
            ["Bưu điện tỉnh", "Sở Thông tin và Truyền thông"],
            [],
            ["các đơn vị có liên quan"],
        ),
        # departments and localities
        ("Các sở, ban, ngành, địa phương", [], ["ALL_DEPARTMENTS", "ALL_DISTRICTS"], []),
        # a level, not a group
        ("Bộ phận Một cửa cấp huyện; UBND cấp xã", [], ["ALL_COMMUNES"], ["Bộ phận Một cửa cấp huyện"]),
        # what an agency does names no one; a purpose clause assigns no one; a parenthesis explains the name
        (
            "Sở Tài chính, Sở Kế hoạch và Đầu tư thẩm định, bố trí kinh phí",
            ["Sở Tài chính", "Sở Kế hoạch và Đầu tư"],
            [],
            [],
        ),
        ("Văn phòng UBND tỉnh cho ý kiến đối với nội dung quy định TTHC", ["Văn phòng UBND tỉnh"], [], []),
        (
            "Văn phòng UBND tỉnh (cấp quyền truy cập CSDL quốc gia cho các cơ quan chuyên môn thuộc UBND tỉnh)",
            ["Văn phòng UBND tỉnh"],
            [],
            [],
        ),
        ("UBND cấp huyện (Văn phòng HĐND&UBND)", [], ["ALL_DISTRICTS"], []),
        ("Sở Nội vụ gửi văn bản để Văn phòng UBND tỉnh có ý kiến", ["Sở Nội vụ"], [], []),
        (
            "Các Sở, ban, ngành, UBND cấp huyện, đơn vị sự nghiệp công lập thuộc UBND tỉnh",
            [],
            ["ALL_DEPARTMENTS", "ALL_DISTRICTS"],
            ["đơn vị sự nghiệp công lập thuộc UBND tỉnh"],
        ),
    ],
)
def test_what_a_cell_says_beyond_names(index, cell, agencies, groups, unresolved):
    assert resolve_cell(cell, index).to_json() == {"agencies": agencies, "groups": groups, "unresolved": unresolved}


def test_the_phrase_lists_are_data_beside_the_directory():
    import json
    from importlib import resources

    data = json.loads(resources.files("tracker.agencies").joinpath("data", "phrases.json").read_text("utf-8"))
    for section in (
        "groups",
        "indefinite",
        "not_agencies",
        "national_bodies",
        "role_words",
        "body_words",
        "short_forms",
    ):
        assert section in data
    assert data["groups"]["phrases"]["UBND cấp huyện"] == ["ALL_DISTRICTS"]


def test_a_cell_read_again_is_the_same_reading_and_each_caller_gets_its_own(index):
    first = resolve_cell("Sở Nội vụ; UBND cấp huyện", index)
    first.agency_codes.append("SYT")  # a caller changing its copy
    second = resolve_cell("Sở Nội vụ; UBND cấp huyện", index)
    assert second.agency_codes == ["SNV"] and second.groups == ["ALL_DISTRICTS"]
    assert "Sở Nội vụ; UBND cấp huyện" in index.readings
