"""Downloads of computed results: XLSX for the PAR scoring, CSV, PDF report, raw responses.

Writers take the result dict (docs/results-json.md) and a binary stream, never the database;
only ``raw_responses`` reads rows, streamed in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from .csv_export import write_csv
from .pdf_report import write_report
from .safety import neutralise
from .xlsx import write_workbook


@dataclass(frozen=True)
class ExportFormat:
    """One download format of the results: its writer and how the file is served."""

    name: str
    label: str
    mimetype: str
    extension: str
    write: Callable[[Mapping[str, Any], IO[bytes]], None]


#: Every download format, in the order they are offered (the web, the CLI, approval).
FORMATS: dict[str, ExportFormat] = {fmt.name: fmt for fmt in (
    ExportFormat("xlsx", "Bảng tính Excel (XLSX)",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                 write_workbook),
    ExportFormat("csv", "Tệp CSV", "text/csv; charset=utf-8", "csv", write_csv),
    ExportFormat("pdf", "Báo cáo PDF", "application/pdf", "pdf", write_report),
)}


def write_export(results: Mapping[str, Any], fmt: str, stream: IO[bytes],
                 raw_rows: Iterable[Sequence[Any]] | None = None) -> None:
    """Write ``results`` in ``fmt`` (a name of ``FORMATS``) to ``stream``; the raw responses
    (``raw_rows``) go only into the workbook."""
    if fmt not in FORMATS:
        raise ValueError(f"Định dạng không hỗ trợ: {fmt}")
    if fmt == "xlsx":
        write_workbook(results, stream, raw_rows=raw_rows)
    elif raw_rows is not None:
        raise ValueError("Dữ liệu thô chỉ có trong tệp XLSX.")
    else:
        FORMATS[fmt].write(results, stream)


__all__ = ["FORMATS", "ExportFormat", "neutralise", "write_csv", "write_export", "write_report",
           "write_workbook"]
