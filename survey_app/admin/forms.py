"""Forms of the administration pages: units, counters, accounts, and plain action buttons."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..models import Role, UnitKind
from ..models.units import UNIT_KIND_LABELS
from ..models.users import ROLE_LABELS

REQUIRED = "Vui lòng nhập trường này."


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the select options WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


def max_length(limit: int) -> Length:
    return Length(max=limit, message=f"Tối đa {limit} ký tự.")


INVALID_CHOICE = "Lựa chọn không hợp lệ; vui lòng chọn lại trong danh sách."


class _VietnameseChoice:
    """WTForms ships no Vietnamese messages: a tampered or stale choice is refused in Vietnamese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(INVALID_CHOICE) from error

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise ValidationError(INVALID_CHOICE) from error


class Select(_VietnameseChoice, SelectField):
    """A drop-down list."""


class SelectMany(_VietnameseChoice, SelectMultipleField):
    """A list where several options may be chosen."""


class CheckMany(SelectMany):
    """Several options chosen by ticking boxes (no Ctrl-click list box); rendered by the
    ``check_list`` macro, with a filter box when JavaScript runs."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class UnitForm(FlaskForm):
    code = StringField("Mã đơn vị (ví dụ xa-canh-hien)",
                       validators=[DataRequired(REQUIRED), max_length(40)])
    name = StringField("Tên đơn vị", validators=[DataRequired(REQUIRED), max_length(200)])
    kind = Select("Loại đơn vị", choices=options(
        (kind.value, UNIT_KIND_LABELS[kind]) for kind in UnitKind))
    parent_id = Select("Đơn vị cấp trên (nếu có)", coerce=int, default=0)
    field_codes = StringField("Mã các lĩnh vực thủ tục (cách nhau bởi dấu phẩy; để trống: "
                              "tất cả)", validators=[Optional(), max_length(500)])


class UnitImportForm(FlaskForm):
    file = FileField("Tệp CSV danh sách đơn vị", validators=[FileRequired("Hãy chọn một tệp.")])


class CounterForm(FlaskForm):
    name = StringField("Tên quầy", validators=[DataRequired(REQUIRED), max_length(200)])
    kiosk = BooleanField("Máy tính bảng đặt tại quầy (biểu mẫu tự làm mới sau mỗi phiếu)")
    kiosk_language = BooleanField("Hiện liên kết “English” trên máy tính bảng (mặc định ẩn: "
                                  "phiếu chỉ bằng tiếng Việt)")


def role_choices() -> list[SelectChoice]:
    return options((role.value, ROLE_LABELS[role]) for role in Role)


class UserForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired(REQUIRED), max_length(80)])
    full_name = StringField("Họ và tên", validators=[DataRequired(REQUIRED), max_length(200)])
    role = Select("Vai trò", choices=role_choices(), default=Role.UNIT_STAFF.value)
    unit_ids = CheckMany("Đơn vị của cán bộ (chỉ với vai trò cán bộ đơn vị)", coerce=int)


class UserEditForm(FlaskForm):
    full_name = StringField("Họ và tên", validators=[DataRequired(REQUIRED), max_length(200)])
    role = Select("Vai trò", choices=role_choices())
    unit_ids = CheckMany("Đơn vị của cán bộ (chỉ với vai trò cán bộ đơn vị)", coerce=int)
