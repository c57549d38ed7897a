"""Loading agencies from CSV (the communes the shipped directory does not list): all rows or none."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tracker.agencies.models import Agency
from tracker.agencies.queries import resolve_group

HEADER = "code,name,short_name,kind,parent_code,notice_emails,head_email,active_from,aliases\n"


def test_communes_load_and_join_their_group(app, db, tmp_path):
    path = tmp_path / "xa.csv"
    path.write_text(
        HEADER + "XA_TAMTHANH,UBND xã Tam Thanh,Xã Tam Thanh,commune,UBND_TAMKY,"
        "tamthanh@example.org,ct.tamthanh@example.org,2020-01-01,Xã Tam Thanh;UBND xã Tam Thanh (Tam Kỳ)\n"
        "XA_CAMTHANH,UBND xã Cẩm Thanh,,commune,UBND_HOIAN,,,2020-01-01,\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["agencies", "load", str(path)])
    assert result.exit_code == 0, result.output + (result.stderr or "")
    assert "Đã cập nhật 2 cơ quan, đơn vị." in result.output
    db.session.expire_all()
    assert {a.code for a in resolve_group("ALL_COMMUNES", date(2024, 1, 1))} == {"XA_TAMTHANH", "XA_CAMTHANH"}
    tam = db.session.scalar(select(Agency).where(Agency.code == "XA_TAMTHANH"))
    assert (tam.parent.code, tam.notice_emails) == ("UBND_TAMKY", ["tamthanh@example.org"])


def test_one_bad_row_and_nothing_is_written(app, db, tmp_path):
    before = db.session.scalar(select(func.count()).select_from(Agency))
    path = tmp_path / "xa.csv"
    path.write_text(
        HEADER + "XA_A,UBND xã A,,commune,UBND_TAMKY,,,2020-01-01,\n"
        "XA_B,UBND xã B,,xa,UBND_TAMKY,,,2020-01-01,\n"
        "XA_C,UBND xã C,,commune,KHONGCO,,,2020-01-01,\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["agencies", "load", str(path)])
    assert result.exit_code == 2
    assert "Dòng 3: loại đơn vị “xa” không hợp lệ." in result.stderr
    assert "Dòng 4: không có đơn vị cấp trên mã KHONGCO." in result.stderr
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Agency)) == before
