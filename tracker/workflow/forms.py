"""Forms an agency fills in about its items."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange


class ProgressForm(FlaskForm):
    progress = IntegerField(
        "Tiến độ (%)",
        validators=[
            InputRequired("Vui lòng nhập tiến độ."),
            NumberRange(0, 100, "Tiến độ phải từ 0 đến 100%."),
        ],
    )
    note = TextAreaField("Ghi chú, văn bản kết quả", validators=[Length(max=4000, message="Tối đa 4.000 ký tự.")])
