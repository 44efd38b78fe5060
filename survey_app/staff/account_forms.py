"""Forms of the staff account pages: login and password change."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

REQUIRED = "Vui lòng nhập trường này."
SHORT = Length(max=80, message="Tối đa 80 ký tự.")
LONG = Length(max=200, message="Tối đa 200 ký tự.")


class LoginForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired(REQUIRED), SHORT],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField("Mật khẩu", validators=[DataRequired(REQUIRED), LONG],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Mật khẩu hiện tại",
                                     validators=[DataRequired(REQUIRED), LONG],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("Mật khẩu mới (ít nhất 10 ký tự)",
                                 validators=[DataRequired(REQUIRED), LONG],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Nhập lại mật khẩu mới",
                            validators=[DataRequired(REQUIRED),
                                        EqualTo("new_password", "Hai lần nhập không khớp.")],
                            render_kw={"autocomplete": "new-password"})


class ApiTokenForm(FlaskForm):
    name = StringField("Tên mã truy cập (hệ thống sẽ dùng nó)",
                       validators=[DataRequired(REQUIRED),
                                   Length(max=100, message="Tối đa 100 ký tự.")])
