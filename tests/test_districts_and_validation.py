"""Districts as people name them, and the parsers behind every typed answer in registration."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest

from bot.core.districts import all_districts, district_by_ubigeo, find_districts
from bot.core.validation import (
    IdDocumentType,
    InvalidInput,
    PartialDate,
    check_term_dates,
    format_phone_for_display,
    mask_id_number,
    normalize_id_number,
    parse_count,
    parse_date,
    parse_past_date,
    parse_phone,
    parse_text,
)

TODAY = date(2026, 11, 23)


def first_match(query: str) -> str:
    return find_districts(query)[0].name


def rejection(parse: Callable[..., object], *args: object, **kwargs: object) -> InvalidInput:
    """The error a parser raises for this input (the test fails if it accepts it)."""
    with pytest.raises(InvalidInput) as caught:
        parse(*args, **kwargs)
    return caught.value


# --- Districts -------------------------------------------------------------------------------


def test_there_are_fifty_districts_seven_of_them_in_callao():
    districts = all_districts()
    assert len(districts) == 50
    assert len({d.ubigeo for d in districts}) == 50
    assert sum(d.province == "Callao" for d in districts) == 7
    assert sum(d.province == "Lima" for d in districts) == 43


def test_a_district_keeps_both_ubigeo_codes_and_its_accented_name():
    carmen = district_by_ubigeo("070103")
    assert carmen is not None
    assert carmen.name == "Carmen de la Legua Reynoso"
    assert carmen.ubigeo_reniec == "240104"
    assert carmen.province == "Callao"
    assert district_by_ubigeo("150105").name == "Breña"


def test_an_unknown_ubigeo_finds_no_district():
    assert district_by_ubigeo("999999") is None


@pytest.mark.parametrize(
    "query",
    ["sjl", "SJL", "San Juan de Lurigancho", "san juan lurigancho", "  San-Juan de LURIGANCHO "],
)
def test_san_juan_de_lurigancho_is_found_however_it_is_written(query):
    assert find_districts(query)[0].ubigeo == "150132"


@pytest.mark.parametrize(
    ("query", "district"),
    [
        ("surco", "Santiago de Surco"),
        ("carmen de la legua", "Carmen de la Legua Reynoso"),
        ("carmen legua", "Carmen de la Legua Reynoso"),
        ("vitarte", "Ate"),
        ("chosica", "Lurigancho"),
        ("huachipa", "Lurigancho"),
        ("VES", "Villa El Salvador"),
        ("smp", "San Martín de Porres"),
        ("sjm", "San Juan de Miraflores"),
        ("vmt", "Villa María del Triunfo"),
        ("magdalena", "Magdalena del Mar"),
    ],
)
def test_common_aliases_resolve_to_the_official_district(query, district):
    assert first_match(query) == district


def test_cercado_means_lima_first_and_then_the_callao_cercado():
    assert [d.ubigeo for d in find_districts("cercado")] == ["150101", "070101"]


def test_lima_alone_puts_the_cercado_first():
    assert find_districts("Lima")[0].ubigeo == "150101"


def test_callao_alone_puts_the_callao_district_first():
    assert find_districts("Callao")[0].ubigeo == "070101"


@pytest.mark.parametrize(
    ("query", "district"),
    [
        ("lurin", "Lurín"),
        ("brena", "Breña"),
        ("BREÑA", "Breña"),
        ("rimac", "Rímac"),
        ("mi peru", "Mi Perú"),
    ],
)
def test_accents_and_case_are_ignored(query, district):
    assert first_match(query) == district


def test_an_exact_name_ranks_before_names_that_merely_contain_it():
    assert [d.name for d in find_districts("miraflores")] == [
        "Miraflores",
        "San Juan de Miraflores",
    ]
    assert [d.name for d in find_districts("lurigancho")] == [
        "Lurigancho",
        "San Juan de Lurigancho",
    ]


def test_the_beginning_of_a_name_finds_every_district_that_starts_that_way():
    assert [d.name for d in find_districts("villa")] == [
        "Villa El Salvador",
        "Villa María del Triunfo",
    ]


def test_words_from_the_middle_of_a_name_are_enough():
    assert first_match("juan lurig") == "San Juan de Lurigancho"


def test_a_misspelled_name_is_still_found():
    assert first_match("chorrilos") == "Chorrillos"
    assert first_match("independensia") == "Independencia"


def test_the_number_of_suggestions_is_limited():
    assert len(find_districts("san")) == 8
    assert len(find_districts("san", limit=3)) == 3


@pytest.mark.parametrize("query", ["", "  ", "x", "de la", "?!"])
def test_empty_or_too_short_queries_find_nothing(query):
    assert find_districts(query) == []


def test_nonsense_finds_nothing():
    assert find_districts("qwertyuiop") == []


# --- Past dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "15/03/2021",
        "15-03-2021",
        "15.3.2021",
        "2021-03-15",
        "15 / 03 / 2021",
        "15 de marzo de 2021",
        "March 15, 2021",
    ],
)
def test_a_full_date_is_read_in_any_common_format(text):
    assert parse_past_date(text, today=TODAY) == PartialDate(2021, 3, 15)


@pytest.mark.parametrize(
    "text",
    [
        "marzo 2021",
        "Marzo de 2021",
        "mar 2021",
        "Mar. 2021",
        "March 2021",
        "MARCH 2021",
        "03/2021",
        "3-2021",
    ],
)
def test_a_month_and_year_are_read_in_spanish_english_or_digits(text):
    assert parse_past_date(text, today=TODAY) == PartialDate(2021, 3)


def test_peruvian_setiembre_and_accented_months_are_understood():
    assert parse_past_date("Setiembre 2020", today=TODAY) == PartialDate(2020, 9)
    assert parse_past_date("set. 2020", today=TODAY) == PartialDate(2020, 9)
    assert parse_past_date("ÉNERO 2019", today=TODAY) == PartialDate(2019, 1)


def test_a_year_alone_is_a_date_with_year_precision():
    founding = parse_past_date("2021", today=TODAY)
    assert founding == PartialDate(2021)
    assert founding.precision == "year"
    assert founding.as_date() == date(2021, 1, 1)


def test_a_partial_date_starts_on_the_first_day_of_what_is_known():
    assert PartialDate(2021, 3).as_date() == date(2021, 3, 1)
    assert PartialDate(2021, 3).precision == "month"
    assert PartialDate(2021, 3, 15).precision == "day"


def test_a_date_in_the_future_is_rejected():
    error = rejection(parse_past_date, "2027", today=TODAY)
    assert "future" in error.message
    assert "15/03/2021" in error.message
    with pytest.raises(InvalidInput):
        parse_past_date("24/11/2026", today=TODAY)
    with pytest.raises(InvalidInput):
        parse_past_date("12/2026", today=TODAY)


def test_today_and_the_current_month_are_not_the_future():
    assert parse_past_date("23/11/2026", today=TODAY) == PartialDate(2026, 11, 23)
    assert parse_past_date("11/2026", today=TODAY) == PartialDate(2026, 11)
    assert parse_past_date("2026", today=TODAY) == PartialDate(2026)


@pytest.mark.parametrize(
    "text",
    ["31/02/2021", "29/02/2023", "15/13/2021", "0/03/2021", "00/2021", "32 de enero de 2021"],
)
def test_a_date_that_is_not_in_the_calendar_is_rejected(text):
    assert "does not exist" in rejection(parse_past_date, text, today=TODAY).message


def test_a_leap_day_is_a_real_date():
    assert parse_past_date("29/02/2024", today=TODAY) == PartialDate(2024, 2, 29)


def test_years_before_1900_are_rejected_with_the_limit():
    error = rejection(parse_past_date, "1899", today=TODAY)
    assert error.params == {"first_year": 1900}
    assert "1900" in str(error)


@pytest.mark.parametrize("text", ["15/03/21", "marzo 21", "21"])
def test_a_two_digit_year_asks_for_four_digits(text):
    assert "four digits" in rejection(parse_past_date, text, today=TODAY).message


@pytest.mark.parametrize(
    "text", ["", "hola", "marzo", "hace dos años", "2021 marzo", "15 16 marzo 2021"]
)
def test_unreadable_text_is_answered_with_examples(text):
    error = rejection(parse_past_date, text, today=TODAY)
    assert "15/03/2021, March 2021 or 2021" in error.message


# --- Term dates ------------------------------------------------------------------------------


def test_a_term_date_may_be_in_the_future_and_needs_the_day():
    assert parse_date("15/03/2027") == date(2027, 3, 15)
    assert parse_date("2027-03-15") == date(2027, 3, 15)
    assert "full date" in rejection(parse_date, "marzo 2027").message
    assert "full date" in rejection(parse_date, "2027").message


def test_a_term_must_end_after_it_starts():
    check_term_dates(date(2025, 3, 15), date(2027, 3, 15))
    assert (
        "end after it starts"
        in rejection(check_term_dates, date(2025, 3, 15), date(2025, 3, 15)).message
    )
    with pytest.raises(InvalidInput):
        check_term_dates(date(2025, 3, 15), date(2024, 3, 15))


# --- Counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("0", 0),
        ("1.200", 1200),
        ("1,200", 1200),
        ("1 200", 1200),
        ("1.000.000", 1_000_000),
    ],
)
def test_a_count_accepts_digits_and_thousand_separators(text, count):
    assert parse_count(text, maximum=10_000_000) == count


def test_a_negative_count_is_rejected():
    assert "negative" in rejection(parse_count, "-3").message


@pytest.mark.parametrize("text", ["1.5", "12,5", "1.2000"])
def test_a_count_with_decimals_is_rejected(text):
    assert "without decimals" in rejection(parse_count, text).message


@pytest.mark.parametrize("text", ["doce", "", "12 personas", "1.200,50"])
def test_a_count_in_words_is_rejected(text):
    assert "in digits" in rejection(parse_count, text).message


def test_an_absurd_count_is_rejected_with_the_maximum():
    assert parse_count("100000") == 100_000
    error = rejection(parse_count, "100001")
    assert error.params == {"maximum": 100_000}
    assert rejection(parse_count, "31", maximum=30).params == {"maximum": 30}


# --- Phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("987 654 321", "+51987654321"),
        ("987-654-321", "+51987654321"),
        ("+51 987 654 321", "+51987654321"),
        ("01 234 5678", "+5112345678"),
        ("(01) 234-5678", "+5112345678"),
        ("+58 412 1234567", "+584121234567"),
        ("0412-1234567", "+584121234567"),
        ("58 412 1234567", "+584121234567"),
        ("+57 300 1234567", "+573001234567"),
    ],
)
def test_a_phone_number_is_stored_in_international_form(text, e164):
    assert parse_phone(text) == e164


@pytest.mark.parametrize("text", ["", "hola", "1234", "98765432", "9876543210", "+58 999 1234567"])
def test_an_invalid_phone_number_is_rejected_with_examples(text):
    error = rejection(parse_phone, text)
    assert "987 654 321" in error.message and "+58 412 1234567" in error.message


def test_a_stored_phone_is_shown_in_international_format():
    assert format_phone_for_display("+51987654321") == "+51 987 654 321"
    assert format_phone_for_display("+584121234567") == "+58 412-1234567"


# --- Identity documents ----------------------------------------------------------------------


def test_document_types_use_the_reference_codes():
    assert [t.value for t in IdDocumentType] == ["DNI", "CE", "CPP", "PTP", "PAS", "CI-VE", "CSR"]


def test_a_dni_has_exactly_eight_digits():
    assert normalize_id_number(IdDocumentType.DNI, " 45 678 912 ") == "45678912"
    assert normalize_id_number(IdDocumentType.DNI, "45.678.912") == "45678912"
    for wrong in ["4567891", "456789123", "4567891A", ""]:
        assert (
            "exactly 8 digits" in rejection(normalize_id_number, IdDocumentType.DNI, wrong).message
        )


def test_a_venezuelan_cedula_loses_its_letter_and_punctuation():
    assert normalize_id_number(IdDocumentType.VE_CEDULA, "V-12.345.678") == "12345678"
    assert normalize_id_number(IdDocumentType.VE_CEDULA, "e 81234567") == "81234567"
    assert normalize_id_number(IdDocumentType.VE_CEDULA, "1234567") == "1234567"
    for wrong in ["12345", "1234567890", "X-12345678"]:
        with pytest.raises(InvalidInput):
            normalize_id_number(IdDocumentType.VE_CEDULA, wrong)


def test_a_refugee_applicant_card_has_nine_digits():
    assert normalize_id_number(IdDocumentType.REFUGEE_APPLICANT, "123-456-789") == "123456789"
    assert (
        "9 digits"
        in rejection(normalize_id_number, IdDocumentType.REFUGEE_APPLICANT, "12345678").message
    )


@pytest.mark.parametrize(
    "doc_type", [IdDocumentType.CE, IdDocumentType.CPP, IdDocumentType.PTP, IdDocumentType.PASSPORT]
)
def test_documents_without_a_confirmed_format_accept_six_to_twelve_letters_and_digits(doc_type):
    assert normalize_id_number(doc_type, "001234567") == "001234567"
    assert normalize_id_number(doc_type, "ab-123 456") == "AB123456"
    for wrong in ["12345", "1234567890123", "MARIAPEREZ", "12345/6"]:
        assert "6 to 12" in rejection(normalize_id_number, doc_type, wrong).message


def test_every_document_type_explains_its_own_format():
    messages = {
        rejection(normalize_id_number, doc_type, "?").message for doc_type in IdDocumentType
    }
    assert len(messages) == len(IdDocumentType)


def test_a_masked_number_shows_only_its_last_four_characters():
    assert mask_id_number("45678912") == "****8912"
    assert mask_id_number("AB123456") == "****3456"
    assert mask_id_number("12345") == "****2345"
    assert mask_id_number("1234") == "****"
    assert mask_id_number("") == "****"


# --- Free text -------------------------------------------------------------------------------


def test_text_is_trimmed_and_its_whitespace_collapsed():
    assert parse_text("  Mujeres   Emprendedoras\n del  Callao ", field_max=100) == (
        "Mujeres Emprendedoras del Callao"
    )


def test_empty_text_is_rejected():
    assert "empty" in rejection(parse_text, " \n ", field_max=100).message


def test_text_shorter_than_the_minimum_is_rejected_with_the_minimum():
    assert rejection(parse_text, "AB", field_max=100, min_length=3).params == {"minimum": 3}


def test_text_longer_than_the_limit_is_rejected_with_the_limit():
    assert parse_text("a" * 10, field_max=10) == "a" * 10
    error = rejection(parse_text, "a" * 11, field_max=10)
    assert error.params == {"limit": 10, "length": 11}
    assert (
        str(error)
        == "That is too long: the limit is 10 characters and yours has 11. Send a shorter version."
    )


# --- Messages --------------------------------------------------------------------------------


def test_every_message_fills_its_placeholders_from_its_params():
    errors = [
        rejection(parse_past_date, "1899", today=TODAY),
        rejection(parse_count, "100001"),
        rejection(parse_text, "a" * 11, field_max=10),
        rejection(parse_text, "a", field_max=10, min_length=2),
        rejection(parse_phone, "hola"),
    ]
    for error in errors:
        assert set(re.findall(r"%\((\w+)\)s", error.message)) == set(error.params)
        assert error.message % error.params  # what the chat layer does after translating
