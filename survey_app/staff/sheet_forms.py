"""Forms of the staff tools; choices are filled per request from the user's units."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired


class BatchForm(FlaskForm):
    """Campaign + unit + number of sheets to print."""

    # Chosen from lists; a missing or non-numeric choice fails here (the view names the problem).
    campaign = SelectField("Đợt khảo sát", coerce=int, validate_choice=False,
                           validators=[InputRequired()])
    unit = SelectField("Đơn vị", coerce=int, validate_choice=False, validators=[InputRequired()])
    count = StringField("Số phiếu cần in (1–2.000)", default="20",
                        render_kw={"inputmode": "numeric", "autocomplete": "off"})


class ActionForm(FlaskForm):
    """A bare form for POST buttons: only its CSRF token."""
