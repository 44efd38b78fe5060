"""Pages out of files: PDF pages rendered by pdfium, JPEG/PNG scans and phone photos.

Every page comes out as an 8-bit grey image; colour carries nothing the reader uses (blue and
red pens are dark in grey too) and one channel is a third of the work.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageOps

#: The resolution PDF pages are rendered at unless asked otherwise.
DEFAULT_DPI = 200
#: Below this a bubble is too few pixels to measure (the issue asks for ≥ 150 dpi).
MIN_DPI = 150
MAX_DPI = 400
#: Larger images are shrunk: a 12-megapixel photo holds more than the reader needs and
#: would only cost time. 4,000 px on the long side is about 340 dpi for an A4 page.
MAX_SIDE = 4000
#: Refused outright: decoding would take too much memory (a decompression bomb).
MAX_PIXELS = 80_000_000
MAX_PDF_PAGES = 2000


class UnreadableFile(ValueError):
    """A file that holds no page the reader can open; the message is for staff."""


@dataclass(frozen=True)
class PageImage:
    """One page of one file, as a grey image (rows × columns, uint8)."""

    source: str
    index: int  # 1-based page number in the file
    gray: np.ndarray
    dpi: float | None = None


def kind_of(data: bytes) -> str | None:
    """``"pdf"``, ``"jpeg"``, ``"png"`` from the file's first bytes, or None."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def iter_pages(data: bytes, source: str = "", *, dpi: int = DEFAULT_DPI) -> Iterator[PageImage]:
    """The pages of a PDF, JPEG or PNG file, one at a time (a long PDF is never all in memory).

    Raises
    ------
    UnreadableFile
        The file is not a PDF/JPEG/PNG, is damaged, or is too large.
    """
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise UnreadableFile(f"Độ phân giải phải từ {MIN_DPI} đến {MAX_DPI} dpi.")
    kind = kind_of(data)
    if kind == "pdf":
        yield from _pdf_pages(data, source, dpi)
    elif kind in ("jpeg", "png"):
        yield image_page(data, source)
    else:
        raise UnreadableFile("Tệp không phải PDF, JPEG hay PNG.")


def _pdf_pages(data: bytes, source: str, dpi: int) -> Iterator[PageImage]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise UnreadableFile("Tệp PDF bị hỏng hoặc có mật khẩu.") from error
    try:
        if len(document) > MAX_PDF_PAGES:
            raise UnreadableFile(f"Tệp PDF có hơn {MAX_PDF_PAGES} trang.")
        for number in range(len(document)):
            page = document[number]
            try:
                width, height = page.get_size()
                # A page bigger than A3 (or a scanner's odd page size) is rendered smaller
                # rather than refused: what counts is that the sheet is on it.
                scale = min(dpi / 72, MAX_SIDE / max(width, height, 1.0))
                bitmap = page.render(scale=scale, grayscale=True)
                pixels = bitmap.to_numpy()
                gray = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
                yield PageImage(source, number + 1, np.ascontiguousarray(gray), scale * 72)
            finally:
                page.close()
    finally:
        document.close()


def image_page(data: bytes, source: str = "") -> PageImage:
    """One JPEG or PNG image: turned upright by its EXIF orientation, grey, at most MAX_SIDE."""
    try:
        with warnings.catch_warnings():
            # Pillow warns about large images; the size is checked here instead.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise UnreadableFile("Ảnh quá lớn (hơn 80 triệu điểm ảnh).")
            # Phones store a photo as the sensor saw it and say in EXIF how to turn it.
            image = ImageOps.exif_transpose(image)
            dpi = image.info.get("dpi", (None,))[0]
            gray = _grey(image)
    except UnreadableFile:
        raise
    except Image.DecompressionBombError as error:
        raise UnreadableFile("Ảnh quá lớn (hơn 80 triệu điểm ảnh).") from error
    except Exception as error:  # whatever the decoder trips on, the file is damaged
        raise UnreadableFile("Ảnh bị hỏng, không mở được.") from error
    side = max(gray.shape)
    if side > MAX_SIDE:
        factor = MAX_SIDE / side
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        dpi = dpi * factor if dpi else None
    return PageImage(source, 1, np.ascontiguousarray(gray), float(dpi) if dpi else None)


def _grey(image: Image.Image) -> np.ndarray:
    """8-bit grey pixels; 16-bit scans are scaled down (Pillow's own conversion clips them)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(image, dtype=np.uint32)
        return (np.clip(wide, 0, 65535) // 257).astype(np.uint8)
    return np.asarray(image.convert("L"))
