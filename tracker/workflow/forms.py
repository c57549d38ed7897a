"""Forms an agency fills in about its items."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from tracker.core.forms import VnIntegerField


class ProgressForm(FlaskForm):
    progress = VnIntegerField(
        "Tiến độ (%)",
        validators=[
            InputRequired("Vui lòng nhập tiến độ."),
            NumberRange(0, 100, "Tiến độ phải từ 0 đến 100%%."),
        ],
    )
    note = TextAreaField("Ghi chú, văn bản kết quả", validators=[Length(max=4000, message="Tối đa 4.000 ký tự.")])
