"""Downloads of computed results: XLSX for the PAR scoring, CSV, PDF report, raw responses.

Writers take the result dict (docs/results-json.md) and a binary stream, never the database;
only ``raw_responses`` reads rows, streamed in batches. The writers (openpyxl, ReportLab) are
imported when first used, not at the app's start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from .safety import neutralise

#: The writers by name → the module defining them, imported on first use.
_WRITERS = {"write_csv": "csv_export", "write_report": "pdf_report",
            "write_workbook": "xlsx"}


def __getattr__(name: str) -> Any:
    if name not in _WRITERS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WRITERS[name]}", __name__), name)


@dataclass(frozen=True)
class ExportFormat:
    """One download format of the results: its writer and how the file is served."""

    name: str
    label: str
    mimetype: str
    extension: str
    writer: str  # a name of ``_WRITERS``

    @property
    def write(self) -> Callable[[Mapping[str, Any], IO[bytes]], None]:
        return __getattr__(self.writer)


#: Every download format, in the order they are offered (the web, the CLI, approval).
FORMATS: dict[str, ExportFormat] = {fmt.name: fmt for fmt in (
    ExportFormat("xlsx", "Bảng tính Excel (XLSX)",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                 "write_workbook"),
    ExportFormat("csv", "Tệp CSV", "text/csv; charset=utf-8", "csv", "write_csv"),
    ExportFormat("pdf", "Báo cáo PDF", "application/pdf", "pdf", "write_report"),
)}


def write_export(results: Mapping[str, Any], fmt: str, stream: IO[bytes],
                 raw_rows: Iterable[Sequence[Any]] | None = None) -> None:
    """Write ``results`` in ``fmt`` (a name of ``FORMATS``) to ``stream``; the raw responses
    (``raw_rows``) go only into the workbook."""
    if fmt not in FORMATS:
        raise ValueError(f"Định dạng không hỗ trợ: {fmt}")
    if fmt == "xlsx":
        __getattr__("write_workbook")(results, stream, raw_rows=raw_rows)
    elif raw_rows is not None:
        raise ValueError("Dữ liệu thô chỉ có trong tệp XLSX.")
    else:
        FORMATS[fmt].write(results, stream)


__all__ = ["FORMATS", "ExportFormat", "neutralise", "write_csv", "write_export", "write_report",
           "write_workbook"]
