"""Validation of a whole worker input (models.worker_input.validate), without a database."""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any

import pytest

from models import worker_input as wi
from models.enums import EmployerType, Gender, JobSector, PlacementScheme
from models.errors import FieldProblem, Problems, ValidationFailed
from models.synthetic import make_nik

TODAY = date(2026, 3, 14)
BORN = date(1995, 3, 14)
NIK_F = make_nik(random.Random(1), BORN, Gender.FEMALE, province="35", serial=9001)
NIK_M = make_nik(random.Random(1), BORN, Gender.MALE, province="35", serial=9001)
HONG_KONG = wi.Current("HK", "Kowloon", date(2026, 1, 1), date(2027, 12, 31))
MALAYSIA = wi.Current("MY", "Sabah", date(2026, 1, 1), date(2027, 12, 31))


def registration(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "nik": NIK_F,
        "fullName": "Siti Rahmawati",
        "birthDate": BORN.isoformat(),
        "gender": "FEMALE",
        "destinationCountry": "HK",
        "jobSector": "DOMESTIC_WORKER",
        "placementScheme": "PRIVATE_AGENCY",
    }
    data.update(overrides)
    return data


def problems_of(raw: dict[str, Any], current: wi.Current | None = None) -> list[FieldProblem]:
    with pytest.raises(ValidationFailed) as info:
        wi.validate(raw, today=TODAY, current=current)
    return list(info.value.problems)


def pairs(problems: list[FieldProblem]) -> set[tuple[str, str]]:
    return {(p.field, p.rule) for p in problems}


# --- registration ------------------------------------------------------------------------------


def test_valid_registration_returns_normalised_values_under_column_names() -> None:
    out = wi.validate(
        registration(
            nik=" " + NIK_F + " ",
            fullName="  Siti   Rahmawati ",
            birthPlace="Malang",
            passportNumber="ab1234567",
            familyCardNumber="3507 9101 0101 9001",
            phone="+62 812-3456-7890",
            destinationCountry="my",
            destinationRegion="sabah",
            employerName="Ladang Sawit Sdn Bhd",
            employerType="COMPANY",
            jobSector="PLANTATION",
            contractStart="2026-01-01",
            contractEnd=date(2027, 12, 31),
            heirs=[{"fullName": "Budi", "relation": "SPOUSE_OR_CHILD", "phone": "+6281234567"}],
            externalIds={"siskop2miId": "SKP-1", "kpjNumber": "12345678"},
        ),
        today=TODAY,
    )
    assert out == {
        "nik": NIK_F,
        "full_name": "Siti Rahmawati",
        "birth_date": BORN,
        "gender": Gender.FEMALE,
        "birth_place": "Malang",
        "passport": "AB1234567",
        "family_card": "3507910101019001",
        "phone": "+6281234567890",
        "destination_country": "MY",
        "destination_region": "Sabah",
        "employer_name": "Ladang Sawit Sdn Bhd",
        "employer_type": EmployerType.COMPANY,
        "job_sector": JobSector.PLANTATION,
        "placement_scheme": PlacementScheme.PRIVATE_AGENCY,
        "contract_start": date(2026, 1, 1),
        "contract_end": date(2027, 12, 31),
        "heirs": [{"fullName": "Budi", "relation": "SPOUSE_OR_CHILD", "phone": "+6281234567"}],
        "siskop2mi_id": "SKP-1",
        "kpj_number": "12345678",
    }


def test_minimal_registration_has_only_the_required_columns() -> None:
    out = wi.validate(registration(), today=TODAY)
    assert set(out) == {wi.COLUMN_OF[name] for name in wi.REQUIRED_FOR_REGISTRATION}


def test_all_missing_required_fields_are_reported_at_once() -> None:
    problems = problems_of({})
    assert [(p.field, p.rule) for p in problems] == [
        (name, "required") for name in wi.REQUIRED_FOR_REGISTRATION
    ]


@pytest.mark.parametrize("missing", wi.REQUIRED_FOR_REGISTRATION)
def test_each_required_field_missing_or_null_is_one_required_problem(missing: str) -> None:
    for raw in (registration(**{missing: None}),
                {k: v for k, v in registration().items() if k != missing}):
        assert [(p.field, p.rule) for p in problems_of(raw)] == [(missing, "required")]


def test_several_problems_are_reported_together_with_the_first_as_headline() -> None:
    with pytest.raises(ValidationFailed) as info:
        wi.validate(
            registration(fullName="R2D2", phone="0812", destinationCountry="XX",
                         passportNumber="12", jobSector="FARMER"),
            today=TODAY,
        )
    problems = list(info.value.problems)
    assert pairs(problems) == {
        ("fullName", "name_characters"),
        ("phone", "e164"),
        ("destinationCountry", "iso3166_alpha2"),
        ("passportNumber", "passport_format"),
        ("jobSector", "enum"),
    }
    assert info.value.message == problems[0].message


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"nik": NIK_M}, ("nik", "nik_gender_mismatch")),
        ({"gender": "MALE"}, ("nik", "nik_gender_mismatch")),
        ({"birthDate": "1995-03-15"}, ("nik", "nik_birth_date_mismatch")),
        ({"nik": "3501"}, ("nik", "nik_format")),
        ({"destinationCountry": "ID"}, ("destinationCountry", "abroad")),
        ({"gender": "female"}, ("gender", "enum")),
        ({"placementScheme": "G2G"}, ("placementScheme", "enum")),
        ({"employerType": "FAMILY"}, ("employerType", "enum")),
        ({"birthDate": "14/03/1995"}, ("birthDate", "date")),
        ({"birthDate": "19950314"}, ("birthDate", "date")),
        ({"birthDate": datetime(1995, 3, 14, 8, 0)}, ("birthDate", "date")),
        ({"birthDate": "2010-01-01"}, ("birthDate", "age_range")),
        ({"birthPlace": "x" * 101}, ("birthPlace", "length")),
        ({"employerName": " "}, ("employerName", "length")),
        ({"familyCardNumber": "123"}, ("familyCardNumber", "kk_format")),
        ({"destinationCountry": "MY", "destinationRegion": "Johor"},
         ("destinationRegion", "malaysian_region")),
    ],
)
def test_a_broken_field_is_reported_with_its_rule(
    overrides: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert pairs(problems_of(registration(**overrides))) == {expected}


def test_nik_agreement_is_not_checked_against_a_birth_date_that_is_itself_invalid() -> None:
    assert pairs(problems_of(registration(birthDate="2015-03-14"))) == {
        ("birthDate", "age_range")
    }


def test_identifier_values_never_appear_in_problem_messages() -> None:
    nik, passport, kk = NIK_M, "1234567AB", "35079101010190"
    problems = problems_of(
        registration(nik=nik, passportNumber=passport, familyCardNumber=kk,
                     heirs=[{"fullName": "Budi", "relation": "SIBLING", "phone": nik}])
    )
    assert {p.field for p in problems} == {"nik", "passportNumber", "familyCardNumber",
                                           "heirs[0].phone"}
    for p in problems:
        for value in (nik, passport, kk):
            assert value not in p.message


# --- update -----------------------------------------------------------------------------------


def test_update_returns_only_the_given_fields() -> None:
    out = wi.validate({"phone": "+85291234567", "employerName": "Mrs Chan"}, today=TODAY,
                      current=HONG_KONG)
    assert out == {"phone": "+85291234567", "employer_name": "Mrs Chan"}


def test_update_needs_no_required_field() -> None:
    assert wi.validate({}, today=TODAY, current=HONG_KONG) == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [("nik", NIK_F), ("fullName", "Siti"), ("birthDate", "1995-03-14"), ("gender", "MALE"),
     ("nik", "not-a-nik"), ("status", "ACTIVE")],
)
def test_update_refuses_fields_that_are_not_updatable_once_each(field: str, value: Any) -> None:
    problems = problems_of({field: value, "phone": "+85291234567"}, HONG_KONG)
    assert [(p.field, p.rule) for p in problems] == [(field, "not_updatable")]


def test_update_reports_every_non_updatable_field() -> None:
    problems = problems_of(
        {"nik": NIK_F, "fullName": "Siti", "birthDate": "1995-03-14", "gender": "FEMALE"},
        HONG_KONG,
    )
    assert pairs(problems) == {
        ("nik", "not_updatable"), ("fullName", "not_updatable"),
        ("birthDate", "not_updatable"), ("gender", "not_updatable"),
    }


def test_changing_destination_country_clears_the_stale_region() -> None:
    out = wi.validate({"destinationCountry": "tw"}, today=TODAY, current=HONG_KONG)
    assert out == {"destination_country": "TW", "destination_region": None}


def test_restating_the_same_destination_country_keeps_the_region() -> None:
    out = wi.validate({"destinationCountry": "hk"}, today=TODAY, current=HONG_KONG)
    assert out == {"destination_country": "HK"}


def test_changing_country_with_a_new_region_validates_the_region_for_the_new_country() -> None:
    out = wi.validate({"destinationCountry": "MY", "destinationRegion": "sarawak"},
                      today=TODAY, current=HONG_KONG)
    assert out == {"destination_country": "MY", "destination_region": "Sarawak"}
    problems = problems_of({"destinationCountry": "MY", "destinationRegion": "Kowloon"},
                           HONG_KONG)
    assert pairs(problems) == {("destinationRegion", "malaysian_region")}


def test_region_alone_is_checked_against_the_country_on_record() -> None:
    assert wi.validate({"destinationRegion": "PENINSULAR"}, today=TODAY, current=MALAYSIA) == {
        "destination_region": "Peninsular"
    }
    assert pairs(problems_of({"destinationRegion": "Johor"}, MALAYSIA)) == {
        ("destinationRegion", "malaysian_region")
    }


# --- contract dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "missing"),
    [({"contractStart": "2026-01-01"}, "contractEnd"),
     ({"contractEnd": "2027-12-31"}, "contractStart")],
)
def test_registration_needs_both_contract_dates_or_neither(
    given: dict[str, str], missing: str
) -> None:
    assert pairs(problems_of(registration(**given))) == {(missing, "contract_pair")}


def test_update_may_change_one_contract_date_against_the_one_on_record() -> None:
    out = wi.validate({"contractEnd": "2028-06-30"}, today=TODAY, current=HONG_KONG)
    assert out == {"contract_end": date(2028, 6, 30)}


@pytest.mark.parametrize(
    ("start", "end"), [("2026-01-01", "2026-01-01"), ("2026-01-01", "2025-12-31")]
)
def test_contract_end_on_or_before_start_is_refused(start: str, end: str) -> None:
    problems = problems_of(registration(contractStart=start, contractEnd=end))
    assert pairs(problems) == {("contractEnd", "after_start")}


def test_update_moving_start_past_the_recorded_end_is_refused() -> None:
    problems = problems_of({"contractStart": "2028-01-01"}, HONG_KONG)
    assert pairs(problems) == {("contractEnd", "after_start")}


@pytest.mark.parametrize("end", ["2035-12-31", "2035-06-30", "2026-01-02"])
def test_contract_of_up_to_ten_years_is_accepted(end: str) -> None:
    out = wi.validate(registration(contractStart="2026-01-01", contractEnd=end), today=TODAY)
    assert out["contract_end"] == date.fromisoformat(end)


@pytest.mark.parametrize("end", ["2036-01-01", "2040-01-01"])
def test_contract_over_ten_years_is_refused(end: str) -> None:
    # 1 Jan 2026 to 1 Jan 2036 is 121 contract months, as contributions count them.
    problems = problems_of(registration(contractStart="2026-01-01", contractEnd=end))
    assert pairs(problems) == {("contractEnd", "max_length")}


def test_contract_dates_before_2000_are_refused() -> None:
    problems = problems_of(registration(contractStart="1999-12-31", contractEnd="2001-01-01"))
    assert pairs(problems) == {("contractStart", "too_early")}


def test_badly_formed_contract_dates_are_reported_without_further_contract_rules() -> None:
    problems = problems_of(registration(contractStart="soon", contractEnd="2020-01-01"))
    assert pairs(problems) == {("contractStart", "date")}


# --- heirs --------------------------------------------------------------------------------------


def test_heirs_are_returned_in_order_with_validated_fields() -> None:
    heirs = [
        {"fullName": " Budi  Santoso ", "relation": "SPOUSE_OR_CHILD"},
        {"fullName": "Sri", "relation": "PARENT_IN_LAW", "phone": "+62 812 3456 789"},
    ]
    out = wi.validate(registration(heirs=heirs), today=TODAY)
    assert out["heirs"] == [
        {"fullName": "Budi Santoso", "relation": "SPOUSE_OR_CHILD"},
        {"fullName": "Sri", "relation": "PARENT_IN_LAW", "phone": "+628123456789"},
    ]


def test_ten_heirs_are_accepted_and_eleven_refused() -> None:
    heir = {"fullName": "Budi", "relation": "SIBLING"}
    assert len(wi.validate(registration(heirs=[heir] * 10), today=TODAY)["heirs"]) == 10
    assert pairs(problems_of(registration(heirs=[heir] * 11))) == {("heirs", "max_items")}


def test_each_heirs_fields_are_validated_with_indexed_paths() -> None:
    heirs = [
        {"fullName": "Budi", "relation": "SIBLING"},
        {"fullName": "B4di", "relation": "COUSIN"},
        {"fullName": "Sri", "relation": "SIBLING", "phone": "0812"},
        {"relation": "SIBLING"},
        {"fullName": "Ani"},
        "Budi",
    ]
    assert pairs(problems_of(registration(heirs=heirs))) == {
        ("heirs[1].fullName", "name_characters"),
        ("heirs[1].relation", "enum"),
        ("heirs[2].phone", "e164"),
        ("heirs[3].fullName", "required"),
        ("heirs[4].relation", "required"),
        ("heirs[5]", "type"),
    }


def test_heirs_that_are_not_a_list_are_refused() -> None:
    assert pairs(problems_of(registration(heirs={"fullName": "Budi"}))) == {("heirs", "type")}


# --- external ids ------------------------------------------------------------------------------


def test_external_ids_are_validated_under_their_paths() -> None:
    problems = problems_of(registration(externalIds={"siskop2miId": "a b", "kpjNumber": "12"}))
    assert pairs(problems) == {
        ("externalIds.siskop2miId", "siskop2mi_format"),
        ("externalIds.kpjNumber", "kpj_format"),
    }


def test_external_ids_may_be_given_one_at_a_time_on_update() -> None:
    out = wi.validate({"externalIds": {"kpjNumber": "123456789"}}, today=TODAY,
                      current=HONG_KONG)
    assert out == {"kpj_number": "123456789"}


def test_external_ids_that_are_not_an_object_are_refused() -> None:
    assert pairs(problems_of(registration(externalIds="SKP-1"))) == {("externalIds", "type")}


# --- error containers --------------------------------------------------------------------------


def test_validation_failure_needs_at_least_one_problem() -> None:
    with pytest.raises(ValueError):
        ValidationFailed([])


def test_prefixed_failure_puts_the_prefix_before_every_field() -> None:
    failure = ValidationFailed([FieldProblem("fullName", "length", "m1"),
                                FieldProblem("phone", "e164", "m2")]).prefixed("input")
    assert [(p.field, p.rule) for p in failure.problems] == [
        ("input.fullName", "length"), ("input.phone", "e164")
    ]


def test_problems_collects_validator_failures_and_returns_none_for_them() -> None:
    p = Problems()
    assert p.run(wi.v.phone, "+85291234567") == "+85291234567"
    assert p.run(wi.v.phone, "nope") is None
    assert p.has("phone") and not p.has("nik")
    with pytest.raises(ValidationFailed) as info:
        p.raise_if_any()
    assert [(x.field, x.rule) for x in info.value.problems] == [("phone", "e164")]
