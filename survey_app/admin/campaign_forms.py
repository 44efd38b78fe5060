"""Forms of the campaign pages: a new campaign, its targets table, state changes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import DataRequired, NumberRange, ValidationError

from ..domain.campaigns.campaign_admin import MIN_COMPARE_RANGE, Target
from ..domain.results.result_settings import METHOD_NAMES, WEIGHTING_NAMES
from .forms import CheckMany, Select, max_length, options

REQUIRED = "Vui lòng nhập trường này."
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_ERROR = "Ngày không hợp lệ (dd/mm/yyyy)."


def parse_share(raw: str | None) -> float | None:
    """``"0,5"`` or ``"0.5"`` or ``"50%"`` → 0.5; None when unreadable."""
    text = (raw or "").strip().replace(",", ".")
    percent = text.endswith("%")
    try:
        value = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return float(value / 100 if percent else value)


class VNDateField(DateField):
    """A date typed dd/mm/yyyy (or sent ISO by a date picker), refused in Vietnamese."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=DATE_FORMATS, **kwargs)

    #: Dates a survey office can mean; the calendar's ends (01/01/0001) break time zones.
    YEARS = range(1900, 3000)

    def _value(self):
        """Shown as people here write it, whatever the browser's language."""
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d/%m/%Y") if self.data else ""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(DATE_ERROR) from error
        if self.data is not None and self.data.year not in self.YEARS:
            self.data = None
            raise ValueError(DATE_ERROR)


class ShareField(StringField):
    """A share typed the Vietnamese way (0,5) or as a percentage."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.share = parse_share(self.data)

    def pre_validate(self, form):
        if getattr(self, "share", None) is None:
            raise ValidationError("Nhập một số, ví dụ 0,5 hoặc 50%.")


class WholeNumberField(IntegerField):
    """A whole number, refused in Vietnamese (WTForms' own message is English)."""

    def __init__(self, label=None, validators=None, message: str = "", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.message) from error


COMPARE_MESSAGE = "Nhập một số nguyên từ 2 đến 100.000."


class CampaignForm(FlaskForm):
    code = StringField("Mã đợt (ví dụ 2026)", validators=[DataRequired(REQUIRED),
                                                         max_length(40)])
    name = StringField("Tên đợt khảo sát", validators=[DataRequired(REQUIRED),
                                                       max_length(300)])
    instrument_version_id = Select("Bộ phiếu (đã công bố)", coerce=int)
    starts_on = VNDateField("Ngày bắt đầu", validators=[DataRequired(DATE_ERROR)])
    deadline = VNDateField("Hạn chót", validators=[DataRequired(DATE_ERROR)])
    headline_method = Select("Cách tính chỉ số chung", choices=options(
        (code, f"{short} — {long}") for code, (short, long) in METHOD_NAMES.items()))
    weighting = Select("Trọng số khi tổng hợp toàn đơn vị tổ chức", default="respondent",
                       choices=options((code, f"{short} — {long}")
                                       for code, (short, long) in WEIGHTING_NAMES.items()))
    min_compare_responses = WholeNumberField(
        "Số phiếu hợp lệ tối thiểu để so sánh một đơn vị với toàn đơn vị tổ chức", default=30,
        message=COMPARE_MESSAGE,
        validators=[NumberRange(MIN_COMPARE_RANGE.start, MIN_COMPARE_RANGE.stop - 1,
                                COMPARE_MESSAGE)])
    valid_threshold = ShareField("Ngưỡng phiếu hợp lệ (tỷ lệ câu đánh giá phải trả lời)",
                                 default="0,5")
    margin_of_error = ShareField("Sai số cho phép e (công thức Yamane)", default="0,05")
    optional_blocks = CheckMany("Phần tùy chọn bật thêm")
    organiser_id = Select("Đơn vị tổ chức (các đơn vị tham gia là đơn vị này và cấp dưới)",
                          coerce=int, default=0)
    unit_ids = CheckMany("Đơn vị tham gia", coerce=int)


class StateForm(FlaskForm):
    """Move a campaign to another state (the target comes from the button pressed)."""

    target = StringField(validators=[DataRequired()])


def read_targets(form: MultiDict, unit_ids: list[int]) -> tuple[list[Target], list[str]]:
    """The targets table as typed: rows ticked ``take_<id>`` with ``n_<id>``/``fixed_<id>``."""
    targets: list[Target] = []
    problems: list[str] = []
    for unit_id in unit_ids:
        if not form.get(f"take_{unit_id}"):
            continue
        values = []
        for name in (f"n_{unit_id}", f"fixed_{unit_id}"):
            raw = (form.get(name) or "").strip().replace(".", "").replace(" ", "")
            if raw and not (raw.isascii() and raw.isdigit()):
                problems.append(f"Giá trị “{form.get(name)}” không phải số nguyên không âm.")
                values.append(None)
            else:
                values.append(int(raw) if raw else None)
        targets.append(Target(unit_id, values[0], values[1]))
    return targets, problems
