"""Building response rows for the results tests, and counting them back independently."""

from __future__ import annotations

import random
import uuid
from collections import Counter as Tally
from datetime import UTC, datetime

from survey_app.extensions import db
from survey_app.models import Answer, Campaign, Channel, Response, ResponseStatus, Unit

ITEMS_2640 = ([f"tc{i}" for i in range(1, 5)] + [f"tt{i}" for i in range(1, 6)]
              + [f"cc{i}" for i in range(1, 7)] + [f"kq{i}" for i in range(1, 4)]
              + [f"pa{i}" for i in range(1, 5)])
ELEMENT_OF = {item: item.rstrip("0123456789") for item in ITEMS_2640}
FIELDS = ["dat_dai", "ho_tich", "ld_tbxh", None]


def add_response(campaign: Campaign, unit: Unit, answers: dict[str, int], *,
                 status: ResponseStatus = ResponseStatus.VALID, field: str | None = "ho_tich",
                 channel: Channel = Channel.PAPER, respondent_type: str = "ca_nhan",
                 counter_id: int | None = None, comment: str | None = None) -> Response:
    """One response with its answers, as stored by the submission services (not committed)."""
    response = Response(
        submission_key=uuid.uuid4().hex, payload_digest="0" * 64, campaign_id=campaign.id,
        unit_id=unit.id, counter_id=counter_id,
        instrument_version_id=campaign.instrument_version_id, channel=channel,
        respondent_type=respondent_type, field=field, comment=comment,
        submitted_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        n_rated=sum(1 for value in answers.values() if 1 <= value <= 5), status=status)
    response.answers = [Answer(item_code=item, value=value) for item, value in answers.items()]
    db.session.add(response)
    return response


def random_answers(rng: random.Random, level: float) -> dict[str, int]:
    """Answers to the 22 items: mostly satisfied with probability ``level``, some NA/blank."""
    answers = {}
    for item in ITEMS_2640:
        roll = rng.random()
        if roll < 0.05:
            continue  # blank
        if roll < 0.12:
            answers[item] = 0  # not applicable
        elif rng.random() < level:
            answers[item] = rng.choice([4, 5])
        else:
            answers[item] = rng.choice([1, 2, 3])
    return answers


def populate(campaign: Campaign, units: list[Unit], rng: random.Random, per_unit: int = 30
             ) -> list[dict]:
    """Random responses for every unit; returns what was inserted, for independent counting."""
    inserted = []
    for position, unit in enumerate(units):
        for number in range(per_unit):
            answers = random_answers(rng, 0.55 + 0.12 * position)
            status = ResponseStatus.VALID
            if number % 10 == 7:
                status = ResponseStatus.INVALID
            elif number % 10 == 8:
                status = ResponseStatus.FLAGGED
            field = FIELDS[number % len(FIELDS)]
            channel = [Channel.PAPER, Channel.QR][number % 2]
            counter_id = unit.counters[0].id if channel is Channel.QR else None
            add_response(campaign, unit, answers, status=status, field=field, channel=channel,
                         counter_id=counter_id)
            inserted.append({"unit": unit.code, "unit_id": unit.id, "status": status.value,
                             "field": field, "channel": channel.value,
                             "counter": counter_id, "answers": answers})
    db.session.commit()
    return inserted


def expected_counts(inserted: list[dict], key: str = "unit") -> Tally:
    """(group, item, value) → count over valid responses, counted in Python from the inputs."""
    tally: Tally = Tally()
    for record in inserted:
        if record["status"] != "valid":
            continue
        for item, value in record["answers"].items():
            if 1 <= value <= 5:
                tally[(record[key], item, value)] += 1
    return tally
