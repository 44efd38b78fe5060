"""What the paper-entry screen shows: the questionnaire as digit fields, profile as selects."""

from __future__ import annotations

from flask import render_template

from ..models import Campaign
from ..services.instruments import instrument_of
from ..services.paper_entry import campaign_blocks
from ..services.responses import COMMENT, Problem


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
