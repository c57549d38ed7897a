"""Forms of the import flow."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.core.forms import VnIntegerField
from tracker.plans.forms import REQUIRED, PlanForm


class UploadForm(FlaskForm):
    file = FileField(
        "Tệp phụ lục (.docx, .xlsx, .pdf, .csv, .txt)",
        validators=[
            FileRequired("Vui lòng chọn tệp phụ lục."),
            FileAllowed(
                ["docx", "xlsx", "pdf", "csv", "txt", "tsv"], "Chỉ nhận tệp .docx, .xlsx, .pdf, .csv hoặc .txt."
            ),
        ],
    )
    year = VnIntegerField(
        "Năm của kế hoạch (để trống nếu văn bản đã ghi)",
        validators=[Optional(), NumberRange(2000, 2100, "Năm phải từ 2000 đến 2100.")],
    )
    plan_id = SelectField("Bản sửa đổi của kế hoạch (để trống: kế hoạch mới)", coerce=int, default=0)


class PlanDetailsForm(PlanForm):
    """The plan's details in the import preview: prefilled from the document, required before it is tracked."""

    confirm_changes = BooleanField("Tôi đã xem danh sách nhiệm vụ thêm mới và bị bỏ")


class TaskEditForm(FlaskForm):
    number = StringField("Số thứ tự", validators=[Length(max=20)])
    content = TextAreaField("Nội dung", validators=[DataRequired(REQUIRED), Length(max=10000)])
    deliverable = TextAreaField("Kết quả, sản phẩm", validators=[Length(max=10000)])
    lead_text = TextAreaField("Cơ quan chủ trì", validators=[Length(max=2000)])
    coordinators_text = TextAreaField("Cơ quan phối hợp", validators=[Length(max=2000)])
    deadline_text = TextAreaField("Thời gian thực hiện", validators=[Length(max=1000)])
