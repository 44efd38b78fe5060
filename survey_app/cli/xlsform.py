"""Commands exchanging instruments as XLSForm workbooks (Excel, KoboToolbox, ODK)."""

from __future__ import annotations

from pathlib import Path

import click

from questionnaires import DefinitionError

from ..database import write_transaction
from ..domain.audit import audit
from ..domain.campaigns.instruments import instrument_of, publish_definition, published_version
from ..errors import DomainError
from ..support.lazy import lazy_module
from .base import command, fail

xlsform = lazy_module("questionnaires.xlsform")  # openpyxl and pyxform, on first use


@command("export-xlsform")
@click.option("--instrument", "code", required=True, help="Instrument code, e.g. sipas-2640.")
@click.option("--version", type=click.IntRange(min=1), help="Version (default: the latest).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .xlsx file to write.")
def export_xlsform_command(code: str, version: int | None, out: Path) -> None:
    """Write a published instrument version as an XLSForm workbook."""
    row = published_version(code, version)
    if row is None:
        which = f"{code} v{version}" if version else code
        fail(f"Chưa công bố bộ phiếu “{which}” (chạy sync-instruments để công bố các bộ phiếu "
             "có sẵn).")
    instrument = instrument_of(row)
    try:
        data = xlsform.instrument_to_xlsform(instrument)
    except xlsform.NotExportable as error:
        fail(f"Không xuất được {row.label} ra XLSForm: {error}.")
    out.write_bytes(data)
    click.echo(f"Đã ghi {row.label} ({len(instrument.rating_items)} câu đánh giá, "
               f"{len(instrument.blocks)} khối tùy chọn) vào {out}.")


@command("import-xlsform")
@click.argument("xlsx_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_xlsform_command(xlsx_file: Path) -> None:
    """Publish the instrument an XLSForm workbook describes (a new code or version)."""
    try:
        definition = xlsform.definition_from_xlsform(xlsx_file.read_bytes())
        with write_transaction():
            publication = publish_definition(
                definition, xlsx_file.name,
                "hãy tăng 'version' trên trang 'settings' thay vì sửa bản đã công bố.")
            row = publication.row
            if publication.created:
                audit.record("instrument.publish", user=None, object_type="instrument_version",
                             object_id=row.label,
                             after={"title": row.title, "digest": row.digest},
                             note=f"nhập từ XLSForm {xlsx_file.name}")
    except (DefinitionError, DomainError) as error:
        fail(f"{xlsx_file.name}: không nhập được. {error}")
    if not publication.created:
        click.echo(f"Bộ phiếu {row.label} đã được công bố với cùng nội dung; "
                   "không có gì mới.")
        return
    instrument = instrument_of(row)
    click.echo(f"Đã công bố bộ phiếu {row.label}: {row.title} — {len(instrument.elements)} "
               f"yếu tố, {len(instrument.rating_items)} câu đánh giá, "
               f"{len(instrument.blocks)} khối tùy chọn, {len(instrument.profile)} câu hỏi "
               "thông tin người trả lời.")
