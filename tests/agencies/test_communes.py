"""A province's commune list: loaded with its district and active dates, merged wards with their successor; the
ALL_COMMUNES group stands for the communes of the plan's date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from tests.factories import dated, make_plan
from tracker.agencies.models import Agency
from tracker.agencies.queries import resolve_group
from tracker.plans.models import Assignment
from tracker.plans.operations import TaskSpec

SAMPLE = Path(__file__).parents[2] / "tracker" / "agencies" / "data" / "communes_tamky_sample.csv"
HEADER = "code,name,district_code,active_from,active_to,successor_code,aliases,notice_emails\n"


def load(app, path):
    return app.test_cli_runner().invoke(args=["agencies", "load-communes", str(path)])


def test_the_sample_loads_under_its_district(app, db):
    result = load(app, SAMPLE)
    assert result.exit_code == 0, result.output
    assert "Đã cập nhật 13 xã, phường, thị trấn." in result.output
    db.session.expire_all()
    communes = db.session.scalars(select(Agency).where(Agency.kind == "commune")).all()
    assert len(communes) == 13 and {a.parent.code for a in communes} == {"UBND_TAMKY"}
    # loading it again changes nothing
    assert load(app, SAMPLE).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Agency).where(Agency.kind == "commune")) == 13


def test_merged_wards_end_with_their_successor_and_plans_name_the_communes_of_their_date(app, db, clock, tmp_path):
    merged = tmp_path / "xa-2025.csv"
    merged.write_text(
        HEADER + "XA_A,UBND phường A,UBND_TAMKY,2020-01-01,2025-06-30,XA_AB,,\n"
        "XA_B,UBND phường B,UBND_TAMKY,2020-01-01,2025-06-30,XA_AB,,\n"
        "XA_C,UBND xã C,UBND_TAMKY,2020-01-01,,,,\n"
        "XA_AB,UBND phường AB,,2025-07-01,,,,\n",
        encoding="utf-8",
    )
    assert load(app, merged).exit_code == 0
    db.session.expire_all()
    a = db.session.scalar(select(Agency).where(Agency.code == "XA_A"))
    assert (a.active_to, db.session.get(Agency, a.successor_id).code) == (date(2025, 6, 30), "XA_AB")
    assert {x.code for x in resolve_group("ALL_COMMUNES", date(2025, 6, 30))} == {"XA_A", "XA_B", "XA_C"}
    assert {x.code for x in resolve_group("ALL_COMMUNES", date(2025, 7, 1))} == {"XA_AB", "XA_C"}

    def communes_of(issued: date) -> set[str]:
        task = TaskSpec(content="Mọi xã", lead_codes=["ALL_COMMUNES"], schedule=dated(date(2025, 12, 31)))
        plan = make_plan(db, clock, [task], issued_on=issued)
        return set(
            db.session.scalars(
                select(Agency.code)
                .join(Assignment, Assignment.agency_id == Agency.id)
                .where(Assignment.task_id.in_([t.id for t in plan.tasks]))
            )
        )

    # a plan of March 2025 goes to the wards of March; one of August, to the wards of August
    assert communes_of(date(2025, 3, 10)) == {"XA_A", "XA_B", "XA_C"}
    assert communes_of(date(2025, 8, 15)) == {"XA_AB", "XA_C"}


def test_a_commune_list_with_a_bad_row_writes_nothing(app, db, tmp_path):
    bad = tmp_path / "xa.csv"
    bad.write_text(
        HEADER + "XA_A,UBND phường A,UBND_TAMKY,2020-01-01,,,,\n"
        "XA_B,UBND phường B,HUYEN_KHONG_CO,2020-01-01,,,,\n"
        "XA_C,UBND xã C,UBND_TAMKY,01/01/2020,,,,\n"
        "XA_D,UBND xã D,UBND_TAMKY,2020-01-01,,XA_KHONG_CO,,\n",
        encoding="utf-8",
    )
    result = load(app, bad)
    assert result.exit_code == 2
    assert "Dòng 3: không có huyện, thị xã, thành phố mã HUYEN_KHONG_CO." in result.output
    assert "Dòng 4: ngày phải theo dạng YYYY-MM-DD" in result.output
    assert "Dòng 5: không có đơn vị kế thừa mã XA_KHONG_CO." in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Agency).where(Agency.kind == "commune")) == 0
