"""Finding the children a new registration may duplicate: the pure ranking with literal
inputs, then the database pre-selection around it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest

from cleftmission.factories import GuardianFactory, PatientFactory
from cleftmission.patients.duplicates import Candidate, Identity, name_similarity, rank, score
from cleftmission.patients.matching import find_duplicates, identity_from, reason_text
from cleftmission.patients.models import Patient

AN = Identity(
    family_name="Nguyễn",
    middle_name="Văn",
    given_name="An",
    date_of_birth=dt.date(2024, 3, 4),
    sex="M",
    province="Hà Nội",
    phones=frozenset({"84912345678"}),
)


def reasons(a: Identity, b: Identity, **kwargs: Any) -> list[str]:
    return [str(r) for r in score(a, b, **kwargs)[1]]


def test_the_same_name_without_diacritics_and_birthday_is_a_strong_match() -> None:
    typed = replace(AN, family_name="Nguyen", middle_name="Van", province="Ha Noi", phones=frozenset())
    points, why = score(typed, AN)
    assert [str(r) for r in why] == ["same name without diacritics", "same date of birth", "same province"]
    assert points >= 70


def test_a_name_typed_with_the_same_diacritics_is_the_same_name() -> None:
    assert reasons(replace(AN, given_name="an", phones=frozenset()), AN)[0] == "same name"


def test_d_with_stroke_and_plain_d_are_the_same_name() -> None:
    dang = replace(AN, family_name="Đặng")
    assert reasons(replace(dang, family_name="Dang"), dang)[0] == "same name without diacritics"


def test_a_different_child_with_the_same_name_born_five_years_apart_is_not_proposed() -> None:
    namesake = Candidate(key=2, identity=replace(AN, date_of_birth=dt.date(2019, 3, 4), phones=frozenset()))
    typed = replace(AN, phones=frozenset())
    assert rank(typed, [namesake]) == []
    points, why = score(typed, namesake.identity)
    assert points < 35
    assert "date of birth about 5 years apart" in [str(r) for r in why]


def test_the_namesake_ranks_below_the_same_child_when_every_candidate_is_shown() -> None:
    same = Candidate(key=1, identity=replace(AN, date_of_birth=dt.date(2024, 3, 6)))
    namesake = Candidate(key=2, identity=replace(AN, date_of_birth=dt.date(2019, 3, 4), phones=frozenset()))
    ranked = rank(AN, [namesake, same], min_score=0)
    assert [m.key for m in ranked] == [1, 2]


def test_a_guardian_phone_alone_ranks_high() -> None:
    nickname = Identity(
        family_name="Lê",
        given_name="Tí",
        date_of_birth=dt.date(2023, 9, 1),
        sex="M",
        province="Thừa Thiên Huế",
        phones=frozenset({"84912345678"}),
    )
    similar_name_only = Candidate(key=1, identity=replace(AN, given_name="Anh", date_of_birth=None, phones=frozenset()))
    ranked = rank(AN, [similar_name_only, Candidate(key=2, identity=nickname)])
    assert ranked[0].key == 2
    assert [str(r) for r in ranked[0].reasons] == ["same guardian phone"]
    assert ranked[0].score >= 45


def test_a_date_of_birth_within_the_tolerance_counts_with_its_distance() -> None:
    three_days = replace(AN, date_of_birth=dt.date(2024, 3, 7))
    assert "date of birth 3 days apart" in reasons(AN, three_days)
    six_weeks = replace(AN, date_of_birth=dt.date(2024, 4, 15))
    assert not any("date of birth" in r for r in reasons(AN, six_weeks))
    assert "date of birth 42 days apart" in reasons(AN, six_weeks, tolerance_days=60)


def test_the_nearer_birthday_scores_higher() -> None:
    near = score(AN, replace(AN, date_of_birth=dt.date(2024, 3, 5)))[0]
    far = score(replace(AN, phones=frozenset()), replace(AN, date_of_birth=dt.date(2024, 3, 30)))[0]
    assert near > far


def test_day_and_month_swapped_counts_as_the_same_birthday_written_wrong() -> None:
    assert "date of birth with day and month swapped" in reasons(AN, replace(AN, date_of_birth=dt.date(2024, 4, 3)))


def test_a_similar_name_says_how_similar() -> None:
    assert reasons(AN, replace(AN, given_name="Anh"))[0] == "similar name (88%)"


def test_a_different_given_name_is_not_a_similar_name_however_common_the_family_name() -> None:
    binh = replace(AN, given_name="Bình", phones=frozenset())
    assert name_similarity(AN, binh) < 80
    assert rank(AN, [Candidate(key=1, identity=replace(binh, date_of_birth=dt.date(2022, 1, 1)))]) == []


def test_a_different_family_name_is_not_a_similar_name() -> None:
    assert name_similarity(AN, replace(AN, family_name="Trần")) < 80


def test_a_missing_middle_name_is_similar_not_different() -> None:
    assert reasons(AN, replace(AN, middle_name=""))[0] == "similar name (95%)"


def test_names_typed_in_the_wrong_boxes_are_similar() -> None:
    swapped = replace(AN, family_name="An", given_name="Nguyễn")
    assert name_similarity(AN, swapped) >= 95


def test_the_other_sex_counts_against_and_says_so() -> None:
    boy = replace(AN, phones=frozenset())
    girl = replace(boy, sex="F")
    assert score(boy, girl)[0] < score(boy, boy)[0]
    assert "other sex" in reasons(boy, girl)


def test_a_shared_birthday_and_province_alone_are_no_match() -> None:
    lan = Identity(family_name="Phạm", middle_name="Thị", given_name="Lan", date_of_birth=AN.date_of_birth, sex="M")
    assert rank(replace(lan, province="Hà Nội"), [Candidate(key=1, identity=AN)]) == []


def test_nothing_typed_matches_nobody() -> None:
    assert rank(Identity(), [Candidate(key=1, identity=AN)]) == []


def test_the_best_matches_come_first_up_to_the_limit() -> None:
    candidates = [
        Candidate(key=k, identity=replace(AN, date_of_birth=dt.date(2024, 3, 4) + dt.timedelta(days=k)))
        for k in range(1, 16)
    ]
    ranked = rank(replace(AN, phones=frozenset()), reversed(candidates), limit=5)
    assert [m.key for m in ranked] == [1, 2, 3, 4, 5]
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)


def test_the_ranking_module_needs_no_django() -> None:
    code = "import sys, cleftmission.patients.duplicates; print(any(m.startswith('django') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# The database pre-selection --------------------------------------------------------------


@pytest.fixture
def known(db: None) -> Patient:
    patient: Any = PatientFactory(
        family_name="Nguyễn", middle_name="Văn", given_name="An", date_of_birth=dt.date(2024, 3, 4)
    )
    GuardianFactory(patient=patient, phone="+84912345678")
    return patient


def found(typed: dict[str, Any], phones: list[str] | None = None) -> list[Patient]:
    identity = identity_from(typed, phones or [])
    return [d.patient for d in find_duplicates(among=Patient.objects.all(), identity=identity)]


def test_the_known_child_is_found_by_name_and_a_near_birthday(known: Patient) -> None:
    PatientFactory(family_name="Trần", given_name="Bình", date_of_birth=dt.date(2024, 3, 5))
    typed = {"family_name": "Nguyen", "middle_name": "Van", "given_name": "An", "date_of_birth": "06/03/2024"}
    assert found(typed) == [known]


def test_the_known_child_is_found_by_the_guardian_phone_typed_any_usual_way(known: Patient) -> None:
    assert found({"family_name": "Lê", "given_name": "Tí"}, ["0912 345 678"]) == [known]


def test_the_known_child_is_found_by_name_when_the_birthday_is_months_off(known: Patient) -> None:
    typed = {"family_name": "Nguyễn", "middle_name": "Văn", "given_name": "An", "date_of_birth": "2024-08-04"}
    assert found(typed) == [known]


def test_a_half_typed_date_is_left_out_rather_than_refused(known: Patient) -> None:
    assert found({"family_name": "Nguyen", "given_name": "An", "date_of_birth": "04/03/20"}) == [known]


def test_a_merged_record_is_never_proposed(known: Patient) -> None:
    survivor = PatientFactory()
    Patient.objects.filter(pk=known.pk).update(merged_into=survivor)
    assert found({"family_name": "Nguyen", "given_name": "An", "date_of_birth": "04/03/2024"}) == []


def test_nothing_typed_reads_nothing(known: Patient, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert found({}) == []


def test_ranking_reads_the_children_and_their_phones_in_two_queries(
    known: Patient, django_assert_num_queries: Any
) -> None:
    for n in range(10):
        other = PatientFactory(given_name=f"Anh{n}", date_of_birth=dt.date(2024, 3, 1 + n))
        GuardianFactory(patient=other, phone=f"+8491234560{n}")
    typed = {"family_name": "Nguyen", "given_name": "An", "date_of_birth": "04/03/2024"}
    with django_assert_num_queries(2):
        assert found(typed, ["0912345678"])[0] == known


def test_reasons_are_said_in_the_readers_language(known: Patient) -> None:
    from django.utils import translation

    duplicate = find_duplicates(
        among=Patient.objects.all(), identity=identity_from({"family_name": "Nguyen", "given_name": "An"}, [])
    )[0]
    with translation.override("en"):
        assert [text for text, _against in duplicate.reasons] == ["similar name (95%)"]
    assert reason_text(duplicate.match.reasons[0])
