"""Anonymous raw responses of a campaign, streamed row by row for the "Dữ liệu thô" sheet.

No keys, hashes, ids, counters or staff: an ordinal, the unit, channel, date, status, the
profile answers, each item's value (``NA`` = không áp dụng) and the comment. Rows come from
one ordered query, one row per response, read in batches (``yield_per``: a server-side
cursor on PostgreSQL), so memory stays flat however many responses there are.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import tzinfo
from typing import Any

from sqlalchemy import String, cast, func, select

from ....extensions import db
from ....models import Answer, Campaign, Response, Unit
from ....support.dates import local_zone
from ....support.formatting import date_text
from ...campaigns.instruments import campaign_blocks, instrument_of

BATCH = 2000
PROFILE_HEADERS = ("STT", "Mã đơn vị", "Kênh", "Ngày trả lời", "Tình trạng", "Đối tượng",
                   "Lĩnh vực", "Giới tính", "Độ tuổi", "Hình thức nộp")


def raw_response_rows(campaign: Campaign, unit_ids: Collection[int] | None = None
                      ) -> Iterator[tuple[Any, ...]]:
    """Header row, then one row per response of ``campaign`` (of ``unit_ids`` when given)."""
    instrument = instrument_of(campaign.instrument_version)
    items = [item.code for item in instrument.items_for(campaign_blocks(campaign))]
    yield (*PROFILE_HEADERS, *items, "Ý kiến")
    # One row per response: its answers folded into "item:value,…" by the database
    # (group_concat / string_agg) through the primary-key index of answer.
    answers = (select(func.aggregate_strings(
        Answer.item_code + ":" + cast(Answer.value, String), ","))
        .where(Answer.response_id == Response.id).scalar_subquery())
    query = (select(Response.id, Unit.code, Response.channel, Response.submitted_at,
                    Response.status, Response.respondent_type, Response.field, Response.gender,
                    Response.age_band, Response.submission_mode, Response.comment,
                    answers.label("answers"))
             .join(Unit, Unit.id == Response.unit_id)
             .where(Response.campaign_id == campaign.id)
             .order_by(Response.id))
    if unit_ids is not None:
        query = query.where(Response.unit_id.in_(list(unit_ids)))
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    zone = local_zone()
    for ordinal, row in enumerate(result, start=1):
        yield _row(ordinal, row, items, zone)


def _row(ordinal: int, row: Any, items: list[str], zone: tzinfo) -> tuple[Any, ...]:
    values: dict[str, int] = {}
    for pair in (row.answers or "").split(","):
        code, _, value = pair.partition(":")
        if value:
            values[code] = int(value)
    answers = [("NA" if values[code] == 0 else values[code]) if code in values else None
               for code in items]
    day = date_text(row.submitted_at.astimezone(zone).date())
    return (ordinal, row.code, str(row.channel.value), day,
            row.status.label, row.respondent_type, row.field, row.gender, row.age_band,
            row.submission_mode, *answers, row.comment)
