"""Anonymous raw responses of a campaign, streamed row by row for the "Dữ liệu thô" sheet.

No keys, hashes, ids, counters or staff: an ordinal, the unit, channel, date, status, the
profile answers, each item's value (``NA`` = không áp dụng) and the comment. Rows come from
one ordered query, one row per response, read in batches (``yield_per``: a server-side
cursor on PostgreSQL), so memory stays flat however many responses there are.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Select, String, cast, func, select

from ....extensions import db
from ....models import Answer, Campaign, Response, Unit
from ....support.dates import local_zone
from ....support.formatting import date_text
from ...campaigns.instruments import campaign_blocks, instrument_of

BATCH = 2000
PROFILE_HEADERS = ("STT", "Mã đơn vị", "Kênh", "Ngày trả lời", "Tình trạng", "Đối tượng",
                   "Lĩnh vực", "Giới tính", "Độ tuổi", "Hình thức nộp")


def _answers_column() -> Any:
    """One row per response: its answers folded into "item:value,…" by the database
    (group_concat / string_agg) through the primary-key index of answer."""
    return (select(func.aggregate_strings(
        Answer.item_code + ":" + cast(Answer.value, String), ","))
        .where(Answer.response_id == Response.id).scalar_subquery())


def _raw_query(campaign: Campaign, unit_ids: Collection[int] | None) -> Select:
    query = (select(Response.id, Unit.code, Response.channel, Response.submitted_at,
                    Response.status, Response.respondent_type, Response.field, Response.gender,
                    Response.age_band, Response.submission_mode, Response.comment,
                    _answers_column().label("answers"))
             .join(Unit, Unit.id == Response.unit_id)
             .where(Response.campaign_id == campaign.id)
             .order_by(Response.id))
    if unit_ids is not None:
        query = query.where(Response.unit_id.in_(list(unit_ids)))
    return query


def answer_values(folded: str | None) -> dict[str, int]:
    """"A1:5,A2:0" → {"A1": 5, "A2": 0}."""
    values: dict[str, int] = {}
    for pair in (folded or "").split(","):
        code, _, value = pair.partition(":")
        if value:
            values[code] = int(value)
    return values


def raw_response_rows(campaign: Campaign, unit_ids: Collection[int] | None = None
                      ) -> Iterator[tuple[Any, ...]]:
    """Header row, then one row per response of ``campaign`` (of ``unit_ids`` when given)."""
    instrument = instrument_of(campaign.instrument_version)
    items = [item.code for item in instrument.items_for(campaign_blocks(campaign))]
    yield (*PROFILE_HEADERS, *items, "Ý kiến")
    query = _raw_query(campaign, unit_ids)
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    zone = local_zone()
    for ordinal, row in enumerate(result, start=1):
        yield _row(ordinal, row, items, zone)


@dataclass(frozen=True)
class RawRecord:
    """One anonymous response for the API: its id only to page on, never shown."""

    id: int
    unit_code: str
    channel: str
    submitted_on: date
    status: str
    profile: dict[str, str | None]
    answers: dict[str, int]
    comment: str | None


def raw_response_records(campaign: Campaign, unit_ids: Collection[int] | None = None, *,
                         after_id: int = 0, changed_since: datetime | None = None,
                         status: str | None = None, limit: int | None = None
                         ) -> Iterator[RawRecord]:
    """The same anonymous rows as the sheet, as records, from ``after_id`` on, read in
    batches; ``changed_since``: stored or reviewed after that moment. A caller that stops
    early closes the generator (``close()``), which closes the cursor."""
    query = _raw_query(campaign, unit_ids).where(Response.id > after_id)
    if changed_since is not None:
        query = query.where(func.coalesce(Response.reviewed_at, Response.received_at)
                            > changed_since)
    if status is not None:
        query = query.where(Response.status == status)
    if limit is not None:
        query = query.limit(limit)
    zone = local_zone()
    # Closed however the caller stops reading (PostgreSQL: a server-side cursor).
    with db.session.execute(query.execution_options(yield_per=min(BATCH, limit or BATCH))
                            ) as result:
        for row in result:
            yield RawRecord(
                id=row.id, unit_code=row.code, channel=str(row.channel.value),
                submitted_on=row.submitted_at.astimezone(zone).date(),
                status=str(row.status.value),
                profile={"respondent_type": row.respondent_type, "field": row.field,
                         "gender": row.gender, "age_band": row.age_band,
                         "submission_mode": row.submission_mode},
                answers=answer_values(row.answers), comment=row.comment)


def _row(ordinal: int, row: Any, items: list[str], zone: tzinfo) -> tuple[Any, ...]:
    values = answer_values(row.answers)
    answers = [("NA" if values[code] == 0 else values[code]) if code in values else None
               for code in items]
    day = date_text(row.submitted_at.astimezone(zone).date())
    return (ordinal, row.code, str(row.channel.value), day,
            row.status.label, row.respondent_type, row.field, row.gender, row.age_band,
            row.submission_mode, *answers, row.comment)
