"""Reading paper sheets by machine: scans and phone photos in, answers out.

A pure library: plain data in (file bytes or grey images, a batch's stored layout, the
instrument's item codes), dataclasses out; no Flask, no database. ``read_file`` reads every
page of a PDF, JPEG or PNG file; ``read_page`` one page already loaded. Each page is
identified by its QR code, registered through its four corner marks (or refused with a
Vietnamese reason), and every question decided from the page's own empty bubbles.
"""

from .load import DEFAULT_DPI, PageImage, UnreadableFile, image_page, iter_pages
from .marks import DEFAULT_THRESHOLDS, Thresholds
from .read import Lookup, SheetContext, read_file, read_page, sheet_lookup
from .reasons import PageRefused, Rejection
from .register import parse_sheet_code
from .results import (
    BubbleReading,
    BubbleState,
    Decision,
    PageResult,
    QuestionReading,
    Registration,
    SheetCode,
    Status,
)

__all__ = [
    "DEFAULT_DPI", "DEFAULT_THRESHOLDS", "BubbleReading", "BubbleState", "Decision", "Lookup",
    "PageImage", "PageRefused", "PageResult", "QuestionReading", "Registration", "Rejection",
    "SheetCode", "SheetContext", "Status", "Thresholds", "UnreadableFile", "image_page",
    "iter_pages", "parse_sheet_code", "read_file", "read_page", "sheet_lookup",
]
