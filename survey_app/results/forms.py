"""Forms of the results pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired


class ApproveForm(FlaskForm):
    """"Phê duyệt kết quả": the campaign code, with the CSRF token.

    On the confirmation page also the number of flagged responses shown (``flagged``) and
    the box that confirms approving without them (``confirm_flagged``).
    """

    campaign = HiddenField(validators=[DataRequired()])
    flagged = HiddenField()
    confirm_flagged = BooleanField()

    def confirmed_flagged(self) -> int:
        """The number of flagged responses the approver confirmed; 0 unless the box is ticked."""
        shown = (self.flagged.data or "").strip()
        if not self.confirm_flagged.data or not (shown.isascii() and shown.isdigit()):
            return 0
        return int(shown[:9])
