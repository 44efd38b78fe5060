"""The ``flask --app wsgi …`` commands a district office runs."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import func, select

from survey_app.domain.accounts.accounts import verify_password
from survey_app.extensions import db
from survey_app.models import Counter, Response, Role, Unit, User
from survey_app.support.dates import today_local

DEMO_CODES = {
    "tt-van-canh", "xa-canh-hien", "xa-canh-hiep", "xa-canh-hoa", "xa-canh-lien",
    "xa-canh-thuan", "xa-canh-vinh", "vp-hdnd-ubnd", "p-noi-vu", "p-tu-phap", "p-tc-kh",
    "p-tn-mt", "p-ld-tbxh", "p-vh-tt", "p-kt-ht", "p-nn-ptnt", "p-gd-dt", "p-y-te", "thanh-tra"}


def snapshot() -> dict[str, list]:
    """Every row of every table, to compare the database before and after."""
    tables = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        tables[table.name] = sorted(repr(tuple(row)) for row in rows)
    return tables


def test_seed_demo_twice_changes_nothing(runner):
    runner.invoke(args=["seed-demo", "--responses", "100"])
    before = snapshot()
    second = runner.invoke(args=["seed-demo", "--responses", "100"])
    assert second.exit_code == 0
    assert "không thay đổi gì" in second.output
    assert "mật khẩu" not in second.output
    assert snapshot() == before


def test_two_installs_get_different_admin_passwords(runner, app):
    first = runner.invoke(args=["seed-demo", "--responses", "0"]).output
    db.session.execute(sa.delete(User))
    db.session.commit()
    second = runner.invoke(args=["seed-demo", "--responses", "0"]).output
    pattern = r"Tài khoản admin .*mật khẩu: (\S+)"
    assert re.search(pattern, first).group(1) != re.search(pattern, second).group(1)


def test_seed_demo_if_empty_leaves_a_real_install_alone(runner, make_unit):
    make_unit("xa-that", "Xã Thật")
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "không tạo dữ liệu trình diễn" in result.output
    assert db.session.scalar(select(func.count(Unit.id))) == 1


def test_counter_links_prints_each_public_address(runner):
    runner.invoke(args=["seed-demo", "--scenario", "district-2021", "--responses", "0"])
    result = runner.invoke(args=["counter-links"])
    lines = result.stdout.strip().splitlines()  # the links alone, for a script or a sheet
    assert len(lines) == 19
    # which server address the links are built on, and how to change it, on stderr
    assert "Địa chỉ máy chủ: https://khaosat.example.vn" in result.stderr
    assert "SURVEY_PUBLIC_BASE_URL" in result.stderr
    tokens = {counter.token for counter in db.session.scalars(select(Counter))}
    for line in lines:
        code, _name, _counter, url = line.split("\t")
        assert code in DEMO_CODES
        assert url.startswith("https://khaosat.example.vn/s/")
        assert url.rsplit("/", 1)[1] in tokens


def test_create_user_prints_a_generated_password(runner, make_unit):
    make_unit("xa-canh-hien", "Xã Canh Hiển")
    result = runner.invoke(args=["create-user", "Lan.Nguyen", "--role", "unit_staff",
                                 "--unit", "xa-canh-hien", "--name", "Nguyễn Thị Lan"])
    assert result.exit_code == 0, result.output
    password = result.output.rsplit("Mật khẩu: ", 1)[1].strip()
    user = db.session.scalar(select(User).filter_by(username="lan.nguyen"))
    assert user.full_name == "Nguyễn Thị Lan"
    assert [unit.code for unit in user.units] == ["xa-canh-hien"]
    assert verify_password(user, password) and not verify_password(user, "sai")
    refused = runner.invoke(args=["create-user", "x", "--role", "unit_staff"])
    assert refused.exit_code != 0 and "ít nhất một đơn vị" in refused.output
    unknown = runner.invoke(args=["create-user", "y", "--role", "viewer", "--unit", "khong"])
    assert unknown.exit_code != 0 and "Không có đơn vị: khong" in unknown.output


def test_reset_password_ends_the_old_password(runner, make_user):
    user, old = make_user("thu", Role.VIEWER)
    token = user.session_token
    result = runner.invoke(args=["reset-password", "thu"])
    new = result.output.rsplit(": ", 1)[1].strip()
    db.session.refresh(user)
    assert verify_password(user, new) and not verify_password(user, old)
    assert user.session_token != token


def test_import_responses_command(runner, tmp_path):
    runner.invoke(args=["seed-demo", "--responses", "0"])
    when = (today_local() - timedelta(days=1)).strftime("%d/%m/%Y")
    items = ["tc1", "tc2", "tc3", "tc4", "tt1", "tt2", "tt3", "tt4", "tt5", "cc1", "cc2", "cc3",
             "cc4", "cc5", "cc6", "kq1", "kq2", "kq3", "pa1", "pa2", "pa3", "pa4"]
    header = "unit_code,channel,respondent_type,field,submitted_at," + ",".join(items) + \
        ",comment"
    good = f"gl-so-nn-mt,paper,ca_nhan,dat_dai,{when}," + ",".join(["4"] * 22) + ",Tốt"
    bad = f"gl-so-nn-mt,paper,ca_nhan,dat_dai,{when}," + ",".join(["7"] * 22) + ","
    path = tmp_path / "phieu.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{header}\n{good}\n{good}\n".encode())
    result = runner.invoke(args=["import-responses", "--campaign", "demo", str(path)])
    today = today_local()  # the district's date, not the machine's UTC one
    if today > date(today.year, 12, 20) or today.timetuple().tm_yday == 1:
        assert result.exit_code != 0  # yesterday is outside the demo's period
        return
    assert result.exit_code == 0, result.output
    assert "Đã nhập 2 phiếu" in result.output
    assert runner.invoke(args=["import-responses", "--campaign", "demo", str(path)]).output \
        .startswith("Đã nhập 0 phiếu")
    path.write_bytes(f"{header}\n{bad}\n".encode())
    rejected = runner.invoke(args=["import-responses", "--campaign", "demo", str(path)])
    assert rejected.exit_code != 0
    assert "Dòng 2, cột tc1" in rejected.output and "không phiếu nào được nhập" in rejected.output
    assert db.session.scalar(select(func.count(Response.id))) == 2
    missing = runner.invoke(args=["import-responses", "--campaign", "khong", str(path)])
    assert "Không có đợt khảo sát" in missing.output


def test_the_command_line_keeps_the_web_s_account_rules(runner):
    # The web refuses this user name; the command line used to create the account anyway.
    result = runner.invoke(args=["create-user", "Ngô Thị <b>", "--role", "viewer"])
    assert result.exit_code == 1
    assert "Tên đăng nhập chỉ gồm chữ không dấu" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    made = runner.invoke(args=["create-user", "ngothi", "--role", "viewer",
                               "--name", "  Ngô\u200b Thị  "])
    assert made.exit_code == 0, made.output
    user = db.session.scalar(select(User).filter_by(username="ngothi"))
    assert user.full_name == "Ngô Thị"  # cleaned like the web form cleans it
    from survey_app.models import AuditEvent

    event = db.session.scalar(select(AuditEvent).filter_by(action="user.create"))
    assert event.user_id is None and event.note == "dòng lệnh"


def test_command_line_writes_take_the_write_lock_first(app, runner, make_user):
    # SQLite: a write transaction begins IMMEDIATE, so it waits for the lock instead of
    # failing with "database is locked" halfway (DESIGN.md); the commands did not.
    if db.engine.dialect.name != "sqlite":
        return
    make_user("canbo", Role.VIEWER)
    begun = []

    def record(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            begun.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert runner.invoke(args=["reset-password", "canbo"]).exit_code == 0
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert "BEGIN IMMEDIATE" in begun
