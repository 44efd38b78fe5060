"""Double entry: a second person types a paper sheet again; differences are resolved by staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...auth import scope_to_units
from ...database import write_transaction
from ...extensions import db
from ...models import (
    Campaign,
    Channel,
    Response,
    Sheet,
    User,
    VerificationEntry,
    utcnow,
)
from ..audit import audit
from ..campaigns.instruments import campaign_blocks, instrument_of
from ..submissions.responses import COMMENT, Problem, Submission
from .paper_entry import (
    EntryRefused,
    apply_submission,
    check_typed,
    ensure_not_approved,
    refusal,
    snapshot,
    submission_snapshot,
)
from .serials import display_serial

FIRST, SECOND = "first", "second"


@dataclass(frozen=True)
class Difference:
    """One field the two typings disagree on, as shown to the person resolving."""

    field: str
    first: str
    second: str


def flat(payload: dict[str, Any]) -> dict[str, str]:
    """Answers, profile and comment of a snapshot as one field → text mapping."""
    values = {code: str(value) for code, value in payload.get("answers", {}).items()}
    values.update({code: str(value) for code, value in payload.get("profile", {}).items()})
    if payload.get("comment"):
        values[COMMENT] = payload["comment"]
    return values


def differences(first: dict[str, Any], second: dict[str, Any]) -> list[Difference]:
    """The fields two snapshots disagree on, in a stable order."""
    a, b = flat(first), flat(second)
    return [Difference(field, a.get(field, ""), b.get(field, ""))
            for field in sorted(set(a) | set(b)) if a.get(field, "") != b.get(field, "")]


def verify_sheet(sheet: Sheet, submission: Submission, user: User) -> VerificationEntry:
    """Store a second typing of a sheet already typed by someone else; audited."""
    shown = display_serial(sheet.serial)
    response = db.session.scalar(select(Response).where(Response.sheet_id == sheet.id))
    if response is None or response.channel is not Channel.PAPER:
        raise refusal(f"Phiếu số {shown} chưa được nhập lần đầu từ phiếu giấy.")
    if response.entered_by_id == user.id:
        raise refusal("Người đã nhập lần đầu không thể tự nhập kiểm tra phiếu này; "
                      "cần một cán bộ khác.")
    if db.session.scalar(select(VerificationEntry.id)
                         .where(VerificationEntry.response_id == response.id)):
        raise refusal(f"Phiếu số {shown} đã được nhập kiểm tra.")
    campaign = response_campaign(response)
    check_typed(campaign, response.unit, submission)
    response_id = response.id
    try:
        return _store_verification(response_id, submission, user)
    except IntegrityError:  # someone else's second typing of this sheet was saved first
        raise refusal(f"Phiếu số {shown} đã được nhập kiểm tra.") from None


def _store_verification(response_id: int, submission: Submission, user: User
                        ) -> VerificationEntry:
    """The second typing, compared with the first, in one write transaction."""
    with write_transaction() as session:
        response = session.get(Response, response_id)
        typed = submission_snapshot(submission)
        matches = not differences(snapshot(response), typed)
        entry = VerificationEntry(response_id=response_id, entered_by_id=user.id,
                                  payload=typed, matches=matches)
        if matches:
            entry.resolved_at = utcnow()
        session.add(entry)
        session.flush()
        audit.record("paper_entry.verify", object_type="response", object_id=response_id,
                     after={"matches": matches, **typed}, user=user)
    return entry


def response_campaign(response: Response) -> Campaign:
    """The campaign a response belongs to."""
    return response.campaign


def resolve(entry_id: int, choices: dict[str, str], user: User) -> None:
    """Keep, for each differing field, the first or the second typing; audited before/after."""
    entry = db.session.get(VerificationEntry, entry_id)
    response = entry.response
    if entry.resolved_at is not None:
        raise refusal("Phiếu này đã được đối chiếu xong.", field="resolution")
    diffs = differences(snapshot(response), entry.payload)
    missing = [d.field for d in diffs if choices.get(d.field) not in (FIRST, SECOND)]
    if missing:
        labels = field_labels(response_campaign(response))
        raise EntryRefused([Problem(field, f"Chưa chọn giá trị cho “{labels.get(field, field)}”.")
                            for field in missing])
    merged = flat(snapshot(response))
    for diff in diffs:
        value = diff.first if choices[diff.field] == FIRST else diff.second
        if value:
            merged[diff.field] = value
        else:
            merged.pop(diff.field, None)
    campaign = response_campaign(response)
    instrument = instrument_of(campaign.instrument_version)
    item_codes = set(instrument.item_codes)
    submission = Submission(
        answers={k: int(v) for k, v in merged.items() if k in item_codes},
        profile={k: v for k, v in merged.items() if k not in item_codes and k != COMMENT},
        comment=merged.get(COMMENT, ""))
    check_typed(campaign, response.unit, submission)
    response_id = response.id
    with write_transaction() as session:
        ensure_not_approved(campaign.id)
        response = session.get(Response, response_id)
        entry = session.get(VerificationEntry, entry_id)
        before = snapshot(response)
        apply_submission(response, instrument, campaign, submission)
        entry.resolved_by_id = user.id
        entry.resolved_at = utcnow()
        session.flush()
        audit.record("paper_entry.resolve", object_type="response", object_id=response_id,
                     before=before, after=snapshot(response),
                     note=f"Đối chiếu nhập kép (lần nhập kiểm tra {entry_id})", user=user)


def pending_comparisons(user: User) -> list[tuple[VerificationEntry, Response, str]]:
    """Second typings that disagree and await a decision, in the user's units."""
    query = (select(VerificationEntry, Response, Sheet.serial)
             .join(Response, Response.id == VerificationEntry.response_id)
             .join(Sheet, Sheet.id == Response.sheet_id)
             .join(Campaign, Campaign.id == Response.campaign_id)
             .where(VerificationEntry.resolved_at.is_(None),
                    ~Campaign.frozen)
             .order_by(VerificationEntry.id))
    return [(row[0], row[1], row[2])
            for row in db.session.execute(scope_to_units(query, Response.unit_id, user))]


def field_labels(campaign: Campaign) -> dict[str, str]:
    """A readable name for each field of the comparison table."""
    instrument = instrument_of(campaign.instrument_version)
    labels = {item.code: f"Câu {number}. {item.text}" for number, item in
              enumerate(instrument.items_for(campaign_blocks(campaign)), 1)}
    labels.update({question.code: question.label for question in instrument.profile})
    return labels


def value_label(campaign: Campaign, field: str, value: str) -> str:
    """How a stored value reads: "4 – Hài lòng", "Nữ", "(để trống)"."""
    if value == "":
        return "(để trống)"
    instrument = instrument_of(campaign.instrument_version)
    try:
        if instrument.has_item(field):
            return f"{value} – {instrument.item(field).scale.label_for(int(value))}"
        question = instrument.profile_question(field)
        return question.label_for(value) if question.kind == "choice" else value
    except (KeyError, ValueError):
        return value
