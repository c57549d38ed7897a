"""Account forms, with Vietnamese messages."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange

from tracker.core.forms import VnIntegerField

REQUIRED = "Trường này là bắt buộc."


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(REQUIRED), Length(max=256)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Mật khẩu hiện tại", validators=[DataRequired(REQUIRED)])
    new_password = PasswordField("Mật khẩu mới", validators=[DataRequired(REQUIRED)])
    confirm = PasswordField(
        "Nhập lại mật khẩu mới",
        validators=[DataRequired(REQUIRED), EqualTo("new_password", "Hai mật khẩu không khớp.")],
    )


class UserForm(FlaskForm):
    email = EmailField("Email (tên đăng nhập)", validators=[DataRequired(REQUIRED), Length(max=254)])
    full_name = StringField("Họ và tên", validators=[DataRequired(REQUIRED), Length(max=200)])
    role = SelectField("Vai trò", validators=[DataRequired(REQUIRED)])
    agency_id = SelectField("Cơ quan, đơn vị", coerce=int)
    is_enabled = BooleanField("Đang hoạt động", default=True)
    password = PasswordField("Mật khẩu (để trống: tạo ngẫu nhiên)")


class PasswordResetForm(FlaskForm):
    password = PasswordField("Mật khẩu mới (để trống: tạo ngẫu nhiên)")


class EmptyForm(FlaskForm):
    """A form with only its CSRF token (logout, log out everywhere)."""


class TokenForm(FlaskForm):
    name = StringField("Tên khoá (để nhận biết, ví dụ: phần mềm tổng hợp của Sở)", validators=[Length(max=100)])
    days = VnIntegerField(
        "Thời hạn (ngày)",
        default=90,
        validators=[DataRequired(REQUIRED), NumberRange(1, 366, "Thời hạn từ 1 đến 366 ngày.")],
    )
