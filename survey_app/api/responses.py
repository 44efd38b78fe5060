"""API views of responses: the anonymous raw responses (paged, streamed) and submitting one.

Submitting keeps the online form's contract (``domain/submissions``): the sender's
``submission_key`` is the idempotency key (stored as ``api:KEY``); the same key with the same
answers gives back the stored response (200), other answers are a 409 ``submission_conflict``,
and the same key used for another campaign or unit a 409 ``submission_key_reused``. The
questionnaire's rules, the valid-response threshold and the burst checks are those of every
channel.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, json, request, stream_with_context
from sqlalchemy import select

from ..domain.results.exports.raw_responses import RawRecord, raw_response_records
from ..domain.submissions import submissions
from ..domain.submissions.public_survey import Survey
from ..domain.submissions.responses import PROFILE_COLUMNS, Submission
from ..extensions import db
from ..input_guard import MAX_ID
from ..models import Campaign, Channel, Counter, Unit
from ..models import Response as StoredResponse
from ..support.text import clean_text
from . import access
from .blueprint import bp, problems
from .problems import ApiProblem
from .schemas import (
    RawResponsePageSchema,
    RawResponseSchema,
    ResponseArgs,
    SubmissionSchema,
    SubmittedSchema,
)
from .timing import as_of, since_utc

KEY_PREFIX = "api:"
CURSOR_PREFIX = "after:"
_RAW = RawResponseSchema()


def response_ref(response_id: int) -> str:
    """A stable opaque reference for a response: keyed with the app's secret, so it names
    the response to the API client without being its id or its submission key."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"api-response:{response_id}".encode(), hashlib.sha256
                    ).hexdigest()[:24]


def _cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{last_id}".encode()).decode().rstrip("=")


def _after_id(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    number = text.removeprefix(CURSOR_PREFIX)
    if not text.startswith(CURSOR_PREFIX) or not number.isdigit() or int(number) > MAX_ID:
        raise ApiProblem(422, "invalid_cursor",
                         detail="Con trỏ trang không hợp lệ; hãy dùng “next_cursor” của trang "
                                "trước.",
                         detail_en="The cursor is not valid; pass the previous page's "
                                   "“next_cursor”.",
                         errors={"query": {"cursor": ["invalid"]}})
    return int(number)


def _item(record: RawRecord) -> dict[str, Any]:
    return _RAW.dump({"ref": response_ref(record.id), "unit_code": record.unit_code,
                      "channel": record.channel, "submitted_on": record.submitted_on,
                      "status": record.status, **record.profile, "answers": record.answers,
                      "comment": record.comment})


@bp.arguments(ResponseArgs, location="query")
@bp.response(200, RawResponsePageSchema)
@problems(403, 404, 422)
def raw_responses(args: dict[str, Any], code: str):
    """Anonymous raw responses of a campaign

    The rows of the results workbook's raw-data sheet (no key, hash, counter, staff or time
    of day), oldest first, a page at a time (`limit`, `cursor` = the previous page's
    `next_cursor`), streamed as they are read. With `since`: only responses stored or
    reviewed after that moment. Admins only, as the raw-data sheet.
    """
    access.require_role(access.RAW_READERS)
    campaign = access.campaign(code)
    unit_ids = access.visible_units()
    if args["unit"] is not None:
        unit_ids = {access.unit(args["unit"]).id}
    after_id = _after_id(args["cursor"])
    limit = args["limit"] or int(current_app.config["API_PAGE_SIZE"])
    records = raw_response_records(campaign, unit_ids, after_id=after_id,
                                   changed_since=since_utc(args["since"]),
                                   status=args["status"], limit=limit + 1)
    head = json.dumps({"campaign": campaign.code, "as_of": as_of().isoformat()},
                      ensure_ascii=False)

    def body() -> Iterator[str]:
        yield head[:-1] + ', "items": ['
        last_id, count, more = None, 0, False
        try:
            for record in records:
                if count == limit:
                    more = True
                    break
                yield ("," if count else "") + "\n" + json.dumps(_item(record),
                                                                 ensure_ascii=False)
                last_id, count = record.id, count + 1
        finally:
            records.close()  # the one row past the page, or a client gone mid-way
        next_cursor = _cursor(last_id) if more and last_id is not None else None
        yield "\n], " + json.dumps({"next_cursor": next_cursor})[1:] + "\n"

    return Response(stream_with_context(body()), mimetype="application/json")


def _stored_with_key(key: str) -> StoredResponse | None:
    return db.session.scalar(select(StoredResponse).where(StoredResponse.submission_key == key))


def _counter(unit: Unit, counter_id: int | None, channel: Channel) -> Counter | None:
    if counter_id is None:
        if channel is Channel.KIOSK:
            raise ApiProblem(422, errors={"json": {"counter_id": [
                "Kênh kiosk cần counter_id của quầy. / The kiosk channel needs counter_id."]}})
        return None
    counter = db.session.get(Counter, counter_id)
    if counter is None or counter.unit_id != unit.id or not counter.is_active:
        raise ApiProblem(422, errors={"json": {"counter_id": [
            "Không có quầy đang hoạt động này ở đơn vị. / No such active counter at the "
            "unit."]}})
    return counter


def _submitted(response_id: int, key: str, created: bool, campaign: Campaign, unit: Unit):
    stored = db.session.get(StoredResponse, response_id)
    return {"ref": response_ref(response_id), "submission_key": key, "created": created,
            "status": stored.status.value, "campaign": campaign.code,
            "unit_code": unit.code}, 201 if created else 200


@bp.arguments(SubmissionSchema, location="json")
@bp.response(201, SubmittedSchema, description="Stored")
@bp.alt_response(200, schema=SubmittedSchema, success=True,
                 description="Already stored with this key and these answers")
@problems(403, 404, 409, 413, 422)
def submit(body: dict[str, Any], code: str):
    """Submit a response

    For a kiosk or another collection system. `submission_key` is the idempotency key: send
    the same key again (a retry after a lost reply) and the stored response comes back with
    200; the same key with other answers is refused with 409 `submission_conflict`. Admins
    and unit staff, for their units; the response is counted under `channel` (import, or
    kiosk with the kiosk's `counter_id`) and checked as every channel is.
    """
    user = access.require_role(access.SUBMITTERS)
    campaign = access.campaign(code)
    unit = access.unit(body["unit_code"])
    channel = Channel(body["channel"])
    counter = _counter(unit, body["counter_id"], channel)
    key = body["submission_key"]
    stored_key = KEY_PREFIX + key
    profile = {name: value for name, value in body["profile"].items() if value}
    submission = Submission(answers=dict(body["answers"]), profile=profile,
                            comment=clean_text(body["comment"]))
    earlier = _stored_with_key(stored_key)
    if earlier is not None and (earlier.campaign_id, earlier.unit_id) != (campaign.id, unit.id):
        raise ApiProblem(409, "submission_key_reused",
                         detail="Khóa gửi phiếu này đã được dùng cho một đợt khảo sát hoặc đơn "
                                "vị khác; lần gửi này không được ghi nhận.",
                         detail_en="This submission key was already used for another campaign "
                                   "or unit; nothing was stored.")
    survey = Survey(campaign=campaign, unit=unit, version=campaign.instrument_version,
                    channel=channel, counter=counter)
    try:
        accepted = submissions.accept(survey, stored_key, submission,
                                      client_address=request.remote_addr,
                                      entered_by=user)
    except submissions.SubmissionConflict as error:
        db.session.rollback()
        raise ApiProblem(409, "submission_conflict", detail=str(error),
                         detail_en="This submission key was already used with other answers. "
                                   "The first answers are kept; this one was not stored."
                         ) from error
    except submissions.SurveyClosed as error:
        db.session.rollback()
        raise ApiProblem(409, "campaign_not_accepting", detail=str(error),
                         detail_en="The campaign does not take responses for this unit now "
                                   "(not open, outside its period, or the unit is not in it)."
                         ) from error
    except submissions.SubmissionRefused as error:
        db.session.rollback()
        raise ApiProblem(422, "answers_refused", detail=str(error),
                         detail_en="The answers break a rule of the questionnaire; see "
                                   "errors (in Vietnamese).",
                         errors={"json": _field_errors(error)}) from error
    return _submitted(accepted.response_id, key, accepted.created, campaign, unit)


def _field_errors(error: submissions.SubmissionRefused) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for problem in error.problems:
        where = problem.field
        if where in PROFILE_COLUMNS or where == "comment":
            name = "comment" if where == "comment" else f"profile.{where}"
        elif where == submissions.RATINGS:
            name = "answers"
        else:
            name = f"answers.{where}"
        fields.setdefault(name, []).append(problem.message)
    return fields
