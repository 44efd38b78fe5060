"""``flask backup`` takes a consistent copy that restores every response."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from survey_app import create_app
from survey_app.domain.submissions.importing import import_responses
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.support.dates import today_local
from tests.support import app_config

ITEMS = ["tc1", "tc2", "tc3", "tc4", "tt1", "tt2", "tt3", "tt4", "tt5", "cc1", "cc2", "cc3",
         "cc4", "cc5", "cc6", "kq1", "kq2", "kq3", "pa1", "pa2", "pa3", "pa4"]


def test_backup_restores_every_response(app, runner, make_unit, make_campaign, tmp_path):
    if db.engine.dialect.name != "sqlite":
        result = runner.invoke(args=["backup", "--out", str(tmp_path / "x.sqlite3")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    campaign = make_campaign([make_unit()])
    when = (today_local() - timedelta(days=1)).strftime("%d/%m/%Y")
    rows = [f"xa-thu,paper,ca_nhan,,{when}," + ",".join([str(1 + i % 5)] * 22) + f",ý kiến {i}"
            for i in range(40)]
    header = "unit_code,channel,respondent_type,field,submitted_at," + ",".join(ITEMS) + \
        ",comment"
    import_responses(campaign, ("\n".join([header, *rows]) + "\n").encode(), source="t.csv")
    originals = db.session.execute(select(Response.submission_key, Response.comment)).all()

    target = tmp_path / "sao-luu.sqlite3"
    result = runner.invoke(args=["backup", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "kiểm tra toàn vẹn: ok" in result.output
    again = runner.invoke(args=["backup", "--out", str(target)])
    assert again.exit_code != 0 and "đã có" in again.output

    restored = create_app(app_config(f"sqlite:///{target}"))
    with restored.app_context():
        copied = db.session.execute(select(Response.submission_key, Response.comment)).all()
        assert sorted(copied) == sorted(originals) and len(copied) == 40
        assert db.session.scalar(select(func.count()).select_from(Response)) == 40
        db.session.remove()
        db.engine.dispose()
