"""How long the importer takes to read and parse a 1,000-row appendix (.xlsx and tab-separated text).

Run: .venv/bin/python benchmarks/parse_appendix.py [ROWS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.agencies.directory import read_directory  # noqa: E402
from tracker.agencies.resolver import AliasIndex  # noqa: E402
from tracker.importers.pipeline import build_plan  # noqa: E402
from tracker.importers.readers import read_path  # noqa: E402

LEADS = [
    "Sở Nội vụ",
    "Văn phòng UBND tỉnh",
    "Sở TT&TT; Sở Nội vụ",
    "Các Sở, Ban, ngành; UBND cấp huyện",
    "Sở Nội vụ theo dõi, đôn đốc các sở, ban, ngành, UBND các huyện, thành phố",
    "Đài PT-TH tỉnh",
    "- Đoàn kiểm tra CCHC của tỉnh - Sở Nội vụ, Văn phòng UBND tỉnh",
]
#: Coordinator cells vary as real ones do: a department and a district, 46 different cells over 1,000 rows
COORDINATORS = [
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Y tế",
    "Sở Xây dựng",
    "Sở Công Thương",
    "Thanh tra tỉnh",
    "Sở Giáo dục và Đào tạo",
    "Sở Khoa học và Công nghệ",
    "Công an tỉnh",
    "Sở Ngoại vụ",
]
DISTRICTS = [
    "Tam Kỳ",
    "Hội An",
    "Điện Bàn",
    "Thăng Bình",
    "Núi Thành",
    "Phú Ninh",
    "Quế Sơn",
    "Duy Xuyên",
    "Đại Lộc",
    "Hiệp Đức",
    "Tiên Phước",
    "Bắc Trà My",
    "Nam Trà My",
    "Phước Sơn",
    "Nông Sơn",
    "Nam Giang",
    "Đông Giang",
    "Tây Giang",
]
DEADLINES = [
    "Trước ngày 15/3/2024",
    "Quý I/2024",
    "Định kỳ trước ngày 10 hằng tháng",
    "Thường xuyên",
    "Chậm nhất là 03 ngày làm việc kể từ ngày quyết định công bố",
    "Theo kế hoạch của Bộ Nội vụ",
    "Năm 2024",
    "Thời gian chậm nhất là ngày 17 của tháng cuối quý",
    "",
]


def make_rows(count: int) -> list[list[str]]:
    rows = [
        ["STT", "Nội dung công việc", "Kết quả công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]
    ]
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII"]
    for i in range(count):
        if i % 50 == 0:
            rows.append([roman[(i // 50) % len(roman)], f"Nhóm nhiệm vụ số {i // 50 + 1}", "", "", "", ""])
        rows.append(
            [
                str(i % 50 + 1),
                f"Triển khai nhiệm vụ cải cách hành chính số {i + 1} trên địa bàn tỉnh",
                "Báo cáo kết quả thực hiện",
                LEADS[i % len(LEADS)],
                "Các cơ quan, đơn vị, địa phương"
                if i % 2
                else f"{COORDINATORS[i % len(COORDINATORS)]}; UBND huyện {DISTRICTS[i % len(DISTRICTS)]}",
                DEADLINES[i % len(DEADLINES)],
            ]
        )
    return rows


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rows = make_rows(count)
    directory = read_directory()
    with tempfile.TemporaryDirectory() as folder:
        tsv = Path(folder) / "phu-luc.txt"
        tsv.write_text("\n".join("\t".join(r) for r in rows), encoding="utf-8")
        xlsx = Path(folder) / "phu-luc.xlsx"
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.save(xlsx)
        for path in (tsv, xlsx):
            best = float("inf")
            for _ in range(3):
                index = AliasIndex.from_directory(directory)  # each upload reads its cells afresh
                started = time.perf_counter()
                plan = build_plan(read_path(path), index, year=2024)
                best = min(best, time.perf_counter() - started)
            assert len(plan.tasks) == count, len(plan.tasks)
            print(
                f"{path.suffix}: {count} rows read and parsed in {best:.2f} s ({count / best:,.0f} rows/s, best of 3)"
            )


if __name__ == "__main__":
    main()
