"""Marshmallow schemas of the JSON API: what it reads (query, body) and what it answers.

flask-smorest turns them into the OpenAPI 3.1 document (``/api/v1/openapi.json``); the views
dump their answers through them, so the document and the answers cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC

from marshmallow import INCLUDE, Schema, fields, validate

from ..domain.results.cuts import CUTS
from ..input_guard import MAX_ID
from ..models import CampaignState, Channel, ResponseStatus, UnitKind

#: Largest page of raw responses; the default is ``API_PAGE_SIZE``.
MAX_PAGE = 1000
#: A client's own submission key: letters, digits and ``. _ : ~ -``, at most 48 characters.
KEY_PATTERN = r"^[A-Za-z0-9._:~-]{1,48}$"
CODE = validate.Regexp(r"^[^\x00]{1,40}$", error="Tối đa 40 ký tự, không có ký tự NUL.")


def _since(description: str) -> fields.AwareDateTime:
    return fields.AwareDateTime(
        default_timezone=UTC, load_default=None,
        metadata={"description": description + " ISO 8601; without an offset it is UTC. Pass "
                  "back the previous answer's `as_of` to fetch only what is new."})


# --- errors -----------------------------------------------------------------------------

class ProblemSchema(Schema):
    """An error (RFC 9457 problem details) in Vietnamese, with its English counterpart."""

    type = fields.String(required=True, metadata={"description": "URI reference of the "
                                                  "problem type (the docs page's anchor)."})
    status = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "Machine-readable reason."})
    title = fields.String(required=True, metadata={"description": "Vietnamese title."})
    detail = fields.String(required=True, metadata={"description": "Vietnamese detail."})
    title_en = fields.String(required=True, metadata={"description": "English title."})
    detail_en = fields.String(required=True, metadata={"description": "English detail."})
    instance = fields.String(metadata={"description": "The path that was requested."})
    errors = fields.Raw(metadata={"description": "Per field: what is wrong (422 only)."})


# --- query strings ----------------------------------------------------------------------

class SinceArgs(Schema):
    since = _since("Only items created or changed after this moment.")


class ResultsArgs(Schema):
    by = fields.String(load_default=None, validate=validate.OneOf(list(CUTS)),
                       metadata={"description": "Also cut the results by this dimension "
                                 "(as `compute-index --by`)."})


class SnapshotArgs(Schema):
    since = _since("Only snapshots approved after this moment.")


class ResponseArgs(Schema):
    since = _since("Only responses stored, reviewed or corrected after this moment.")
    cursor = fields.String(load_default=None, validate=validate.Length(max=100),
                           metadata={"description": "`next_cursor` of the previous page."})
    limit = fields.Integer(load_default=None, validate=validate.Range(1, MAX_PAGE),
                           metadata={"description": "Responses per page (default 200)."})
    unit = fields.String(load_default=None, validate=CODE,
                         metadata={"description": "Only this unit's responses (unit code)."})
    status = fields.String(load_default=None,
                           validate=validate.OneOf([s.value for s in ResponseStatus]))


# --- campaigns and units ----------------------------------------------------------------

class InstrumentSchema(Schema):
    code = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.String(required=True)


class ApprovalSchema(Schema):
    version = fields.Integer(required=True)
    approved_at = fields.AwareDateTime(required=True)


class CampaignSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf([s.value
                                                                  for s in CampaignState]))
    state_label = fields.String(required=True)
    starts_on = fields.Date(required=True)
    deadline = fields.Date(required=True)
    created_at = fields.AwareDateTime(required=True)
    instrument = fields.Nested(InstrumentSchema, required=True)
    optional_blocks = fields.List(fields.String(), required=True)
    headline_method = fields.String(required=True)
    weighting = fields.String(required=True)
    units = fields.List(fields.String(), required=True,
                        metadata={"description": "Codes of its units the account may see."})
    approved = fields.Nested(ApprovalSchema, allow_none=True, required=True,
                             metadata={"description": "The latest approved snapshot, if any."})


class CampaignListSchema(Schema):
    as_of = fields.AwareDateTime(required=True, metadata={
        "description": "Pass as `since` next time to get only what is new."})
    items = fields.List(fields.Nested(CampaignSchema), required=True)


class CounterSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "`counter_id` when "
                                                 "submitting from this counter's kiosk."})
    name = fields.String(required=True)
    kiosk = fields.Boolean(required=True)
    active = fields.Boolean(required=True)


class UnitSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in UnitKind]))
    parent_code = fields.String(allow_none=True, required=True)
    active = fields.Boolean(required=True)
    field_codes = fields.List(fields.String(), allow_none=True, required=True, metadata={
        "description": "Procedure fields it offers; null means every field."})
    created_at = fields.AwareDateTime(required=True)
    counters = fields.List(fields.Nested(CounterSchema), required=True)


class UnitListSchema(Schema):
    as_of = fields.AwareDateTime(required=True)
    items = fields.List(fields.Nested(UnitSchema), required=True)


# --- progress, results ------------------------------------------------------------------

class UnitProgressSchema(Schema):
    unit_code = fields.String(required=True)
    unit_name = fields.String(required=True)
    required = fields.Integer(allow_none=True, required=True, metadata={
        "description": "Required valid responses (fixed target or Yamane's n); null if "
                       "neither the dossier count nor a target was entered."})
    source = fields.String(required=True, metadata={"description": "target, yamane or ''."})
    valid = fields.Integer(required=True)
    by_channel = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    flagged = fields.Integer(required=True)
    expected = fields.Float(required=True, metadata={
        "description": "Valid responses expected by today at an even pace."})
    reached = fields.Boolean(required=True)
    behind = fields.Boolean(required=True)


class ProgressSchema(Schema):
    campaign = fields.String(required=True)
    today = fields.Date(required=True)
    elapsed_share = fields.Float(required=True)
    days_left = fields.Integer(required=True)
    units = fields.List(fields.Nested(UnitProgressSchema), required=True)


class ResultsCampaignSchema(Schema):
    class Meta:
        unknown = INCLUDE

    code = fields.String(required=True)
    name = fields.String(required=True)
    starts_on = fields.String(required=True)
    deadline = fields.String(required=True)
    state = fields.String(required=True)


class ResultsSchema(Schema):
    """The document of ``flask compute-index --format json`` (docs/results-json.md).

    Only its top level is spelled out here; every key is described in docs/results-json.md.
    An approved campaign's document is its frozen snapshot, with an ``approval`` block.
    """

    class Meta:
        unknown = INCLUDE

    campaign = fields.Nested(ResultsCampaignSchema, required=True)
    method = fields.String(required=True)
    weighting = fields.String(required=True)
    computed_at = fields.String(required=True)
    instrument = fields.Dict(required=True)
    units = fields.List(fields.Dict(), required=True)
    district = fields.Dict(required=True)
    excluded = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    labels = fields.Dict(required=True)
    scoring = fields.Dict(required=True)
    previous = fields.Dict(allow_none=True)
    units_differ = fields.Dict(allow_none=True)
    approval = fields.Dict(metadata={"description": "Present when approved: version, "
                                     "approver, time, response fingerprint."})
    by = fields.Dict(metadata={"description": "The cut asked for with `by`."})
    cuts = fields.Dict(metadata={"description": "Every cut, stored with an approval."})


class SnapshotSchema(Schema):
    version = fields.Integer(required=True)
    approved_at = fields.AwareDateTime(required=True)
    approved_by = fields.String(required=True)
    computed_at = fields.AwareDateTime(required=True)
    method = fields.String(required=True)
    n_responses = fields.Integer(required=True)
    response_fingerprint = fields.String(required=True)
    xlsx_sha256 = fields.String(required=True)


class SnapshotListSchema(Schema):
    as_of = fields.AwareDateTime(required=True)
    items = fields.List(fields.Nested(SnapshotSchema), required=True)


# --- responses --------------------------------------------------------------------------

class RawResponseSchema(Schema):
    """One anonymous response: no key, hash, counter, staff or time of day."""

    ref = fields.String(required=True, metadata={
        "description": "Stable opaque reference, to recognise a response seen before."})
    unit_code = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf([c.value for c in Channel]))
    submitted_on = fields.Date(required=True, metadata={"description": "Local date."})
    status = fields.String(required=True,
                           validate=validate.OneOf([s.value for s in ResponseStatus]))
    respondent_type = fields.String(allow_none=True, required=True)
    field = fields.String(allow_none=True, required=True)
    gender = fields.String(allow_none=True, required=True)
    age_band = fields.String(allow_none=True, required=True)
    submission_mode = fields.String(allow_none=True, required=True)
    answers = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                          metadata={"description": "Item code → 1..5, or 0 for “Không áp "
                                    "dụng”; unanswered items are absent."})
    comment = fields.String(allow_none=True, required=True)


class RawResponsePageSchema(Schema):
    campaign = fields.String(required=True)
    as_of = fields.AwareDateTime(required=True, metadata={
        "description": "Pass as `since` on the next poll (it keeps a small overlap: "
                       "recognise repeats by `ref`)."})
    items = fields.List(fields.Nested(RawResponseSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True, metadata={
        "description": "Pass as `cursor` for the next page; null on the last page."})


class SubmissionSchema(Schema):
    """A filled questionnaire sent by a kiosk or another collection system."""

    submission_key = fields.String(required=True, validate=validate.Regexp(KEY_PATTERN),
                                   metadata={"description": "The sender's idempotency key: "
                                             "the same key with the same answers returns the "
                                             "stored response; with other answers, 409."})
    unit_code = fields.String(required=True, validate=CODE)
    counter_id = fields.Integer(load_default=None, allow_none=True,
                                validate=validate.Range(1, MAX_ID))
    channel = fields.String(load_default=Channel.IMPORT.value,
                            validate=validate.OneOf([Channel.IMPORT.value, Channel.KIOSK.value]),
                            metadata={"description": "kiosk needs the kiosk's counter_id."})
    answers = fields.Dict(keys=fields.String(validate=validate.Length(1, 20)),
                          values=fields.Integer(strict=True, validate=validate.Range(0, 5)),
                          required=True, metadata={"description": "Item code → 1..5, or 0 "
                                                   "for “Không áp dụng”."})
    profile = fields.Dict(keys=fields.String(validate=validate.Length(1, 40)),
                          values=fields.String(validate=validate.Length(max=40)),
                          load_default=dict, metadata={
                              "description": "Profile question code → option code."})
    comment = fields.String(load_default="", validate=validate.Length(max=10000))


class SubmittedSchema(Schema):
    ref = fields.String(required=True)
    submission_key = fields.String(required=True)
    created = fields.Boolean(required=True, metadata={
        "description": "False when this key had already stored these answers."})
    status = fields.String(required=True,
                           validate=validate.OneOf([s.value for s in ResponseStatus]))
    campaign = fields.String(required=True)
    unit_code = fields.String(required=True)
