"""The requirements catalogue: the shipped lists, the district rule, and refusing broken files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.core.config import SUPPORTED_LANGUAGES
from bot.ruos.requirements import (
    DEFAULT_DIRECTORY,
    CatalogueError,
    FileFormat,
    RequirementsCatalogue,
    localized,
)

# Callao's districts other than Cercado (070101), e.g. 070103 Carmen de la Legua Reynoso and
# 070106 Ventanilla; none has a file of its own.
CALLAO_DISTRICTS_WITHOUT_OWN_LIST = ("070102", "070103", "070104", "070105", "070106", "070107")

# A small valid file that replaces the shipped ruos-callao.yaml; each test breaks one line.
CALLAO = """\
code: ruos-callao
kind: ruos
authority: {es: Municipalidad Provincial del Callao, en: Provincial Municipality of Callao}
title: {es: RUOS del Callao, en: RUOS of Callao}
applies_to:
  province: Callao
source:
  norm: Ordenanza N.º 009-2023/MPC
  published: Municipalidad Provincial del Callao
checked: 2026-11-23
id_documents_named: [DNI]
items:
  - code: acta
    title:
      es: Acta de fundación
      en: Founding minutes
    explanation:
      es: El acta de la reunión en que nació la organización.
      en: The minutes of the meeting where the organization was born.
    required: true
    accepts: [pdf, photo]
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()  # 23 November 2026


@pytest.fixture
def catalogue(clock: FakeClock) -> RequirementsCatalogue:
    return RequirementsCatalogue.load(clock=clock)


@pytest.fixture
def staff_copy(tmp_path: Path) -> Path:
    """A staff-maintained copy of the shipped lists, whose Callao file the test rewrites."""
    directory = tmp_path / "requirements"
    shutil.copytree(DEFAULT_DIRECTORY, directory)
    (directory / "ruos-callao.yaml").write_text(CALLAO, encoding="utf-8")
    return directory


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def refusal(directory: Path, clock: FakeClock) -> CatalogueError:
    with pytest.raises(CatalogueError) as caught:
        RequirementsCatalogue.load(directory, clock=clock)
    return caught.value


# -- the shipped catalogue ------------------------------------------------------------------


def test_the_shipped_catalogue_loads_every_procedure(catalogue: RequirementsCatalogue) -> None:
    assert {p.code for p in catalogue.procedures} == {
        "ruos-lima",
        "ruos-callao",
        "ruos-ate",
        "sunarp-asociacion",
        "sunat-ruc",
    }
    assert (
        catalogue.procedure("ruos-lima").authority["es"].startswith("Municipalidad Metropolitana")
    )


def test_every_shipped_item_speaks_every_language(catalogue: RequirementsCatalogue) -> None:
    for procedure in catalogue.procedures:
        for item in procedure.items + procedure.renewal_items:
            for language in SUPPORTED_LANGUAGES:
                assert item.title[language].strip(), (procedure.code, item.code, language)
                assert item.explanation[language].strip(), (procedure.code, item.code, language)


def test_a_callao_district_without_its_own_list_gets_callaos_as_a_fallback(
    catalogue: RequirementsCatalogue,
) -> None:
    for district in CALLAO_DISTRICTS_WITHOUT_OWN_LIST:
        procedure, is_fallback = catalogue.ruos_for_district(district)
        assert (procedure.code, is_fallback) == ("ruos-callao", True), district


def test_cercado_del_callao_and_cercado_de_lima_use_their_provinces_list_as_their_own(
    catalogue: RequirementsCatalogue,
) -> None:
    assert catalogue.ruos_for_district("070101") == (catalogue.procedure("ruos-callao"), False)
    assert catalogue.ruos_for_district("150101") == (catalogue.procedure("ruos-lima"), False)


def test_ate_has_its_own_list_with_a_board_renewal_list(catalogue: RequirementsCatalogue) -> None:
    procedure, is_fallback = catalogue.ruos_for_district("150103")

    assert (procedure.code, is_fallback) == ("ruos-ate", False)
    assert procedure.names_only_dni
    assert "resolucion-anterior" in {item.code for item in procedure.renewal_items}
    assert any(item.involves_board_ids for item in procedure.renewal_items)


def test_miraflores_gets_limas_list_as_a_fallback(catalogue: RequirementsCatalogue) -> None:
    procedure, is_fallback = catalogue.ruos_for_district("150122")

    assert (procedure.code, is_fallback) == ("ruos-lima", True)
    assert procedure.renewal_items == ()


def test_a_district_outside_lima_and_callao_has_no_ruos_list(
    catalogue: RequirementsCatalogue,
) -> None:
    with pytest.raises(LookupError):
        catalogue.ruos_for_district("040101")  # Arequipa


def test_formalization_is_the_public_registries_then_sunat(
    catalogue: RequirementsCatalogue,
) -> None:
    assert [p.code for p in catalogue.formalization()] == ["sunarp-asociacion", "sunat-ruc"]


def test_a_text_falls_back_to_spanish_in_a_language_the_file_lacks(
    catalogue: RequirementsCatalogue,
) -> None:
    title = catalogue.procedure("ruos-ate").title

    assert localized(title, "en") == title["en"]
    assert localized(title, "pt") == title["es"]


def test_a_staff_copy_loads_from_its_own_folder(staff_copy: Path, clock: FakeClock) -> None:
    catalogue = RequirementsCatalogue.load(staff_copy, clock=clock)

    acta = catalogue.procedure("ruos-callao").items[0]
    assert catalogue.directory == staff_copy
    assert (acta.code, acta.accepts) == ("acta", frozenset({FileFormat.PDF, FileFormat.PHOTO}))


# -- broken files are refused with their name and line ---------------------------------------


# Each broken file marks the line the refusal must name with "# <-".
@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        pytest.param(
            CALLAO.replace("  - code: acta\n", "  - code: acta\n\tsource: art. 3  # <-\n"),
            "YAML syntax error",
            id="yaml syntax",
        ),
        pytest.param(
            CALLAO.replace("    title:\n      es: Acta de fundación\n", "    title:  # <-\n"),
            'item "acta" has no Spanish title',
            id="missing spanish title",
        ),
        pytest.param(
            CALLAO.replace("    required: true", "    requried: true  # <-"),
            'unknown key "requried" in item "acta"; did you mean "required"?',
            id="unknown key",
        ),
        pytest.param(
            CALLAO.replace("[pdf, photo]", "[pdf, jpg]  # <-"),
            '"accepts" of item "acta" is "jpg", which is not one of: pdf, photo',
            id="bad accepts",
        ),
        pytest.param(
            CALLAO + CALLAO[CALLAO.index("  - code: acta") :].replace("acta", "acta  # <-", 1),
            'item code "acta" appears twice in "items"',
            id="duplicate item code",
        ),
        pytest.param(
            CALLAO.replace("checked: 2026-11-23", "checked: 2026-11-24  # <-"),
            '"checked" is 2026-11-24, a date in the future',
            id="future checked date",
        ),
    ],
)
def test_a_broken_file_is_refused_naming_the_file_and_line(
    staff_copy: Path, clock: FakeClock, broken: str, problem: str
) -> None:
    (staff_copy / "ruos-callao.yaml").write_text(broken, encoding="utf-8")

    error = refusal(staff_copy, clock)

    assert error.line == line_of(broken, "# <-")
    assert str(error).startswith(f"ruos-callao.yaml, line {error.line}, column {error.column}: ")
    assert problem in str(error)


def test_a_refusal_reads_file_line_column_then_the_problem(
    staff_copy: Path, clock: FakeClock
) -> None:
    (staff_copy / "ruos-callao.yaml").write_text(
        CALLAO.replace("      es: Acta de fundación\n", ""), encoding="utf-8"
    )

    assert str(refusal(staff_copy, clock)) == (
        'ruos-callao.yaml, line 14, column 5: item "acta" has no Spanish title'
    )


def test_unquoted_district_codes_stay_codes_and_are_checked(
    staff_copy: Path, clock: FakeClock
) -> None:
    # 070106 would be an octal number to a YAML 1.1 reader; the catalogue reads the text.
    with_districts = CALLAO.replace(
        "  province: Callao\n", "  province: Callao\n  districts: [070106]\n"
    )
    (staff_copy / "ruos-callao.yaml").write_text(with_districts, encoding="utf-8")

    catalogue = RequirementsCatalogue.load(staff_copy, clock=clock)

    assert catalogue.ruos_for_district("070106") == (catalogue.procedure("ruos-callao"), False)


def test_a_district_claimed_by_two_files_is_refused_in_the_second(
    staff_copy: Path, clock: FakeClock
) -> None:
    claiming_ate = CALLAO.replace(
        "  province: Callao\n", "  province: Callao\n  districts: ['150103']\n"
    )
    (staff_copy / "ruos-callao.yaml").write_text(claiming_ate, encoding="utf-8")

    error = refusal(staff_copy, clock)

    assert str(error).startswith(f"ruos-callao.yaml, line {line_of(claiming_ate, 'districts')}, ")
    assert "district 150103 is already taken by ruos-ate.yaml" in str(error)


def test_a_folder_without_a_fallback_for_callao_is_refused(
    staff_copy: Path, clock: FakeClock
) -> None:
    (staff_copy / "ruos-callao.yaml").unlink()

    assert 'no RUOS file has "province: Callao"' in str(refusal(staff_copy, clock))


# -- reloading --------------------------------------------------------------------------------


def test_a_corrected_file_reloads_and_a_broken_one_leaves_the_old_catalogue_in_use(
    staff_copy: Path, clock: FakeClock
) -> None:
    callao_file = staff_copy / "ruos-callao.yaml"
    catalogue = RequirementsCatalogue.load(staff_copy, clock=clock)

    # Staff break the file: the reload is refused and the catalogue in use is untouched.
    callao_file.write_text(CALLAO.replace("    required: true", "    requried: true"), "utf-8")
    with pytest.raises(CatalogueError, match="ruos-callao.yaml, line 20"):
        catalogue.reload()
    assert catalogue.procedure("ruos-callao").items[0].required is True

    # Staff correct it and make the item optional: the reload brings a new catalogue.
    callao_file.write_text(CALLAO.replace("    required: true", "    required: false"), "utf-8")
    reloaded = catalogue.reload()

    assert reloaded is not catalogue
    assert reloaded.procedure("ruos-callao").items[0].required is False
    assert catalogue.procedure("ruos-callao").items[0].required is True
