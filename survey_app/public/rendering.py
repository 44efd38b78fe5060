"""Turning an instrument version into what the form template shows."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from questionnaires import NOT_APPLICABLE, ProfileQuestion, Scale

from ..i18n import current_language
from ..services.public_survey import Survey
from ..services.responses import COMMENT, Problem, required_rated
from ..services.serials import display_serial
from ..services.submissions import RATINGS


def scale_options(scale: Scale) -> list[tuple[str, str]]:
    """(radio value, label) for each answer on a scale, "not applicable" last."""
    options = [(str(option.value), option.label) for option in scale.options]
    if scale.not_applicable:
        options.append((str(NOT_APPLICABLE), scale.not_applicable))
    return options


def profile_options(question: ProfileQuestion, survey: Survey) -> list[tuple[str, str]]:
    """A profile question's choices; the field question offers only the unit's own fields."""
    allowed = survey.unit.field_codes if question.code == "field" else None
    return [(str(option.value), option.label) for option in question.options
            if not allowed or option.value in allowed]


def _notes(survey: Survey, values: dict[str, str], problems: list[Problem]
           ) -> dict[str, str]:
    """The message shown inside each question's box, by field code."""
    notes = {problem.field: problem.message for problem in problems}
    if RATINGS in notes:
        for item in survey.instrument.rating_items:
            if not values.get(item.code):
                notes.setdefault(item.code, _("Chưa trả lời"))
    return notes


def _anchor(problem: Problem, survey: Survey, values: dict[str, str]) -> str | None:
    """Where in the page a problem in the summary should lead."""
    if problem.field == RATINGS:
        unanswered = [item.code for item in survey.instrument.rating_items
                      if not values.get(item.code)]
        return unanswered[0] if unanswered else survey.instrument.rating_items[0].code
    known = {item.code for item in survey.instrument.items_for(survey.block_codes)}
    known |= {question.code for question in survey.instrument.profile}
    return problem.field if problem.field in known else None


def render_survey(survey: Survey, *, key_token: str, action: str, values: dict[str, str],
                  problems: list[Problem]) -> str:
    """The questionnaire page."""
    instrument = survey.instrument
    items = instrument.items_for(survey.block_codes)
    choices = [(question, profile_options(question, survey))
               for question in instrument.profile if question.kind == "choice"]
    comment = next((q for q in instrument.profile if q.code == COMMENT), None)
    comment_limit = (comment.max_length if comment else None) or 2000
    return render_template(
        "public/survey.html", survey=survey, instrument=instrument, blocks=survey.blocks,
        numbers={item.code: number for number, item in enumerate(items, 1)},
        options={item.scale.code: scale_options(item.scale) for item in items},
        choices=[(question, options) for question, options in choices if options],
        comment=comment, comment_limit=comment_limit,
        comment_limit_text=f"{comment_limit:,}".replace(",", "."),
        foreign=current_language() != "vi",
        required=required_rated(instrument, survey.campaign.valid_threshold),
        total=len(instrument.rating_items), values=values,
        problems=[(problem, _anchor(problem, survey, values)) for problem in problems],
        notes=_notes(survey, values, problems), key_token=key_token, action=action,
        serial=display_serial(survey.sheet.serial) if survey.sheet else None)
