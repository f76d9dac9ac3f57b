"""LAHSHAL (Kriens) parsing: the pure module, literal codes in, diagnosis out."""

from __future__ import annotations

import pytest

from cleftmission.patients.lahshal import Diagnosis, LahshalError, parse, validate


def test_a_complete_bilateral_cleft_lip_and_palate_is_clap_veau_iv_q37() -> None:
    assert parse("LAHSHAL") == Diagnosis(code="LAHSHAL", group="CLAP", laterality="bilateral", veau="IV", icd10="Q37")


def test_a_complete_right_cleft_lip_alone_has_no_veau_class() -> None:
    assert parse("L......") == Diagnosis(code="L......", group="CL", laterality="right", veau=None, icd10="Q36")


def test_a_lip_cleft_in_the_last_position_is_on_the_left() -> None:
    diagnosis = parse("......L")
    assert (diagnosis.group, diagnosis.laterality, diagnosis.veau, diagnosis.icd10) == ("CL", "left", None, "Q36")


def test_a_cleft_of_the_soft_palate_only_is_cp_veau_i_q35() -> None:
    assert parse("...S...") == Diagnosis(code="...S...", group="CP", laterality="midline", veau="I", icd10="Q35")


def test_a_cleft_of_the_hard_and_soft_palate_is_veau_ii() -> None:
    diagnosis = parse("..HSH..")
    assert (diagnosis.group, diagnosis.veau, diagnosis.icd10) == ("CP", "II", "Q35")


@pytest.mark.parametrize("code", ["L.HSH..", "LAHSH.."])
def test_a_unilateral_cleft_of_lip_and_palate_is_veau_iii_on_the_right(code: str) -> None:
    diagnosis = parse(code)
    assert (diagnosis.group, diagnosis.laterality, diagnosis.veau, diagnosis.icd10) == ("CLAP", "right", "III", "Q37")


def test_a_left_unilateral_cleft_of_lip_and_palate_is_veau_iii_on_the_left() -> None:
    diagnosis = parse("..HSHAL")
    assert (diagnosis.group, diagnosis.laterality, diagnosis.veau) == ("CLAP", "left", "III")


def test_a_cleft_of_lip_and_alveolus_without_palate_is_cla_with_no_veau_class() -> None:
    diagnosis = parse("LA.....")
    assert (diagnosis.group, diagnosis.laterality, diagnosis.veau, diagnosis.icd10) == ("CLA", "right", None, "Q36")


def test_a_bilateral_cleft_lip_without_palate_is_bilateral_cl() -> None:
    diagnosis = parse("L.....L")
    assert (diagnosis.group, diagnosis.laterality, diagnosis.veau, diagnosis.icd10) == ("CL", "bilateral", None, "Q36")


@pytest.mark.parametrize(
    ("code", "group", "laterality", "veau", "icd10"),
    [
        ("l......", "CL", "right", None, "Q36"),
        ("......l", "CL", "left", None, "Q36"),
        ("la.....", "CLA", "right", None, "Q36"),
        ("...s...", "CP", "midline", "I", "Q35"),
        ("..hsh..", "CP", "midline", "II", "Q35"),
        ("lAHSH..", "CLAP", "right", "III", "Q37"),
    ],
)
def test_small_letters_are_incomplete_clefts_of_the_same_parts(
    code: str, group: str, laterality: str, veau: str | None, icd10: str
) -> None:
    assert parse(code) == Diagnosis(code=code, group=group, laterality=laterality, veau=veau, icd10=icd10)


def test_the_code_is_kept_as_written_so_complete_and_incomplete_stay_distinct() -> None:
    assert parse("l......").code == "l......"
    assert parse("L......").code == "L......"
    assert validate("lahshal") == "lahshal"


@pytest.mark.parametrize(("code", "length"), [("", 0), ("LAHSHA", 6), ("LAHSHALL", 8), ("L", 1)])
def test_a_code_without_seven_positions_is_refused_with_its_length(code: str, length: int) -> None:
    with pytest.raises(LahshalError, match=rf"7 positions, not {length}"):
        parse(code)


@pytest.mark.parametrize(
    ("code", "position"),
    [
        ("XAHSHAL", 1),  # not a LAHSHAL letter at all
        ("A......", 1),  # alveolus where the right lip belongs
        ("..S....", 3),  # soft palate where the right hard palate belongs
        ("...H...", 4),
        ("......A", 7),
        ("L-.....", 2),  # only '.' means "no cleft"
        ("L .....", 2),
    ],
)
def test_a_wrong_letter_is_refused_naming_its_position(code: str, position: int) -> None:
    with pytest.raises(LahshalError, match=rf"^Position {position} must be"):
        validate(code)


def test_a_code_with_no_cleft_at_all_is_refused() -> None:
    with pytest.raises(LahshalError, match="at least one cleft"):
        parse(".......")


def test_the_error_is_a_value_error_so_callers_can_catch_bad_input_generally() -> None:
    with pytest.raises(ValueError, match="7 positions"):
        parse("LAH")
