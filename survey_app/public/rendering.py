"""Turning an instrument version into what the form template shows.

The questionnaire's texts are shown in the page's language where the instrument has a
wording in it (``text_en``…), else in Vietnamese, marked ``lang="vi"`` and announced by a note.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext as _

from questionnaires import NOT_APPLICABLE, Instrument, Item, ProfileQuestion, Scale, Wording

from ..domain.paper.serials import display_serial
from ..domain.submissions.public_survey import Survey
from ..domain.submissions.responses import COMMENT, Problem, required_rated
from ..domain.submissions.submissions import RATINGS
from ..i18n import current_language
from ..support.formatting import count_text


def scale_options(scale: Scale, language: str) -> list[tuple[str, Wording]]:
    """(radio value, label) for each answer on a scale, "not applicable" last."""
    options = [(str(option.value), option.label_for(language)) for option in scale.options]
    not_applicable = scale.not_applicable_for(language)
    if not_applicable is not None:
        options.append((str(NOT_APPLICABLE), not_applicable))
    return options


def profile_options(question: ProfileQuestion, survey: Survey, language: str
                    ) -> list[tuple[str, Wording]]:
    """A profile question's choices; the field question offers only the unit's own fields."""
    allowed = survey.unit.field_codes if question.code == "field" else None
    return [(str(option.value), option.label_for(language)) for option in question.options
            if not allowed or option.value in allowed]


@dataclass(frozen=True)
class Section:
    """An element or a switched-on block as shown: heading, prompt, its questions."""

    title: Wording
    prompt: Wording | None
    items: list[tuple[Item, Wording]]


@dataclass(frozen=True)
class Texts:
    """Every questionnaire text of the page, in the page's language where it can be."""

    title: Wording
    intro: Wording
    sections: list[Section]
    options: dict[str, list[tuple[str, Wording]]]
    choices: list[tuple[ProfileQuestion, Wording, list[tuple[str, Wording]]]]
    comment: tuple[ProfileQuestion, Wording] | None

    def all(self) -> list[Wording]:
        """Every non-empty text of the page."""
        shown = [self.title, self.intro]
        for section in self.sections:
            shown += [section.title, *(w for _item, w in section.items)]
            shown += [section.prompt] if section.prompt else []
        shown += [w for options in self.options.values() for _value, w in options]
        for _question, legend, options in self.choices:
            shown += [legend, *(w for _value, w in options)]
        shown += [self.comment[1]] if self.comment else []
        return [w for w in shown if w.text]

    def missing(self) -> str:
        """"all", "some" or "" texts shown in Vietnamese for want of a wording."""
        fallbacks = [w.fallback for w in self.all()]
        return "all" if all(fallbacks) else "some" if any(fallbacks) else ""


def texts_of(instrument: Instrument, survey: Survey, language: str) -> Texts:
    """The page's questionnaire texts in ``language``, falling back to Vietnamese."""
    sections = [Section(e.title_for(language), None,
                        [(item, item.text_for(language)) for item in e.items])
                for e in instrument.elements]
    sections += [Section(b.title_for(language), b.prompt_for(language),
                         [(item, item.text_for(language)) for item in b.items])
                 for b in survey.blocks]
    items = instrument.items_for(survey.block_codes)
    choices = [(q, q.text_for(language), profile_options(q, survey, language))
               for q in instrument.profile if q.kind == "choice"]
    comment = next((q for q in instrument.profile if q.code == COMMENT), None)
    return Texts(title=instrument.title_for(language), intro=instrument.intro_for(language),
                 sections=sections,
                 options={item.scale.code: scale_options(item.scale, language) for item in items},
                 choices=[choice for choice in choices if choice[2]],
                 comment=(comment, comment.text_for(language)) if comment else None)


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
    language = current_language()
    texts = texts_of(instrument, survey, language)
    comment = texts.comment[0] if texts.comment else None
    comment_limit = (comment.max_length if comment else None) or 2000
    return render_template(
        "public/survey.html", survey=survey, instrument=instrument, texts=texts,
        language=language, missing=texts.missing(),
        numbers={item.code: number for number, item in enumerate(items, 1)},
        comment_limit=comment_limit,
        comment_limit_text=count_text(comment_limit, language),
        required=required_rated(instrument, survey.campaign.valid_threshold),
        total=len(instrument.rating_items), values=values,
        problems=[(problem, _anchor(problem, survey, values)) for problem in problems],
        notes=_notes(survey, values, problems), key_token=key_token, action=action,
        serial=display_serial(survey.sheet.serial) if survey.sheet else None)
