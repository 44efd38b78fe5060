"""Generated responses for the demo: realistic answers stored by the storage rules, in bulk.

Each response's columns come from ``submissions.responses.response_values`` (validity,
digests, straight-lining: what ``build_response`` stores for any channel) after
``check_submission`` accepts it; every row goes in with multi-row INSERTs in the caller's
transaction, the result-cache triggers firing as for any insert.
Units differ in quality (each has its own mean rating) and in how many people answered, so the
ranking has leaders, laggards and units short of their sample.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from questionnaires import NOT_APPLICABLE

from ...extensions import db
from ...models import Answer, Campaign, Channel, Response, Unit
from ...support.dates import local_zone
from ..campaigns.instruments import campaign_blocks, instrument_of
from ..submissions.responses import Submission, check_submission, response_values

COMMENTS = [
    "Cán bộ hướng dẫn tận tình, dễ hiểu.",
    "Thời gian chờ còn lâu, mong bố trí thêm người tiếp nhận.",
    "Thủ tục nhanh gọn hơn năm trước.",
    "Nên niêm yết rõ phí, lệ phí tại quầy.",
    "Phải đi lại nhiều lần mới bổ sung đủ hồ sơ.",
    "Rất hài lòng.",
]
CHANNELS = [Channel.QR] * 7 + [Channel.KIOSK] * 2 + [Channel.IMPORT]
BATCH = 1000
#: Columns no generated response sets (every row of a multi-row INSERT names the same ones).
EMPTY = {"reviewed_by_id": None, "reviewed_at": None, "burst_key": None}


def _answers(rng: random.Random, items, quality: float) -> dict[str, int]:
    answers = {}
    for item in items:
        if item.scale.not_applicable and rng.random() < 0.03:
            answers[item.code] = NOT_APPLICABLE
        elif rng.random() < 0.02:
            continue  # left blank
        else:
            answers[item.code] = min(5, max(1, round(rng.gauss(quality, 0.85))))
    return answers


def _profile(rng: random.Random, instrument, unit: Unit) -> dict[str, str]:
    profile = {}
    for question in instrument.profile:
        if question.kind != "choice":
            continue
        options = list(question.option_codes())
        if question.code == "field" and unit.field_codes:
            options = [code for code in options if code in unit.field_codes] or options
        if question.required or rng.random() < 0.8:
            profile[question.code] = rng.choice(options)
    return profile


def _moment(rng: random.Random, first: date, last: date) -> datetime:
    day = first + timedelta(days=rng.randrange((last - first).days + 1))
    local = datetime.combine(day, time(7, 30), tzinfo=local_zone()) \
        + timedelta(minutes=rng.randrange(9 * 60))
    return local.astimezone(UTC)


def generate(campaign: Campaign, count: int, today: date, seed: int = 2025) -> int:
    """Add ``count`` responses spread over ``campaign``'s units and period up to ``today``
    (caller commits); returns how many were stored."""
    rng = random.Random(seed)  # noqa: S311 — demo data, the same on every run
    targets = sorted(campaign.targets, key=lambda target: target.unit.code)
    if count <= 0 or not targets:
        return 0
    version = campaign.instrument_version
    instrument = instrument_of(version)
    blocks = campaign_blocks(campaign)
    items = instrument.rating_items
    last = min(campaign.deadline, max(campaign.starts_on, today))
    # Each unit: a quality (mean rating) and a share of the responses; a few get few answers.
    quality = {t.unit_id: rng.uniform(2.9, 4.6) for t in targets}
    weight = {t.unit_id: rng.choice([0.25, 1, 1, 1.5, 2]) for t in targets}
    total = sum(weight.values())
    plan = [t.unit for t in targets for _ in range(round(count * weight[t.unit_id] / total))]
    while len(plan) < count:
        plan.append(rng.choice(targets).unit)
    plan = plan[:count]
    rng.shuffle(plan)
    start = db.session.scalar(select(func.count(Response.id))
                              .where(Response.campaign_id == campaign.id)) or 0
    rows: list[tuple[dict, list[dict]]] = []
    for number, unit in enumerate(plan, start=start + 1):
        submission = Submission(answers=_answers(rng, items, quality[unit.id]),
                                profile=_profile(rng, instrument, unit),
                                comment=rng.choice(COMMENTS) if rng.random() < 0.12 else "")
        problems = check_submission(instrument, blocks, submission, unit)
        if problems:  # the generator must make what any channel would accept
            raise AssertionError(f"demo response refused: {problems}")
        channel = rng.choice(CHANNELS)
        counter = unit.counters[0] if unit.counters and channel is not Channel.IMPORT else None
        moment = _moment(rng, campaign.starts_on, last)
        values = response_values(
            campaign=campaign, unit=unit, version=version, instrument=instrument,
            submission=submission, key=f"demo:{campaign.code}:{number}", channel=channel,
            submitted_at=moment, counter=counter)
        rows.append(({**EMPTY, **values, "received_at": moment},
                     [{"item_code": code, "value": value}
                      for code, value in sorted(submission.answers.items())]))
    table, answers = Response.__table__, Answer.__table__
    for first in range(0, len(rows), BATCH):
        chunk = rows[first:first + BATCH]
        ids = db.session.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [values for values, _ in chunk]).all()
        db.session.execute(insert(answers), [{**answer, "response_id": response_id}
                                             for response_id, (_, given) in zip(ids, chunk,
                                                                                strict=True)
                                             for answer in given])
    return len(rows)
