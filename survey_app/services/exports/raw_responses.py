"""Anonymous raw responses of a campaign, streamed row by row for the "Dữ liệu thô" sheet.

No keys, hashes, ids, counters or staff: an ordinal, the unit, channel, date, status, the
profile answers, each item's value (``NA`` = không áp dụng) and the comment. Rows come from
one ordered query read in batches (``yield_per``: a server-side cursor on PostgreSQL), so
memory stays flat however many responses there are.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...models import Answer, Campaign, Response, Unit
from ..instruments import instrument_of

BATCH = 2000
PROFILE_HEADERS = ("STT", "Mã đơn vị", "Kênh", "Ngày trả lời", "Tình trạng", "Đối tượng",
                   "Lĩnh vực", "Giới tính", "Độ tuổi", "Hình thức nộp")


def raw_response_rows(campaign: Campaign, unit_ids: Collection[int] | None = None
                      ) -> Iterator[tuple[Any, ...]]:
    """Header row, then one row per response of ``campaign`` (of ``unit_ids`` when given)."""
    instrument = instrument_of(campaign.instrument_version)
    items = [item.code for item in instrument.items_for(campaign.optional_blocks or [])]
    yield (*PROFILE_HEADERS, *items, "Ý kiến")
    query = (select(Response.id, Unit.code, Response.channel, Response.submitted_at,
                    Response.status, Response.respondent_type, Response.field, Response.gender,
                    Response.age_band, Response.submission_mode, Response.comment,
                    Answer.item_code, Answer.value)
             .join(Unit, Unit.id == Response.unit_id)
             .outerjoin(Answer, Answer.response_id == Response.id)
             .where(Response.campaign_id == campaign.id)
             .order_by(Response.id))
    if unit_ids is not None:
        query = query.where(Response.unit_id.in_(list(unit_ids)))
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    current: Any = None
    values: dict[str, int] = {}
    ordinal = 0
    for row in result:
        if current is not None and row[0] != current[0]:
            ordinal += 1
            yield _row(ordinal, current, values, items)
            values = {}
        current = row
        if row.item_code is not None:
            values[row.item_code] = row.value
    if current is not None:
        yield _row(ordinal + 1, current, values, items)


def _row(ordinal: int, row: Any, values: dict[str, int], items: list[str]) -> tuple[Any, ...]:
    answers = [("NA" if values[code] == 0 else values[code]) if code in values else None
               for code in items]
    return (ordinal, row.code, str(row.channel.value), row.submitted_at.strftime("%d/%m/%Y"),
            row.status.label, row.respondent_type, row.field, row.gender, row.age_band,
            row.submission_mode, *answers, row.comment)
