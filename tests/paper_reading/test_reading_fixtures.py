"""Decisions on the seeded fixture images (``bench/make_omr_fixtures.py``), against the marks
that were drawn: clean scans exact, refusals with their reasons, erasures and double marks to
review, a blank sheet empty, upside-down pages never misread."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from survey_app.domain.paper.reading import Decision, Rejection, Status
from survey_app.domain.paper.reading.warp import SCALE
from tests.paper_reading.conftest import FIXTURES

MANIFEST = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))


def _files(*expects: str) -> list[str]:
    return [image["file"] for image in MANIFEST["images"] if image["expect"] in expects]


def _page_codes(layout: dict, page: int) -> set[str]:
    return {b.get("item") or b["question"] for b in layout["bubbles"] if b["page"] == page}


def _layout(manifest: dict, image) -> dict:
    return manifest["batches"][image.sheet["batch"]]["layout"]


def _wrong_accepted(result, image) -> list[str]:
    """Accepted answers that differ from what was drawn (a double mark has no right answer)."""
    truths = image.sheet["truths"]
    return [q.code for q in result.questions if not q.needs_review
            and (q.value != truths[q.code]["value"] or truths[q.code]["ambiguous"])]


def test_the_fixture_set_is_all_in_the_manifest_and_small():
    files = {path.name for path in FIXTURES.glob("*.jpg")}
    assert files == {image["file"] for image in MANIFEST["images"]}
    assert sum(path.stat().st_size for path in FIXTURES.iterdir()) < 5_000_000


@pytest.mark.parametrize("file", _files("clean"))
def test_clean_scans_are_read_exactly_with_nothing_for_review(read_image, images, manifest,
                                                               file):
    image = images[file]
    result = read_image(file)
    assert (result.status, result.reason) == (Status.ACCEPTED, "")
    assert (result.serial, result.sheet_page) == (image.sheet["serial"], image.page)
    layout = _layout(manifest, image)
    drawn = {code: image.sheet["truths"][code]["value"]
             for code in _page_codes(layout, image.page)}
    assert {q.code: q.value for q in result.questions} == drawn
    assert any(value is not None for value in drawn.values())
    assert result.registration.qr_residual_pt < 1.5
    assert result.registration.rows_found == 1.0


@pytest.mark.parametrize("file", _files("read"))
def test_degraded_pages_are_read_without_error_and_only_doubtful_marks_for_review(
        read_image, images, manifest, file):
    image = images[file]
    result = read_image(file)
    assert result.status is not Status.REJECTED, result.reason
    assert (result.serial, result.sheet_page) == (image.sheet["serial"], image.page)
    assert {q.code for q in result.questions} == \
        _page_codes(_layout(manifest, image), image.page)
    assert _wrong_accepted(result, image) == []
    troubled = {q.code for q in result.questions
                if image.sheet["truths"][q.code]["style"] in ("erasure", "double", "circle")}
    assert {q.code for q in result.review_questions} == troubled


def test_an_erasure_and_a_double_mark_go_to_review_with_their_row_and_reason(read_image):
    result = read_image("erasure-double-C1.jpg")
    decisions = {q.code: q.decision for q in result.review_questions}
    assert decisions == {"tc3": Decision.ERASURE, "tt2": Decision.DOUBLE}
    assert result.status is Status.REVIEW
    assert "tc3: có ô tẩy xoá hoặc vết mờ bên cạnh ô đánh dấu" in result.reason
    assert "tt2: nhiều ô được đánh dấu" in result.reason
    assert result.answers()["tc3"] is None and result.answers()["tt2"] is None
    for question in result.questions:
        if not question.needs_review:
            assert question.crop_png is None
            continue
        crop = cv2.imdecode(np.frombuffer(question.crop_png, np.uint8), cv2.IMREAD_GRAYSCALE)
        # The row as the layout boxes it (3 pt margin each side), at the canonical scale.
        assert crop.shape == (round((question.box.h + 6) * SCALE),
                              round((question.box.w + 6) * SCALE))
    erased = next(q for q in result.questions if q.code == "tc3")
    fills = sorted((b.fill for b in erased.bubbles), reverse=True)
    assert fills[0] > 0.3 and 0.05 < fills[1] < fills[0] / 2


def test_answers_circled_instead_of_filled_go_to_review_never_read_as_blank(read_image):
    result = read_image("circled-C2.jpg")
    assert {q.code: q.decision for q in result.review_questions} == \
        {"pa2": Decision.OUTSIDE, "gender": Decision.OUTSIDE}
    assert "gender: có vết đánh dấu ngoài ô (khoanh tròn hoặc đánh bên cạnh)" in result.reason
    assert result.profile()["gender"] is None and result.answers()["pa2"] is None


def test_a_blank_sheet_reads_as_every_answer_null(read_image):
    result = read_image("blank-D1.jpg")
    assert result.status is Status.ACCEPTED
    assert result.answers() and all(value is None for value in result.answers().values())
    assert {q.decision for q in result.questions} == {Decision.BLANK}


@pytest.mark.parametrize("file", _files("reject"))
def test_pages_that_cannot_be_trusted_are_refused_with_their_vietnamese_reason(
        read_image, images, file):
    result = read_image(file)
    expected = Rejection(images[file].rejection)
    assert (result.status, result.rejection) == (Status.REJECTED, expected)
    assert result.reason.startswith(expected.message)
    assert result.questions == () and result.answers() == {}


def test_a_cut_off_corner_is_refused_with_the_issue_s_words(read_image):
    result = read_image("cropped-A1.jpg")
    assert result.reason == "không tìm thấy 4 dấu góc — chụp lại cả tờ phiếu"
    # The sheet was identified (its QR code survived), but nothing was guessed.
    assert result.serial is not None and result.questions == ()


@pytest.mark.parametrize("file", _files("read-or-reject"))
def test_upside_down_pages_are_read_correctly_or_refused_never_misread(read_image, images,
                                                                       file):
    result = read_image(file)
    if result.status is Status.REJECTED:
        return
    image = images[file]
    assert (result.serial, result.sheet_page) == (image.sheet["serial"], image.page)
    assert _wrong_accepted(result, image) == []
    assert len(result.review_questions) <= 1


def test_the_comment_box_comes_as_an_image_with_whether_something_is_written(
        read_image, images, manifest):
    seen = 0
    for file in _files("clean", "read"):
        image, result = images[file], read_image(file)
        comment = _layout(manifest, image)["comment"]
        if comment["page"] != image.page:
            assert result.comment_png is None
            continue
        seen += 1
        assert result.comment_has_ink is image.sheet["comment_written"]
        crop = cv2.imdecode(np.frombuffer(result.comment_png, np.uint8), cv2.IMREAD_GRAYSCALE)
        assert crop.shape == (round((comment["h"] + 6) * SCALE),
                              round((comment["w"] + 6) * SCALE))
    assert seen >= 2


def test_the_cli_line_has_the_shape_the_issue_gives(read_image, images):
    for file in ("clean-300-A1.jpg", "clean-200-A2.jpg", "erasure-double-C1.jpg",
                 "not-a-sheet.jpg"):
        line = json.loads(json.dumps(read_image(file).to_json(), ensure_ascii=False))
        assert {"file", "page", "serial", "status", "reason", "answers",
                "profile"} <= set(line)
        assert line["status"] in ("accepted", "review", "rejected")
        assert all(v in (1, 2, 3, 4, 5, "NA", None) for v in line["answers"].values())
    truths = images["clean-300-A1.jpg"].sheet["truths"]
    accepted = read_image("clean-300-A1.jpg").to_json()
    assert (accepted["file"], accepted["page"]) == ("clean-300-A1.jpg", 1)
    for code, value in accepted["answers"].items():
        drawn = truths[code]["value"]
        assert value == ("NA" if drawn == 0 else drawn), code
    profile = read_image("clean-200-A2.jpg").to_json()["profile"]
    assert set(profile) == {"respondent_type", "field", "gender", "age_band", "submission_mode"}
    assert profile == {code: truths[code]["value"] for code in profile}
