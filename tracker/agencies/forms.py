"""Agency and group forms."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from tracker.core.forms import VnDateField

REQUIRED = "Trường này là bắt buộc."


class AgencyForm(FlaskForm):
    code = StringField(
        "Mã đơn vị",
        validators=[
            DataRequired(REQUIRED),
            Length(max=40),
            Regexp(r"^[A-Z0-9_]+$", message="Mã chỉ gồm chữ in hoa không dấu, chữ số và dấu gạch dưới."),
        ],
    )
    name = StringField("Tên đầy đủ", validators=[DataRequired(REQUIRED), Length(max=255)])
    short_name = StringField("Tên viết tắt", validators=[Optional(), Length(max=120)])
    kind = SelectField("Loại đơn vị", validators=[DataRequired(REQUIRED)])
    parent_id = SelectField("Đơn vị cấp trên", coerce=int)
    notice_emails = TextAreaField("Email nhận thông báo (mỗi dòng một địa chỉ)")
    head_email = StringField("Email lãnh đạo đơn vị", validators=[Optional(), Length(max=254)])
    # InputRequired, not DataRequired: it keeps the "invalid date" message instead of "required"
    active_from = VnDateField("Hoạt động từ ngày", validators=[InputRequired(REQUIRED)])
    active_to = VnDateField("Đến ngày (để trống nếu còn hoạt động)", validators=[Optional()])
    successor_id = SelectField("Đơn vị kế thừa (khi đổi tên, sáp nhập)", coerce=int)
    aliases = TextAreaField("Tên gọi khác, viết tắt (mỗi dòng một tên)")

    def validate_aliases(self, field) -> None:
        if any(len(line.strip()) > 255 for line in (field.data or "").splitlines()):
            raise ValidationError("Mỗi tên gọi khác dài tối đa 255 ký tự.")


class GroupForm(FlaskForm):
    code = StringField(
        "Mã nhóm",
        validators=[
            DataRequired(REQUIRED),
            Length(max=40),
            Regexp(r"^[A-Z0-9_]+$", message="Mã chỉ gồm chữ in hoa không dấu, chữ số và dấu gạch dưới."),
        ],
    )
    name = StringField("Tên nhóm", validators=[DataRequired(REQUIRED), Length(max=255)])
    description = TextAreaField("Mô tả")
    members = SelectMultipleField(
        "Thành viên",
        coerce=int,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )


class SuccessionForm(FlaskForm):
    """A change of the directory on a date (its per-task choices come with the preview, as task-<id> fields)."""

    kind = SelectField("Loại thay đổi", validators=[DataRequired(REQUIRED)])
    # InputRequired keeps the "invalid date" message
    effective_on = VnDateField("Từ ngày (ngày đầu đơn vị kế thừa đảm nhận)", validators=[InputRequired(REQUIRED)])
    sources = SelectMultipleField("Đơn vị kết thúc (hoặc chuyển giao nhiệm vụ)", coerce=int)
    target = SelectField("Đơn vị kế thừa chính", coerce=int)
    other_targets = SelectMultipleField("Các đơn vị kế thừa khác (chia tách)", coerce=int)
    users = SelectField(
        "Tài khoản của đơn vị kết thúc",
        choices=[SelectChoice("move", "Chuyển sang đơn vị kế thừa chính"), SelectChoice("disable", "Khóa tài khoản")],
    )
    note = TextAreaField("Ghi chú, căn cứ", validators=[Optional(), Length(max=2000)])
