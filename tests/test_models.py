"""Rules the database and the models enforce, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from survey_app.errors import ImmutableVersionError, InvalidTransition
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    CampaignState,
    Channel,
    InstrumentVersion,
    Response,
    ResponseStatus,
)


def new_response(campaign, unit, key="k" * 22, **fields) -> Response:
    values = {"submission_key": key, "payload_digest": "d" * 64, "campaign_id": campaign.id,
              "unit_id": unit.id, "instrument_version_id": campaign.instrument_version_id,
              "channel": Channel.QR, "respondent_type": "ca_nhan",
              "submitted_at": datetime.now(UTC), "n_rated": 1,
              "status": ResponseStatus.VALID}
    values.update(fields)
    return Response(**values)


def test_a_submission_key_is_stored_once(make_unit, make_campaign):
    unit = make_unit()
    campaign = make_campaign([unit])
    db.session.add(new_response(campaign, unit))
    db.session.commit()
    db.session.add(new_response(campaign, unit))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(sa.func.count(Response.id))) == 1


def test_answers_outside_0_to_5_are_refused_by_the_database(make_unit, make_campaign):
    unit = make_unit()
    campaign = make_campaign([unit])
    response = new_response(campaign, unit)
    response.answers = [Answer(item_code="tc1", value=6)]
    db.session.add(response)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(sa.func.count(Response.id))) == 0


def test_answers_go_with_their_response(make_unit, make_campaign):
    unit = make_unit()
    campaign = make_campaign([unit])
    response = new_response(campaign, unit)
    response.answers = [Answer(item_code="tc1", value=5), Answer(item_code="pa1", value=0)]
    db.session.add(response)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalar(select(Response))
    assert stored.answer_values() == {"pa1": 0, "tc1": 5}
    assert stored.submitted_at.tzinfo is not None


def test_a_published_instrument_version_cannot_change(make_unit, make_campaign):
    make_campaign([make_unit()])
    version = db.session.scalar(select(InstrumentVersion).filter_by(code="sipas-2640"))
    version.title = "Sửa lén"
    with pytest.raises(ImmutableVersionError, match="đã công bố"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(InstrumentVersion, version.id))
    with pytest.raises(ImmutableVersionError):
        db.session.flush()
    db.session.rollback()


def test_the_database_itself_refuses_changes_to_a_published_version(make_unit, make_campaign):
    make_campaign([make_unit()])
    version_id = db.session.scalar(select(InstrumentVersion.id).filter_by(code="sipas-2640"))
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError, match="immutable"):
        db.session.execute(sa.text("UPDATE instrument_version SET title = 'x' WHERE id = :id"),
                           {"id": version_id})
    db.session.rollback()
    assert db.session.get(InstrumentVersion, version_id).title != "x"


def test_a_draft_version_may_still_be_edited(app):
    draft = InstrumentVersion(code="nhap", version=1, title="Nháp", definition={}, digest="0")
    db.session.add(draft)
    db.session.commit()
    draft.title = "Nháp đã sửa"
    db.session.commit()
    assert db.session.get(InstrumentVersion, draft.id).title == "Nháp đã sửa"


@pytest.mark.parametrize(("path", "allowed"), [
    (["open", "closed", "approved"], True),
    (["open", "closed", "open", "closed"], True),
    (["closed"], False),
    (["approved"], False),
    (["open", "approved"], False),
    (["open", "closed", "approved", "open"], False),
])
def test_campaign_states_move_only_along_allowed_paths(make_unit, make_campaign, path, allowed):
    campaign = make_campaign([make_unit()], state=CampaignState.DRAFT)
    def walk():
        for state in path:
            campaign.transition_to(CampaignState(state))
    if allowed:
        walk()
        assert campaign.state == CampaignState(path[-1])
    else:
        with pytest.raises(InvalidTransition, match="Không thể chuyển"):
            walk()


def test_counter_tokens_are_unguessable_and_regenerated(make_unit):
    unit = make_unit()
    counter = unit.counters[0]
    old = counter.token
    assert len(old) >= 22  # 128 bits in URL-safe base64
    counter.regenerate_token()
    db.session.commit()
    assert counter.token != old and len(counter.token) >= 22
