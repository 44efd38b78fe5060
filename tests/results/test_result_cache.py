"""The results cache: numbers identical to a full recomputation after any sequence of changes.

The cache (survey_app/domain/results/result_cache.py) keys each computed part by the
revision counters that triggers keep on ``response`` and ``answer`` (migration 0008), the
settings and the code. These tests check the triggers on both backends, whatever issues the
write; that the computation reads no table the fingerprint leaves out; and, with random
sequences of submissions, corrections, flags and reviews, imports, deletions, settings
changes and plain views, that every cached read equals a recomputation from scratch.
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.database import write_transaction
from survey_app.domain.campaigns.instruments import instrument_of
from survey_app.domain.paper.paper_entry import correct_response
from survey_app.domain.results import result_cache, unit_tables
from survey_app.domain.results import results as results_service
from survey_app.domain.results.cuts import CUTS as REGISTERED_CUTS
from survey_app.domain.results.results import compute, without_time
from survey_app.domain.submissions.importing import import_responses
from survey_app.domain.submissions.responses import Submission, build_response
from survey_app.domain.submissions.review import CLEAR, KEEP, review_many
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    Campaign,
    CampaignState,
    Channel,
    Counter,
    Response,
    ResponseStatus,
    ResultCache,
    ResultRevision,
    Role,
    Unit,
    User,
    utcnow,
)
from survey_app.support.dates import local_date
from tests.results.counting_support import ITEMS_2640, random_answers

TRIGGERS = {f"result_revision_{table}_{event}" for table in ("response", "answer")
            for event in ("insert", "update", "delete")}
CUTS = ("field", "channel")
#: The per-unit tables behind base + CUTS: the units, the validity rule, each cut.
SECTIONS = ("unit", "invalid", *CUTS)
REAL_COMPUTE_PART = results_service._compute_part
REAL_COUNT_UNIT = unit_tables.count_unit


def campaign_parts() -> int:
    """Stored parts of whole results (not the per-unit counting tables)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(ResultCache)
                             .where(~ResultCache.part.like("unit:%")))


def record_counted(monkeypatch) -> list[tuple[int, str, int]]:
    """(campaign, section, unit) of every unit's tables counted in the database from now."""
    counted: list[tuple[int, str, int]] = []

    def counting(connection, campaign, instrument, section, unit_id):
        counted.append((campaign.id, section, unit_id))
        return REAL_COUNT_UNIT(connection, campaign, instrument, section, unit_id)

    monkeypatch.setattr(unit_tables, "count_unit", counting)
    return counted


@pytest.fixture
def world(make_unit, make_campaign, make_user):
    """Three units, a closed previous campaign and the open one compared with it."""
    units = [make_unit("xa-a", "Xã A"), make_unit("xa-b", "Xã B"),
             make_unit("phong-c", "Phòng C")]
    units[2].counters.append(Counter(name="Quầy hai"))
    db.session.commit()
    previous = make_campaign(units, code="truoc", state=CampaignState.CLOSED)
    campaign = make_campaign(units, code="nay", previous_campaign_id=previous.id)
    admin, _ = make_user("quan-tri", role=Role.ADMIN)
    return {"units": units, "previous": previous, "campaign": campaign, "admin": admin}


def revisions() -> dict[tuple[int, int], int]:
    """The counters as committed now (on a connection of their own)."""
    with db.engine.connect() as connection:
        return {(row.campaign_id, row.unit_id): row.revision
                for row in connection.execute(sa.select(ResultRevision))}


def store(campaign: Campaign, unit: Unit, seed: int, *, status: str | None = None,
          field: str | None = None, channel: Channel = Channel.QR) -> int:
    """A response stored as the submission services store one (one write transaction)."""
    rng = random.Random(seed)
    answers = random_answers(rng, 0.4 + 0.5 * rng.random())
    profile = {"respondent_type": rng.choice(["ca_nhan", "to_chuc"])}
    if field or rng.random() < 0.8:
        profile["field"] = field or rng.choice(["dat_dai", "ho_tich", "ld_tbxh"])
    counter = unit.counters[seed % len(unit.counters)] if channel is Channel.QR else None
    with write_transaction() as session:
        response = build_response(
            campaign=campaign, unit=unit, version=campaign.instrument_version,
            instrument=instrument_of(campaign.instrument_version),
            submission=Submission(answers=answers, profile=profile), key=uuid.uuid4().hex,
            channel=channel, submitted_at=utcnow(), counter=counter,
            flag_reason="Thử: gửi dồn dập" if status == "flagged" else None)
        session.add(response)
        session.flush()
        response_id = response.id
    return response_id


# ---------------------------------------------------------------------------- the triggers


def test_the_revision_triggers_are_there_at_head(app):
    """A later migration that rebuilds response or answer on SQLite (batch mode) would drop
    them with the old table; then the cache could serve numbers of older data."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            found = set(connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())
        else:
            found = set(connection.exec_driver_sql(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").scalars())
    assert found >= TRIGGERS


def test_every_statement_that_changes_responses_bumps_their_unit_s_counter(world):
    """Raw SQL, as a bulk job or psql would write: nothing goes around the counters."""
    campaign, (unit_a, unit_b, _) = world["campaign"], world["units"]
    response_id = store(campaign, unit_a, 1)
    key_a, key_b = (campaign.id, unit_a.id), (campaign.id, unit_b.id)
    steps = [
        ("UPDATE answer SET value = 5 WHERE response_id = :r AND item_code = 'tc1'", [key_a]),
        ("DELETE FROM answer WHERE response_id = :r AND item_code = 'tc2'", [key_a]),
        ("INSERT INTO answer (response_id, item_code, value) VALUES (:r, 'tc2', 3)", [key_a]),
        ("UPDATE response SET status = 'flagged' WHERE id = :r", [key_a]),
        ("UPDATE response SET comment = 'sửa' WHERE id = :r", [key_a]),
        (f"UPDATE response SET unit_id = {unit_b.id} WHERE id = :r", [key_a, key_b]),
        ("DELETE FROM answer WHERE response_id = :r", [key_b]),
        ("DELETE FROM response WHERE id = :r", [key_b]),
    ]
    for statement, bumped in steps:
        before = revisions()
        with db.engine.begin() as connection:
            connection.execute(sa.text(statement), {"r": response_id})
        after = revisions()
        for key in bumped:
            assert after.get(key, 0) > before.get(key, 0), statement
        untouched = set(after) - set(bumped)
        assert {key: after[key] for key in untouched} == \
            {key: before.get(key) for key in untouched}, statement


def test_a_rolled_back_change_leaves_the_counters_alone(world):
    campaign, unit = world["campaign"], world["units"][0]
    response_id = store(campaign, unit, 2)
    before = revisions()
    with db.engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(sa.text("DELETE FROM answer WHERE response_id = :r"),
                           {"r": response_id})
        transaction.rollback()
    assert revisions() == before


def test_a_multi_row_insert_bumps_each_unit_it_touches(world):
    campaign, units = world["campaign"], world["units"]
    before = revisions()
    rng = random.Random(3)
    with write_transaction() as session:
        for number in range(12):
            unit = units[number % 2]
            session.add(build_response(
                campaign=campaign, unit=unit, version=campaign.instrument_version,
                instrument=instrument_of(campaign.instrument_version),
                submission=Submission(answers=random_answers(rng, 0.7),
                                      profile={"respondent_type": "ca_nhan"}),
                key=uuid.uuid4().hex, channel=Channel.PAPER, submitted_at=utcnow()))
    after = revisions()
    for unit in units[:2]:
        assert after[(campaign.id, unit.id)] > before.get((campaign.id, unit.id), 0)
    assert (campaign.id, units[2].id) not in after


# ------------------------------------------------------------------- what the key covers

#: Tables the computation may read: responses and answers are covered by the revision
#: counters, the others are hashed into the fingerprint (result_cache.settings_of), or
#: are the cache's own tables and the computation's temporary tables.
COVERED = {"response", "answer", "campaign", "campaign_unit", "unit", "counter",
           "unit_succession", "instrument_version", "result_revision", "result_cache",
           "tmp_result_slots", "tmp_result_weights"}
#: The databases' own catalogues (looked up before a temporary table is created).
CATALOGUES = {"pg_catalog", "pg_class", "pg_namespace", "sqlite_master", "sqlite_schema",
              "sqlite_temp_master", "information_schema"}


def test_the_computation_reads_no_table_the_fingerprint_leaves_out(world):
    """A new dependency of the results (a table read) must enter the fingerprint too."""
    campaign, units = world["campaign"], world["units"]
    for number in range(8):
        store(campaign, units[number % 3], 10 + number)
        store(world["previous"], units[number % 3], 20 + number)
    read: set[str] = set()

    def record(conn, cursor, statement, parameters, context, executemany):
        read.update(name.lower() for name in re.findall(
            r'\b(?:FROM|JOIN|INTO|TABLE)\s+"?(\w+)"?', statement, flags=re.IGNORECASE))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        campaign = db.session.get(Campaign, campaign.id)
        compute(campaign, by="counter", fingerprint=True, cuts=tuple(REGISTERED_CUTS),
                cached=False)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert read, "no statement seen"
    read -= CATALOGUES
    assert read <= COVERED, f"read but not in the fingerprint: {sorted(read - COVERED)}"


def test_header_only_columns_change_no_computed_part(world):
    """result_cache.HEADER_ONLY leaves these columns out of the key: check they are only in
    the header, which every read makes anew."""
    campaign, units = world["campaign"], world["units"]
    for number in range(9):
        store(campaign, units[number % 3], 30 + number)
    store(world["previous"], units[0], 40)
    parts = (result_cache.BASE, *map(result_cache.cut_part, REGISTERED_CUTS))

    def computed() -> dict:
        db.session.rollback()
        current = db.session.get(Campaign, campaign.id)
        results = compute(current, fingerprint=True, cuts=tuple(REGISTERED_CUTS),
                          cached=False).results
        return {"cuts": results["cuts"], "units": results["units"],
                "district": results["district"], "previous": results["previous"],
                "units_differ": results["units_differ"], "excluded": results["excluded"]}

    before = computed()
    assert {"code", "name", "starts_on", "deadline", "state"} == result_cache.HEADER_ONLY
    with write_transaction() as session:
        current = session.get(Campaign, campaign.id)
        current.code, current.name = "doi-ma", "Tên khác"
        current.starts_on -= timedelta(days=3)
        current.deadline += timedelta(days=3)
        current.state = CampaignState.CLOSED
    assert computed() == before
    assert len(parts) == 5


def test_a_second_read_computes_nothing_and_a_change_recomputes(world, monkeypatch):
    campaign, units = world["campaign"], world["units"]
    for number in range(6):
        store(campaign, units[number % 3], 50 + number)
    computed: list[str] = []

    def counting(connection, campaign, instrument, rules, part, **options):
        computed.append(part)
        return REAL_COMPUTE_PART(connection, campaign, instrument, rules, part, **options)

    monkeypatch.setattr(results_service, "_compute_part", counting)

    def read(**options) -> dict:
        db.session.rollback()
        return compute(db.session.get(Campaign, campaign.id), cuts=CUTS, **options).results

    first = read()
    assert computed == ["base", "cut:field", "cut:channel"]
    computed.clear()
    assert without_time(read()) == without_time(first)
    assert computed == []
    db.session.rollback()  # the parts are written when the session's transaction ends
    assert campaign_parts() == 3

    store(campaign, units[1], 60)  # new data: every part again
    read()
    assert computed == ["base", "cut:field", "cut:channel"]
    computed.clear()

    with write_transaction() as session:  # a setting: a unit's name
        session.get(Unit, units[0].id).name = "Xã A mới"
    assert any(entry["unit_name"] == "Xã A mới" for entry in read()["units"])
    assert len(computed) == 3
    computed.clear()

    with write_transaction() as session:  # closing keeps the numbers
        session.get(Campaign, campaign.id).state = CampaignState.CLOSED
    assert read()["campaign"]["state"] == "closed"
    assert computed == []

    store(world["previous"], units[2], 61)  # the previous campaign's data: the comparison
    read()
    assert "base" in computed


def test_a_new_response_in_one_unit_counts_only_that_unit_again(world, monkeypatch):
    """The other units' counting tables are reused; the district and cut totals combined
    from them equal a recomputation from scratch."""
    campaign, units = world["campaign"], world["units"]
    for number in range(9):
        store(campaign, units[number % 3], 200 + number, field="dat_dai" if number % 2 else None)
        store(world["previous"], units[number % 3], 300 + number)
    counted = record_counted(monkeypatch)

    def read(**options):
        db.session.rollback()
        return compute(db.session.get(Campaign, campaign.id), fingerprint=True, cuts=CUTS,
                       **options)

    read()
    # Nothing cached yet: every unit of both campaigns counted, each section once.
    assert sorted(counted) == sorted(
        [(campaign.id, section, unit.id) for section in SECTIONS for unit in units]
        + [(world["previous"].id, "unit", unit.id) for unit in units])
    db.session.rollback()  # the parts are written when the session's transaction ends
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResultCache)
                             .where(ResultCache.part.like("unit:%"))) == 3 * 4 + 3

    for number, unit in enumerate([units[1], units[1], units[2]]):
        before = read().results
        counted.clear()
        store(campaign, unit, 400 + number, status="flagged" if number == 1 else None,
              field="ho_tich")
        after = read()
        assert sorted(counted) == sorted((campaign.id, section, unit.id)
                                         for section in SECTIONS)
        counted.clear()
        fresh = read(cached=False)
        assert without_time(after.results) == without_time(fresh.results)
        assert (after.fingerprint, after.n_counted) == (fresh.fingerprint, fresh.n_counted)
        # The change is there: the unit's and the district's response counts moved.
        entry = next(e for e in after.results["units"] if e["unit_code"] == unit.code)
        old = next(e for e in before["units"] if e["unit_code"] == unit.code)
        assert entry["n_responses"] == old["n_responses"] + 1
        assert (after.results["district"]["n_responses"]
                == before["district"]["n_responses"] + 1)
        field = next(g for g in after.results["cuts"]["field"]["groups"]
                     if g["key"] == "ho_tich")
        assert field["district"]["n_responses"] >= 1

    # A correction in one unit: again only that unit; a setting: no unit at all.
    response_id = max(_response_ids(campaign.id))
    correct_response(response_id, Submission(answers=random_answers(random.Random(5), 0.9),
                                             profile={"respondent_type": "to_chuc"}),
                     db.session.get(User, world["admin"].id))
    counted.clear()
    read()
    assert {unit for _, _, unit in counted} == {units[2].id}
    counted.clear()
    with write_transaction() as session:
        session.get(Campaign, campaign.id).headline_method = "pooled"
    assert read().results["method"] == "pooled"
    assert counted == []


@pytest.mark.parametrize("weighting", ["respondent", "dossier"])
def test_a_cut_analysed_in_one_call_equals_each_group_analysed_alone(world, weighting):
    """Frames.split (one analysis call, a district per value) gives the tables of
    Frames.restrict (the analysis run once per value, as before): same rows, counts and
    labels, numbers equal up to the last bits of a float (sums taken in another order).
    Cached and recomputed results both come from split, so they are identical."""
    campaign, units = world["campaign"], world["units"]
    for number in range(24):
        store(campaign, units[number % 3], 500 + number,
              status="flagged" if number == 7 else None,
              field=["dat_dai", "ho_tich", "ld_tbxh"][number % 4 % 3] if number % 5 else None,
              channel=Channel.QR if number % 3 else Channel.PAPER)
    with write_transaction() as session:
        session.get(Campaign, campaign.id).weighting = weighting
    db.session.rollback()
    campaign = db.session.get(Campaign, campaign.id)
    instrument = instrument_of(campaign.instrument_version)
    for cut in REGISTERED_CUTS:
        with results_service.read_snapshot() as connection:
            grouped = results_service._frames(connection, campaign, instrument, [cut, "unit"],
                                              analyse=False)
        split = grouped.split(cut, instrument)
        assert [key for key, _ in split] == grouped.keys_of(cut)
        assert len(split) >= 2, cut
        for key, frames in split:
            alone = grouped.restrict(cut, key, instrument)
            assert frames.table is not None, (cut, key)
            pd.testing.assert_frame_equal(frames.table, alone.table, check_exact=False,
                                          rtol=1e-12, atol=1e-12)
            pd.testing.assert_frame_equal(frames.statuses, alone.statuses, check_exact=True)
            assert frames.district_refused == alone.district_refused


def test_a_failed_store_only_costs_a_recomputation(world, monkeypatch):
    campaign = world["campaign"]
    store(campaign, world["units"][0], 70)

    def busy(*args):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(result_cache, "_writer", busy)
    fresh = compute(campaign, cuts=CUTS, cached=False).results
    assert without_time(compute(campaign, cuts=CUTS).results) == without_time(fresh)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResultCache)) == 0
    assert campaign_parts() == 0


def test_recount_recomputes_everything_and_says_so(world, runner):
    campaign = world["campaign"]
    for number in range(4):
        store(campaign, world["units"][number % 3], 80 + number)
    outcome = runner.invoke(args=["recount", "--progress"])
    assert outcome.exit_code == 0, outcome.output
    assert "Đã tính lại đợt “nay” (7 phần" in outcome.output
    assert "Đã tính lại đợt “truoc”" in outcome.output
    assert "nay cut:counter:" in outcome.output
    db.session.rollback()  # a snapshot from after the command
    parts = set(db.session.scalars(sa.select(ResultCache.part)
                                   .where(ResultCache.campaign_id == campaign.id,
                                          ~ResultCache.part.like("unit:%"))))
    assert parts == {"base", "extras", "levels", "cut:field", "cut:channel", "cut:counter",
                     "cut:respondent_type"}
    # A cache entry that differs from the recomputation (it never should) is reported.
    with db.engine.begin() as connection:
        row = connection.execute(sa.select(ResultCache.payload).where(
            ResultCache.campaign_id == campaign.id, ResultCache.part == "extras")).one()
        wrong = result_cache.decode(row.payload) | {"n_counted": 999}
        connection.execute(sa.update(ResultCache).where(
            ResultCache.campaign_id == campaign.id, ResultCache.part == "extras")
            .values(payload=result_cache.encode(wrong)))
    outcome = runner.invoke(args=["recount", "--campaign", "nay"])
    assert outcome.exit_code == 1
    assert "khác bộ nhớ đệm ở: extras" in outcome.output
    assert runner.invoke(args=["recount", "--campaign", "nay"]).exit_code == 0
    assert "Không có đợt khảo sát" in runner.invoke(args=["recount", "--campaign", "x"]).output


# --------------------------------------------------------------- random sequences of changes

OPERATIONS = st.one_of(
    st.tuples(st.just("submit"), st.integers(0, 2), st.integers(0, 10**6),
              st.sampled_from([None, None, "flagged"])),
    st.tuples(st.just("correct"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("flag"), st.integers(0, 10**6)),
    st.tuples(st.just("review"), st.integers(0, 10**6), st.sampled_from([CLEAR, KEEP])),
    st.tuples(st.just("import"), st.integers(1, 4), st.integers(0, 10**6)),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.integers(1, 3)),
    st.tuples(st.just("previous"), st.integers(0, 2), st.integers(0, 10**6)),
    st.tuples(st.just("settings"), st.sampled_from(["method", "weighting", "target", "rename",
                                                    "min-compare"])),
    st.tuples(st.just("view")),
)


def _response_ids(campaign_id: int, status: ResponseStatus | None = None) -> list[int]:
    query = sa.select(Response.id).where(Response.campaign_id == campaign_id)
    if status is not None:
        query = query.where(Response.status == status)
    return list(db.session.scalars(query.order_by(Response.id)))


def _csv(units: list[Unit], rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    day = local_date(utcnow() - timedelta(days=1)).strftime("%d/%m/%Y")
    lines = [",".join(["unit_code", "respondent_type", "submitted_at", "field",
                       *ITEMS_2640])]
    for _ in range(rows):
        answers = random_answers(rng, 0.6)
        cells = ["NA" if answers.get(item) == 0 else str(answers.get(item, ""))
                 for item in ITEMS_2640]
        lines.append(",".join([rng.choice(units).code, "ca_nhan", f"{day} 08:{rng.randint(10, 59)}",
                               rng.choice(["dat_dai", "ho_tich", ""]), *cells]))
    return ("\n".join(lines) + "\n").encode()


def _apply(operation: tuple, world: dict) -> None:
    campaign = db.session.get(Campaign, world["campaign"].id)
    units = [db.session.get(Unit, unit.id) for unit in world["units"]]
    admin = db.session.get(User, world["admin"].id)
    kind = operation[0]
    if kind == "submit":
        store(campaign, units[operation[1]], operation[2], status=operation[3],
              channel=Channel.QR if operation[2] % 2 else Channel.PAPER)
    elif kind == "correct" and (ids := _response_ids(campaign.id)):
        rng = random.Random(operation[2])
        correct_response(ids[operation[1] % len(ids)], Submission(
            answers=random_answers(rng, rng.random()),
            profile={"respondent_type": "to_chuc", "field": "dat_dai"}), admin)
    elif kind == "flag" and (ids := _response_ids(campaign.id, ResponseStatus.VALID)):
        with write_transaction() as session:
            response = session.get(Response, ids[operation[1] % len(ids)])
            response.status = ResponseStatus.FLAGGED
            response.flag_reason = "Thử: gửi dồn dập"
    elif kind == "review" and (ids := _response_ids(campaign.id, ResponseStatus.FLAGGED)):
        review_many([ids[operation[1] % len(ids)]], operation[2], admin)
    elif kind == "import":
        import_responses(campaign, _csv(units, operation[1], operation[2]),
                         source="thu.csv", user=admin)
    elif kind == "delete" and (ids := _response_ids(campaign.id)):
        start = operation[1] % len(ids)
        chosen = ids[start:start + operation[2]]
        with write_transaction() as session:  # deleting test data, as a bulk statement
            session.execute(sa.delete(Answer).where(Answer.response_id.in_(chosen)))
            session.execute(sa.delete(Response).where(Response.id.in_(chosen)))
    elif kind == "previous":
        store(db.session.get(Campaign, world["previous"].id), units[operation[1]],
              operation[2])
    elif kind == "settings":
        db.session.rollback()
        with write_transaction() as session:
            _change_setting(session.get(Campaign, campaign.id), operation[1])
    db.session.rollback()


def _change_setting(campaign: Campaign, what: str) -> None:
    if what == "method":
        campaign.headline_method = ("pooled" if campaign.headline_method ==
                                    "mean-of-elements" else "mean-of-elements")
    elif what == "weighting":
        campaign.weighting = "dossier" if campaign.weighting == "respondent" else "respondent"
    elif what == "target":
        campaign.targets[0].transactions_n = (campaign.targets[0].transactions_n or 0) + 7
    elif what == "rename":
        unit = sorted(campaign.targets, key=lambda target: target.unit_id)[1].unit
        unit.name = f"Xã B {uuid.uuid4().hex[:4]}"
    else:
        campaign.min_compare_responses = 2 if campaign.min_compare_responses != 2 else 30


def _reset(world: dict) -> None:
    """Each example starts from no responses (the cache is kept: it must never mislead)."""
    with write_transaction() as session:
        for campaign in (world["campaign"], world["previous"]):
            ids = sa.select(Response.id).where(Response.campaign_id == campaign.id)
            session.execute(sa.delete(Answer).where(Answer.response_id.in_(ids)))
            session.execute(sa.delete(Response).where(Response.campaign_id == campaign.id))
    db.session.rollback()


@pytest.mark.slow
@settings(max_examples=6, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(OPERATIONS, min_size=2, max_size=6))
def test_cached_results_equal_a_recomputation_after_any_changes(world, monkeypatch,
                                                                operations):
    _reset(world)
    computed: list[str] = []

    def counting(connection, campaign, instrument, rules, part, **options):
        computed.append(part)
        return REAL_COMPUTE_PART(connection, campaign, instrument, rules, part, **options)

    monkeypatch.setattr(results_service, "_compute_part", counting)
    counted = record_counted(monkeypatch)
    preamble = [("submit", 0, 1, None), ("previous", 1, 2)]
    for step, operation in enumerate([*preamble, *operations]):
        _apply(operation, world)
        campaign = db.session.get(Campaign, world["campaign"].id)
        computed.clear()
        counted.clear()
        cached = compute(campaign, fingerprint=True, cuts=CUTS)
        if operation[0] == "view":
            assert computed == [], "nothing changed, yet the cache was not used"
        if operation[0] in ("view", "settings"):
            # Settings change the analysis, never a unit's counting tables.
            assert counted == [], operation
        if operation[0] == "submit" and step >= len(preamble):
            # Only the unit that received the response is counted again (each of its
            # sections once); every other unit's tables, and the previous campaign's, come
            # from the cache.
            unit_id = world["units"][operation[1]].id
            assert sorted(counted) == sorted((campaign.id, section, unit_id)
                                             for section in SECTIONS), operation
        db.session.rollback()
        fresh = compute(campaign, fingerprint=True, cuts=CUTS, cached=False)
        assert without_time(cached.results) == without_time(fresh.results), operation
        assert (cached.fingerprint, cached.n_counted, cached.instrument_versions) == \
            (fresh.fingerprint, fresh.n_counted, fresh.instrument_versions), operation
        db.session.rollback()


def test_a_view_then_a_write_in_the_same_session_is_not_refused(world):
    """Storing the cache from another connection while the session's read transaction is
    open would make SQLite refuse the session's next write ("database is locked")."""
    campaign, unit = world["campaign"], world["units"][0]
    store(campaign, unit, 90)
    db.session.rollback()
    compute(db.session.get(Campaign, campaign.id), cuts=CUTS)  # reads, parts computed
    db.session.get(Unit, unit.id).name = "Xã A (sửa)"  # then writes on the same session
    db.session.commit()
    assert campaign_parts() == 3


def test_a_results_page_stores_its_parts_for_the_next_view(world, client, login_as,
                                                            monkeypatch):
    campaign = world["campaign"]
    for number in range(5):
        store(campaign, world["units"][number % 3], 95 + number)
    db.session.rollback()
    login_as(world["admin"])
    assert client.get("/results/?campaign=nay").status_code == 200
    computed: list[str] = []

    def counting(connection, campaign, instrument, rules, part, **options):
        computed.append(part)
        return REAL_COMPUTE_PART(connection, campaign, instrument, rules, part, **options)

    monkeypatch.setattr(results_service, "_compute_part", counting)
    assert client.get("/results/?campaign=nay").status_code == 200
    assert computed == []
