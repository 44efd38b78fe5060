"""Commands for the district's data: demo, imports, counter links, instruments, accounts."""

from __future__ import annotations

import os

import click
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..database import write_transaction
from ..domain.accounts import user_admin
from ..domain.campaigns.instruments import sync_shipped_instruments
from ..domain.operations.seeding import DEFAULT_RESPONSES, PROVINCE, SCENARIOS, seed_demo
from ..domain.submissions.importing import ImportRejected, import_responses
from ..domain.units.links import counter_url
from ..domain.units.unit_import import UnitImportRejected, import_units
from ..errors import DomainError
from ..extensions import db
from ..models import Campaign, Role, Unit, User
from ..support.dates import today_local
from ..support.formatting import count_text
from .base import command, fail


@command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when any unit already exists.")
@click.option("--scenario", type=click.Choice(SCENARIOS), default=PROVINCE, show_default=True,
              help="province: Gia Lai since 1/7/2025 (departments, communes, divisions); "
                   "district-2021: the Vân Canh district of 2021, closed.")
@click.option("--responses", type=click.IntRange(0, 1_000_000), default=DEFAULT_RESPONSES,
              show_default=True, help="Responses generated into a campaign this run creates.")
def seed_demo_command(if_empty: bool, scenario: str, responses: int) -> None:
    """Create a demo (units, counters, campaigns, accounts, responses); docs/units.md."""
    if if_empty and db.session.scalar(select(Unit.id).limit(1)) is not None:
        click.echo("Cơ sở dữ liệu đã có đơn vị; không tạo dữ liệu trình diễn.")
        return
    with write_transaction():
        report = seed_demo(today_local(), scenario=scenario, responses=responses)
    if not report.changed:
        click.echo("Dữ liệu trình diễn đã có sẵn; không thay đổi gì.")
        return
    campaigns = ", ".join(f"'{code}'" for code in report.campaigns)
    click.echo(f"Đã tạo {report.units} đơn vị, {report.counters} quầy"
               + (f", đợt khảo sát {campaigns}" if campaigns else "")
               + (f", {report.responses} phiếu mẫu" if report.responses else "") + ".")
    for username, what, password in report.accounts:
        click.echo(f"Tài khoản {username} ({what})  mật khẩu: {password}")
    if report.accounts:
        click.echo("Mật khẩu chỉ hiện một lần; hãy ghi lại và đổi sau khi đăng nhập.")


#: What each stage of an import is called on the terminal.
STAGES = {"check": "Kiểm tra", "store": "Ghi"}


def print_progress(stage: str, done: int, total: int) -> None:
    """One line on stderr per step of an import: how far it is, in rows."""
    share = f" ({100 * done // total}%)" if total else ""
    click.echo(f"{STAGES.get(stage, stage)}: {count_text(done)}/{count_text(total)} dòng"
               f"{share}", err=True)


@command("import-responses")
@click.option("--campaign", "campaign_code", required=True, help="Campaign code.")
@click.option("--progress", "show_progress", is_flag=True,
              help="Print how far the import is on stderr.")
@click.argument("csv_file", type=click.File("rb"))
def import_responses_command(campaign_code: str, csv_file, show_progress: bool) -> None:
    """Import responses from a CSV or .xlsx file; a file with any problem imports nothing."""
    campaign = db.session.scalar(select(Campaign).filter_by(code=campaign_code))
    if campaign is None:
        fail(f"Không có đợt khảo sát mã “{campaign_code}”.")
    try:
        result = import_responses(campaign, csv_file.read(), source=csv_file.name,
                                  progress=print_progress if show_progress else None)
    except ImportRejected as rejected:
        for problem in rejected.problems:
            click.echo(str(problem), err=True)
        fail(str(rejected))
    except DomainError as refused:
        fail(str(refused))
    click.echo(f"Đã nhập {result.imported} phiếu ({result.invalid} phiếu không hợp lệ được lưu "
               f"nhưng không tính); {result.already_present} phiếu đã có từ trước.")


@command("import-units")
@click.argument("csv_file", type=click.File("rb"))
def import_units_command(csv_file) -> None:
    """Import units (with validity dates and predecessors) from CSV; all or nothing, and the
    same file twice changes nothing (docs/unit-history.md)."""
    try:
        with write_transaction():
            result = import_units(csv_file.read(), source=csv_file.name, actor=None)
    except UnitImportRejected as rejected:
        for problem in rejected.problems:
            click.echo(str(problem), err=True)
        fail(str(rejected))
    click.echo(result.message())


@command("counter-links")
def counter_links_command() -> None:
    """Print every active counter's public survey address (and, on stderr, the server address
    they are built on and where it comes from)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if os.environ.get("SURVEY_PUBLIC_BASE_URL"):
        click.echo(f"Địa chỉ máy chủ: {base} (từ SURVEY_PUBLIC_BASE_URL)", err=True)
    else:
        click.echo(f"Địa chỉ máy chủ: {base} (mặc định). Nếu máy chủ chạy ở địa chỉ hay cổng "
                   "khác, đặt SURVEY_PUBLIC_BASE_URL=http://…:cổng trước lệnh này; mã QR in ra "
                   "phải trỏ đúng địa chỉ người dân mở được.", err=True)
    query = select(Unit).where(Unit.is_active).options(selectinload(Unit.counters))
    for unit in db.session.scalars(query.order_by(Unit.code)):
        for counter in unit.counters:
            if counter.is_active:
                click.echo(f"{unit.code}\t{unit.name}\t{counter.name}\t{counter_url(counter)}")


@command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", "full_name", default="", help="Full name shown in the interface.")
@click.option("--unit", "unit_codes", multiple=True, help="Unit code (repeat for several).")
def create_user_command(username: str, role: str, full_name: str, unit_codes: tuple[str]) -> None:
    """Create a staff account; its generated password is printed once."""
    units = list(db.session.scalars(select(Unit).where(Unit.code.in_(unit_codes))))
    missing = set(unit_codes) - {unit.code for unit in units}
    if missing:
        fail(f"Không có đơn vị: {', '.join(sorted(missing))}")
    try:
        # The same rules and audit as the web form; nobody signed in acts here.
        with write_transaction():
            user, password = user_admin.create_account(
                username, full_name, Role(role), [unit.id for unit in units], actor=None,
                note="dòng lệnh")
    except DomainError as error:
        fail(str(error))
    click.echo(f"Đã tạo tài khoản {user.username} ({user.role.label}). Mật khẩu: {password}")


@command("reset-password")
@click.argument("username")
def reset_password_command(username: str) -> None:
    """Give an account a new generated password (printed once) and end its sessions."""
    user = db.session.scalar(select(User).filter_by(username=username.strip().lower()))
    if user is None:
        fail(f"Không có tài khoản “{username}”.")
    with write_transaction():
        password = user_admin.reset_password(user, actor=None, note="dòng lệnh")
    click.echo(f"Mật khẩu mới của {user.username}: {password}")


@command("sync-instruments")
def sync_instruments_command() -> None:
    """Publish instrument files that are not yet in the database."""
    try:
        with write_transaction():
            rows = sync_shipped_instruments()
    except DomainError as error:
        fail(str(error))
    for row in rows:
        click.echo(f"{row.label}: {row.title}")
