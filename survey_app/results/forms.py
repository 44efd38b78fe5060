"""Forms of the results pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired


class ApproveForm(FlaskForm):
    """"Phê duyệt kết quả": the campaign code, with the CSRF token.

    On the confirmation page also the number of flagged responses shown (``flagged``) and
    the box that confirms approving without them (``confirm_flagged``), and the fingerprint
    of the numbers the question was computed from (``shown``: approval is refused if they
    changed since).
    """

    campaign = HiddenField(validators=[DataRequired()])
    flagged = HiddenField()
    confirm_flagged = BooleanField()
    shown = HiddenField()

    def confirmed_flagged(self) -> int:
        """The number of flagged responses the approver confirmed; 0 unless the box is ticked."""
        shown = (self.flagged.data or "").strip()
        if not self.confirm_flagged.data or not (shown.isascii() and shown.isdigit()):
            return 0
        return int(shown[:9])
