"""The form of a plan's own details (number, date, kind, title, period, issuer, signer)."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from tracker.core.forms import VnDateField, VnIntegerField
from tracker.importers.details import read_number

REQUIRED = "Trường này là bắt buộc."


def _issued_number(form, field) -> None:
    """A number as issued ("123/KH-UBND"), not a draft's placeholder ("#sovb/QĐ-UBND", "/QĐ-UBND")."""
    number, written = read_number(field.data or "")
    if not number:
        raise ValidationError(
            f"“{written}” chưa phải số, ký hiệu đã ban hành: nhập số như 123/KH-UBND."
            if written
            else "Số, ký hiệu phải có dạng như 123/KH-UBND."
        )


class PlanForm(FlaskForm):
    """A plan's own details: what the import preview prefills and the office may correct later."""

    doc_kind = SelectField("Loại văn bản", choices=["Kế hoạch", "Quyết định"])
    doc_number = StringField(
        "Số, ký hiệu",
        validators=[DataRequired("Vui lòng nhập số, ký hiệu của văn bản."), Length(max=80), _issued_number],
    )
    issued_on = VnDateField("Ngày ban hành", validators=[InputRequired("Vui lòng nhập ngày ban hành.")])
    title = TextAreaField("Tên kế hoạch", validators=[DataRequired(REQUIRED), Length(max=2000)])
    year = VnIntegerField(
        "Năm của kế hoạch (năm đầu, nếu là giai đoạn)",
        validators=[
            InputRequired("Vui lòng nhập năm của kế hoạch."),
            NumberRange(2000, 2100, "Năm phải từ 2000 đến 2100."),
        ],
    )
    end_year = VnIntegerField(
        "Đến năm (kế hoạch nhiều năm)", validators=[Optional(), NumberRange(2000, 2100, "Năm phải từ 2000 đến 2100.")]
    )
    issuer = StringField(
        "Cơ quan ban hành", validators=[DataRequired("Vui lòng nhập cơ quan ban hành."), Length(max=255)]
    )
    signer = StringField("Người ký", validators=[Length(max=255)])

    def validate_end_year(self, field) -> None:
        if field.data is not None and self.year.data is not None and not 0 <= field.data - self.year.data <= 10:
            raise ValidationError("Năm kết thúc phải từ năm của kế hoạch đến 10 năm sau đó.")

    def validate_issued_on(self, field) -> None:
        if field.data is not None and not 2000 <= field.data.year <= 2100:
            raise ValidationError("Ngày ban hành phải trong khoảng năm 2000 đến 2100.")

    def period(self) -> tuple[date, date]:
        return date(self.year.data, 1, 1), date(self.end_year.data or self.year.data, 12, 31)

    def plan_values(self) -> dict:
        """What the person confirmed, as the plan's fields."""
        start, end = self.period()
        return {
            "doc_kind": self.doc_kind.data,
            "doc_number": self.doc_number.data.strip(),
            "issued_on": self.issued_on.data,
            "title": self.title.data.strip(),
            "issuer": self.issuer.data.strip(),
            "signer": (self.signer.data or "").strip(),
            "year": self.year.data,
            "period_start": start,
            "period_end": end,
        }
