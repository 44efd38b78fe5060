"""Input and identification: scanner PDFs, EXIF-turned photos, broken files, pages the
platform does not know, two pages in one photo, and a layout that does not fit the print."""

from __future__ import annotations

import copy
import io

import cv2
import numpy as np
import pytest
from PIL import Image

from survey_app.domain.paper.reading import (
    PageImage,
    Rejection,
    SheetContext,
    Status,
    UnreadableFile,
    image_page,
    iter_pages,
    read_file,
    read_page,
    sheet_lookup,
)
from tests.paper_reading.conftest import FIXTURES


def _gray(file: str) -> np.ndarray:
    return cv2.imread(str(FIXTURES / file), cv2.IMREAD_GRAYSCALE)


def test_a_scanner_pdf_is_read_page_by_page_as_the_same_images(images, lookup, read_image):
    files = ["clean-200-A2.jpg", "erasure-double-C1.jpg", "not-a-sheet.jpg"]
    pages = [Image.open(FIXTURES / file) for file in files]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=200.0)
    results = list(read_file(buffer.getvalue(), "lo-1.pdf", lookup, dpi=200))
    assert [(r.file, r.page) for r in results] == [("lo-1.pdf", 1), ("lo-1.pdf", 2),
                                                   ("lo-1.pdf", 3)]
    for result, file in zip(results, files, strict=True):
        direct = read_image(file)
        assert (result.status, result.serial, result.sheet_page) == \
            (direct.status, direct.serial, direct.sheet_page)
        assert result.answers() == direct.answers() and result.profile() == direct.profile()
        assert {q.code for q in result.review_questions} == \
            {q.code for q in direct.review_questions}


def test_a_photo_stored_sideways_is_turned_upright_by_its_exif_orientation(lookup, read_image):
    upright = _gray("photo-B2.jpg")
    sideways = Image.fromarray(cv2.rotate(upright, cv2.ROTATE_90_COUNTERCLOCKWISE))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display", as phones write it
    buffer = io.BytesIO()
    sideways.save(buffer, "JPEG", quality=90, exif=exif)
    page = image_page(buffer.getvalue(), "anh.jpg")
    assert page.gray.shape == upright.shape
    assert np.abs(page.gray.astype(int) - upright.astype(int)).mean() < 3
    [result] = list(read_file(buffer.getvalue(), "anh.jpg", lookup))
    assert result.answers() == read_image("photo-B2.jpg").answers()


@pytest.mark.parametrize("data, words", [
    (b"", "không phải PDF"),
    (b"GIF89a" + b"\0" * 40, "không phải PDF"),
    (b"%PDF-1.7\nnot really a pdf", "PDF bị hỏng"),
    (b"\xff\xd8\xff\xe0broken jpeg", "Ảnh bị hỏng"),
])
def test_a_file_that_cannot_be_opened_gives_one_rejected_line_with_the_reason(lookup, data,
                                                                              words):
    [result] = list(read_file(data, "x", lookup))
    assert (result.status, result.rejection, result.page) == (Status.REJECTED, Rejection.FILE, 0)
    assert result.reason.startswith(Rejection.FILE.message) and words in result.reason


def test_an_image_too_large_to_decode_is_refused_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (10_000, 9_000)).save(buffer, "PNG")  # 90 megapixels, a few kB on disk
    with pytest.raises(UnreadableFile, match="quá lớn"):
        image_page(buffer.getvalue())


def test_a_resolution_outside_what_reading_needs_is_refused():
    with pytest.raises(UnreadableFile, match="150 đến 400 dpi"):
        next(iter_pages(b"%PDF-1.7", dpi=100))


def test_a_sheet_the_platform_does_not_know_is_refused(images):
    [result] = list(read_file(images["clean-200-A2.jpg"].data, "x.jpg", lambda code: None))
    assert (result.status, result.rejection) == (Status.REJECTED, Rejection.UNKNOWN_SHEET)
    assert result.serial is None and result.code.serial == images["clean-200-A2.jpg"].sheet[
        "serial"]


def test_two_pages_in_one_photo_are_refused(lookup):
    left, right = _gray("clean-200-A2.jpg"), _gray("erasure-double-C1.jpg")
    height = min(left.shape[0], right.shape[0])
    both = np.hstack([left[:height], right[:height]])
    result = read_page(PageImage("hai-trang.jpg", 1, both), lookup)
    assert (result.status, result.rejection) == (Status.REJECTED, Rejection.SEVERAL_CODES)


def _shifted(context: SheetContext, dx: float, dy: float) -> SheetContext:
    layout = copy.deepcopy(dict(context.layout))
    for bubble in layout["bubbles"]:
        bubble["x"] += dx
        bubble["y"] += dy
    return SheetContext(context.serial, layout, context.item_codes, context.token)


@pytest.mark.parametrize("dx, dy, rejected", [(1.0, -1.0, False), (0.0, 4.5, True),
                                               (-6.0, 0.0, True)])
def test_bubbles_a_little_off_are_found_and_a_layout_that_does_not_fit_is_refused(
        contexts, images, read_image, dx, dy, rejected):
    """The marks place the page; the printed rows must then be where the layout says."""
    image = images["erasure-double-C1.jpg"]
    [context] = [c for c in contexts if c.serial == image.sheet["serial"]]
    [result] = list(read_file(image.data, "x.jpg", sheet_lookup([_shifted(context, dx, dy)])))
    if rejected:
        assert (result.status, result.rejection) == (Status.REJECTED, Rejection.ROWS)
        assert result.reason.startswith("vị trí các ô không khớp với mẫu phiếu")
    else:
        direct = read_image("erasure-double-C1.jpg")
        assert result.answers() == direct.answers()
        assert result.registration.row_shift_pt == pytest.approx(np.hypot(dx, dy), abs=0.5)


def test_a_page_of_a_sheet_printed_for_another_instrument_is_refused(contexts, images):
    image = images["clean-200-A2.jpg"]
    [context] = [c for c in contexts if c.serial == image.sheet["serial"]]
    other = SheetContext(context.serial, context.layout, ("dv1", "dv2"), context.token)
    [result] = list(read_file(image.data, "x.jpg", sheet_lookup([other])))
    assert (result.status, result.rejection) == (Status.REJECTED, Rejection.OTHER_INSTRUMENT)


def test_a_16_bit_grey_scan_is_read_like_its_8_bit_self():
    gray = _gray("clean-200-A2.jpg")
    buffer = io.BytesIO()
    Image.fromarray(gray.astype(np.uint16) * 257).save(buffer, "PNG")
    page = image_page(buffer.getvalue(), "16bit.png")
    assert np.array_equal(page.gray, gray)
