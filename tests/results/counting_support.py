"""Building response rows for the results tests, and counting them back independently."""

from __future__ import annotations

import random
import uuid
from collections import Counter as Tally
from datetime import UTC, datetime

from survey_app.domain.campaigns.instruments import instrument_of
from survey_app.domain.submissions.responses import Submission, build_response
from survey_app.extensions import db
from survey_app.models import Campaign, Channel, Counter, Response, ResponseStatus, Unit

ITEMS_2640 = ([f"tc{i}" for i in range(1, 5)] + [f"tt{i}" for i in range(1, 6)]
              + [f"cc{i}" for i in range(1, 7)] + [f"kq{i}" for i in range(1, 4)]
              + [f"pa{i}" for i in range(1, 5)])
ELEMENT_OF = {item: item.rstrip("0123456789") for item in ITEMS_2640}
FIELDS = ["dat_dai", "ho_tich", "ld_tbxh", None]


def add_response(campaign: Campaign, unit: Unit, answers: dict[str, int], *,
                 status: ResponseStatus = ResponseStatus.VALID, field: str | None = "ho_tich",
                 channel: Channel = Channel.PAPER, respondent_type: str = "ca_nhan",
                 counter_id: int | None = None, comment: str | None = None) -> Response:
    """One response with its answers, built by the app's own response builder (so its digest,
    pattern and validity are what the app would store; not committed). ``status`` says what
    the test means it to be: FLAGGED flags it as the anti-stuffing rules would; VALID and
    INVALID must follow from the answers, and a mismatch is a mistake in the test."""
    version = campaign.instrument_version
    submission = Submission(answers=answers, comment=comment or "",
                            profile={"respondent_type": respondent_type, "field": field or ""})
    counter = db.session.get(Counter, counter_id) if counter_id is not None else None
    response = build_response(
        campaign=campaign, unit=unit, version=version, instrument=instrument_of(version),
        submission=submission, key=uuid.uuid4().hex, channel=channel, counter=counter,
        submitted_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        flag_reason="Nhiều phiếu trong 10 phút" if status is ResponseStatus.FLAGGED else None)
    assert response.status is status, (status, response.status, answers)
    db.session.add(response)
    return response


def invalid_answers(rng: random.Random) -> dict[str, int]:
    """Too few rated answers for the validity rule: a sheet left mostly blank."""
    return {item: rng.choice([1, 5]) for item in ITEMS_2640[:3]}


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
                answers = invalid_answers(rng)
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
