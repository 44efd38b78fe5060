"""Downloads of computed results: XLSX for the PAR scoring, CSV, PDF report, raw responses.

Writers take the result dict (docs/results-json.md) and a binary stream, never the database;
only ``raw_responses`` reads rows, streamed in batches.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from .safety import neutralise

#: The writers, imported when first used (openpyxl, reportlab: not at the app's start-up).
_WRITERS = {"write_csv": "csv_export", "write_report": "pdf_report",
            "write_workbook": "xlsx"}


def __getattr__(name: str) -> Any:
    if name not in _WRITERS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WRITERS[name]}", __name__), name)

#: format → (MIME type, file extension)
FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "pdf": ("application/pdf", "pdf"),
}


def write_export(results: Mapping[str, Any], fmt: str, stream: IO[bytes],
                 raw_rows: Iterable[Sequence[Any]] | None = None) -> None:
    """Write ``results`` in ``fmt`` (xlsx, csv or pdf) to ``stream``."""
    if fmt == "xlsx":
        from .xlsx import write_workbook

        write_workbook(results, stream, raw_rows=raw_rows)
    elif fmt == "csv":
        from .csv_export import write_csv

        write_csv(results, stream)
    elif fmt == "pdf":
        from .pdf_report import write_report

        write_report(results, stream)
    else:
        raise ValueError(f"Định dạng không hỗ trợ: {fmt}")


__all__ = ["FORMATS", "neutralise", "write_csv", "write_export", "write_report",
           "write_workbook"]
