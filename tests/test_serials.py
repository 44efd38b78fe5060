"""Sheet serials catch the typing mistakes people make."""

from __future__ import annotations

import pytest

from survey_app.domain.paper.serials import (
    damm_digit,
    display_serial,
    is_valid_serial,
    new_serial,
    normalise_serial,
)


def test_damm_check_digit_matches_the_published_example():
    # Worked example of the Damm algorithm (Wikipedia, "Damm algorithm"): 572 → 4.
    assert damm_digit("572") == "4"
    assert is_valid_serial("00005724")


def test_new_serials_validate_and_read_well():
    serials = {new_serial() for _ in range(200)}
    assert len(serials) > 190
    assert all(is_valid_serial(serial) for serial in serials)
    assert display_serial("12345678") == "1234-5678"
    assert normalise_serial(" 1234-5678 ") == "12345678"


@pytest.mark.parametrize("position", range(8))
def test_every_single_digit_typo_is_caught(position):
    serial = new_serial()
    for wrong in "0123456789":
        if wrong != serial[position]:
            typo = serial[:position] + wrong + serial[position + 1:]
            assert not is_valid_serial(typo)


def test_every_swap_of_neighbouring_digits_is_caught():
    for _ in range(200):
        serial = new_serial()
        for i in range(7):
            if serial[i] != serial[i + 1]:
                swapped = serial[:i] + serial[i + 1] + serial[i] + serial[i + 2:]
                assert not is_valid_serial(swapped)


@pytest.mark.parametrize("text", ["", "1234567", "123456789", "1234567a", "１２３４５６７８"])
def test_malformed_serials_are_refused(text):
    assert not is_valid_serial(text)
