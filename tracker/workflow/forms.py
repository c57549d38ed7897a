"""Forms an agency fills in about its items, and the office's decisions; messages in Vietnamese."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tracker.core.forms import VnDateField, VnIntegerField
from tracker.plans.models import LATE_REASON_LABELS

LONG = Length(max=4000, message="Tối đa 4.000 ký tự.")


class VersionedForm(FlaskForm):
    """A form about one item carries the version it was opened on."""

    version = HiddenField()

    @property
    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class ProgressForm(VersionedForm):
    progress = VnIntegerField(
        "Tiến độ (%)",
        validators=[
            InputRequired("Vui lòng nhập tiến độ."),
            NumberRange(0, 100, "Tiến độ phải từ 0 đến 100%%."),
        ],
    )
    note = TextAreaField("Ghi chú, văn bản kết quả", validators=[LONG])


class CompletionForm(VersionedForm):
    completed_on = VnDateField("Ngày hoàn thành", validators=[Optional()])
    result = TextAreaField("Kết quả thực hiện", validators=[LONG])
    evidence = TextAreaField(
        "Văn bản chứng minh (mỗi văn bản một dòng, ví dụ: Công văn số 123/SNV-CCHC ngày 05/3/2024)",
        validators=[Length(max=10000, message="Tối đa 10.000 ký tự.")],
    )
    files = MultipleFileField("Tệp đính kèm (PDF, Word, Excel, JPEG, PNG)")
    late_reason = RadioField(
        "Nguyên nhân chậm (bắt buộc khi hoàn thành sau hạn)",
        choices=[SelectChoice(value, label) for value, label in LATE_REASON_LABELS.items()],
        validators=[Optional()],
        validate_choice=False,
    )
    late_reason_agency = SelectField("Cơ quan phối hợp trả lời chậm", choices=[], validate_choice=False)
    late_reason_text = TextAreaField("Giải trình nguyên nhân chậm", validators=[LONG])


class FileForm(FlaskForm):
    files = MultipleFileField("Tệp đính kèm (PDF, Word, Excel, JPEG, PNG)")


class ExtensionForm(VersionedForm):
    due_date = VnDateField("Hạn mới đề nghị", validators=[Optional()])
    reason = TextAreaField("Lý do đề nghị gia hạn", validators=[LONG])


class ReviewForm(VersionedForm):
    decision = HiddenField()
    comment = TextAreaField("Ý kiến (bắt buộc khi trả lại)", validators=[LONG])


class DecisionForm(FlaskForm):
    decision = HiddenField()
    comment = TextAreaField("Ý kiến (bắt buộc khi không đồng ý)", validators=[LONG])


class CommentForm(FlaskForm):
    text = TextAreaField("Nội dung", validators=[LONG])


class AssignForm(VersionedForm):
    assignee = SelectField("Giao cho cán bộ", coerce=int, choices=[], validate_choice=False)
