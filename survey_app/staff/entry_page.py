"""What the paper-entry screen shows: the questionnaire as digit fields, profile as selects."""

from __future__ import annotations

from flask import render_template, request

from ..domain.campaigns.instruments import campaign_blocks, instrument_of
from ..domain.paper.paper_entry import read_typed
from ..domain.submissions.responses import COMMENT, Problem
from ..models import Campaign


def render_entry(campaign: Campaign, *, mode: str, action: str, values: dict[str, str],
                 problems: list[Problem], status: int = 200, **extra):
    """The keyboard-first entry form (new sheet, correction or second typing)."""
    instrument = instrument_of(campaign.instrument_version)
    blocks = campaign_blocks(campaign)
    numbered = list(enumerate(instrument.items_for(blocks), 1))
    groups = [(element.title, [(n, i) for n, i in numbered if i in element.items])
              for element in instrument.elements]
    groups += [(instrument.block(code).title,
                [(n, i) for n, i in numbered if i in instrument.block(code).items])
               for code in blocks]
    choices = [q for q in instrument.profile if q.kind == "choice"]
    comment = next((q for q in instrument.profile if q.code == COMMENT), None)
    numbers = {item.code: n for n, item in numbered}
    notes = {problem.field: problem.message for problem in problems}
    return render_template(
        "staff/entry.html", campaign=campaign, instrument=instrument, groups=groups,
        choices=choices, comment=comment, values=values, problems=problems, notes=notes,
        numbers=numbers, mode=mode, action=action, **extra), status


#: Shown when a sheet was typed but its form's CSRF token had expired (the values stay).
EXPIRED = ("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Các giá trị đã nhập vẫn được "
           "giữ dưới đây; vui lòng kiểm tra rồi bấm Enter để lưu lại.")


def render_unsent(campaign: Campaign, *, mode: str, action: str, blank: dict[str, str],
                  **extra):
    """The form before anything is sent, or after a post whose CSRF token failed: then
    nothing is saved and every typed value is shown again with a fresh token (400)."""
    if request.method != "POST":
        return render_entry(campaign, mode=mode, action=action, values=blank, problems=[],
                            **extra)
    typed = read_typed(request.form, campaign)
    return render_entry(campaign, mode=mode, action=action, values=typed.values,
                        problems=[Problem("csrf_token", EXPIRED)], status=400, **extra)
