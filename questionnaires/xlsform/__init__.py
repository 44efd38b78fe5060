"""Instruments as XLSForm workbooks (Excel, KoboToolbox, ODK) and as XForms for ODK Collect.

The mapping (docs/xlsform.md has the full table): each element and optional block is a group
(``begin_group``/``end_group`` named by its code) of ``select_one <scale>`` questions named by
the item codes; the profile questions are top-level ``select_one <code>`` / ``text``
questions; the introduction is a leading ``note``. Scales and profile choices are lists on the
``choices`` sheet: values 1, 2, … by number, ``NA`` for "Không áp dụng", and ``satisfied`` =
yes on 4 and 5 marks the rating scale, which a group's questions must use to be an element.
``settings`` holds ``form_id`` (code), ``version``, ``form_title``, ``form_title_en`` and
``source``. Texts are ``label::Tiếng Việt (vi)`` and ``label::English (en)`` (block prompts:
``hint::…``). Writing then reading gives the same instrument; a workbook that is not a rating
questionnaire the analysis understands is refused with the sheet and row of the reason.

Nothing here imports Flask.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ..model import Instrument
from .reading import definition_from_xlsform, instrument_from_xlsform
from .sheets import NotExportable, XLSFormError
from .writing import instrument_to_xlsform


def xform_of(instrument: Instrument, block_codes: Iterable[str] | None = None) -> str:
    """The instrument as an ODK XForm (XML), converted from its XLSForm by pyxform.

    ``block_codes`` keeps only those optional blocks (a campaign's choice; default: all). The
    main instance is ``<data id="CODE" version="N">`` with one element per question named by
    its code (inside one per element/block code) and ``meta/instanceID``, so a submission maps
    back to the item codes. ODK Validate (Java) is not run.
    """
    from pyxform.xls2xform import convert  # imported here: only this function needs it

    if block_codes is not None:
        wanted = set(block_codes)
        instrument = dataclasses.replace(
            instrument, blocks=tuple(b for b in instrument.blocks if b.code in wanted))
    return convert(instrument_to_xlsform(instrument), file_type=".xlsx", validate=False,
                   warnings=[]).xform


__all__ = ["NotExportable", "XLSFormError", "definition_from_xlsform", "instrument_from_xlsform",
           "instrument_to_xlsform", "xform_of"]
