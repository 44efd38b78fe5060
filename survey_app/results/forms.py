"""Forms of the results pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired


class ApproveForm(FlaskForm):
    """"Phê duyệt kết quả": the campaign code, with the CSRF token."""

    campaign = HiddenField(validators=[DataRequired()])
