"""What each procedure asks for: the RUOS lists of the municipalities and the formalization steps.

The lists live in YAML files, one per procedure, in ``bot/data/requirements/`` or in a copy that
staff maintain (the REQUIREMENTS_DIR setting), so that staff can correct a list without a code
change. The district decides the RUOS list; a district without a file of its own gets its
province's list, and the bot must tell the leader that it is a fallback.

A file that breaks the schema is refused at load with its name, line and column, and the whole
folder with it: `RequirementsCatalogue.load` and `reload` either return a complete new catalogue
or raise `CatalogueError`, so the caller keeps the catalogue it had.

Schema of one file, ``<code>.yaml`` (every text is a mapping with one non-empty entry per
supported language, ``{es: ..., en: ...}``; unknown keys are refused so that typos show)::

    code: ruos-ate                # the file name without .yaml: a-z, 0-9 and "-", 24 at most
    kind: ruos                    # ruos | formalization
    step: 1                       # formalization only: the order in which they are done
    authority: {es: ..., en: ...}
    title: {es: ..., en: ...}
    applies_to:                   # ruos only, one or both of:
      province: Lima              #   the fallback for the province's districts: Lima | Callao
      districts: ["150103"]       #   INEI ubigeo codes of the districts whose own list it is
    source: {norm: ..., published: ...}
    checked: 2026-11-23           # when staff last checked the file against its source
    id_documents_named: [DNI]     # identity documents the text names: DNI CE CPP PTP PAS CI-VE CSR
    notes: {es: ..., en: ...}     # optional: what is not confirmed (cost, time, ...)
    items: [...]                  # what to hand in
    renewal_items: [...]          # optional: what to hand in to renew the board

Each item::

    code: acta-eleccion           # stable (checklists store it), unique within its list
    title: {es: ..., en: ...}
    explanation: {es: ..., en: ...}
    required: true
    accepts: [pdf, photo]
    pages: one-or-more            # optional: one | one-or-more
    source: art. 23               # optional: where the item comes from, if not the file's source
    board_ids: true               # optional: it carries the board members' identity documents
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn, TypeVar

import yaml
from babel import Locale
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot import PACKAGE_DIR
from bot.core.clock import Clock, SystemClock
from bot.core.config import SUPPORTED_LANGUAGES

DEFAULT_DIRECTORY = PACKAGE_DIR / "data" / "requirements"
PRIMARY_LANGUAGE = "es"
# An INEI ubigeo is department, province, district: two digits each.
PROVINCE_PREFIXES = {"Lima": "1501", "Callao": "0701"}
# The codes of the identity documents table in shared/reference/peru.md §1.3.
IDENTITY_DOCUMENTS = ("DNI", "CE", "CPP", "PTP", "PAS", "CI-VE", "CSR")

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,23}")
_BOOL_TAG = "tag:yaml.org,2002:bool"
_FILE_KEYS = (
    "code",
    "kind",
    "authority",
    "title",
    "source",
    "checked",
    "id_documents_named",
    "items",
)
_OPTIONAL_FILE_KEYS = ("step", "applies_to", "notes", "renewal_items")
_ITEM_KEYS = ("code", "title", "explanation", "required", "accepts")
_OPTIONAL_ITEM_KEYS = ("pages", "source", "board_ids")

Texts = Mapping[str, str]
"""One text in every supported language: language code → text."""

_Choice = TypeVar("_Choice", bound=StrEnum)


class ProcedureKind(StrEnum):
    RUOS = "ruos"
    FORMALIZATION = "formalization"


class FileFormat(StrEnum):
    PDF = "pdf"
    PHOTO = "photo"


class PageCount(StrEnum):
    ONE = "one"
    ONE_OR_MORE = "one-or-more"


def localized(texts: Texts, language: str) -> str:
    """The text in `language`, or in Spanish, the programme's first language."""
    return texts.get(language) or texts[PRIMARY_LANGUAGE]


def province_of_district(ubigeo_inei: str) -> str | None:
    """The province (Lima or Callao) of an INEI district code, or None if it is in neither."""
    if len(ubigeo_inei) != 6 or not ubigeo_inei.isdigit():
        return None
    for province, prefix in PROVINCE_PREFIXES.items():
        if ubigeo_inei.startswith(prefix):
            return province
    return None


@dataclass(frozen=True)
class Requirement:
    """One document to hand in, or one step to complete, with what the bot accepts for it."""

    code: str
    title: Texts
    explanation: Texts
    required: bool
    accepts: frozenset[FileFormat]
    pages: PageCount | None
    source: str | None
    involves_board_ids: bool


@dataclass(frozen=True)
class Source:
    norm: str
    published: str


@dataclass(frozen=True)
class Procedure:
    code: str
    kind: ProcedureKind
    step: int | None
    title: Texts
    authority: Texts
    source: Source
    checked: date
    applies_to_province: str | None
    applies_to_districts: frozenset[str]
    id_documents_named: tuple[str, ...]
    notes: Texts | None
    items: tuple[Requirement, ...]
    renewal_items: tuple[Requirement, ...]

    @property
    def names_only_dni(self) -> bool:
        """The text names the DNI and no other document: migrants' documents may be refused."""
        return self.id_documents_named == ("DNI",)


class CatalogueError(Exception):
    """A requirements file breaks the schema, or the folder is incomplete.

    The message starts with the file's name and the line and column of the problem (a folder's
    problems name the folder instead), e.g.
    ``ruos-callao.yaml, line 14, column 7: item "acta" has no Spanish title``.
    """

    def __init__(
        self, path: Path, problem: str, *, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = path
        self.problem = problem
        self.line = line
        self.column = column
        if line is None:
            location = str(path)
        elif column is None:
            location = f"{path.name}, line {line}"
        else:
            location = f"{path.name}, line {line}, column {column}"
        super().__init__(f"{location}: {problem}")


class RequirementsCatalogue:
    """Every procedure's list, loaded whole from one folder; build it with `load`."""

    def __init__(self, procedures: Iterable[Procedure], *, directory: Path, clock: Clock) -> None:
        self._procedures = tuple(procedures)
        self._directory = directory
        self._clock = clock
        self._by_code = {procedure.code: procedure for procedure in self._procedures}
        ruos = [p for p in self._procedures if p.kind is ProcedureKind.RUOS]
        self._ruos_by_district = {d: p for p in ruos for d in p.applies_to_districts}
        self._ruos_by_province = {
            p.applies_to_province: p for p in ruos if p.applies_to_province is not None
        }
        self._formalization = tuple(
            sorted(
                (p for p in self._procedures if p.kind is ProcedureKind.FORMALIZATION),
                key=lambda p: p.step or 0,
            )
        )

    @classmethod
    def load(
        cls, directory: Path | None = None, *, clock: Clock | None = None
    ) -> RequirementsCatalogue:
        """Read every ``.yaml`` file of `directory` (default: the lists shipped with the bot).

        Raises `CatalogueError` at the first problem in any file: nothing is half-loaded.
        """
        directory = directory or DEFAULT_DIRECTORY
        clock = clock or SystemClock()
        if not directory.is_dir():
            raise CatalogueError(directory, "the requirements folder does not exist")
        paths = sorted(
            path
            for path in directory.iterdir()
            if path.suffix in (".yaml", ".yml") and not path.name.startswith(".")
        )
        if not paths:
            raise CatalogueError(directory, "the requirements folder has no .yaml files")
        # UTC's date is never behind Lima's, so a file checked today in Lima is never refused.
        today = clock.now().date()
        claims: dict[str, str] = {}
        procedures = [_FileReader(path, claims=claims, today=today).procedure() for path in paths]
        for province in PROVINCE_PREFIXES:
            if not any(p.applies_to_province == province for p in procedures):
                raise CatalogueError(
                    directory,
                    f'no RUOS file has "province: {province}", so some districts would have no list',
                )
        return cls(procedures, directory=directory, clock=clock)

    def reload(self) -> RequirementsCatalogue:
        """A new catalogue from the same folder; on `CatalogueError` keep using this one."""
        return self.load(self._directory, clock=self._clock)

    @property
    def directory(self) -> Path:
        return self._directory

    @property
    def procedures(self) -> tuple[Procedure, ...]:
        return self._procedures

    def procedure(self, code: str) -> Procedure:
        """The procedure with this code; KeyError if no file defines it."""
        return self._by_code[code]

    def ruos_for_district(self, ubigeo_inei: str) -> tuple[Procedure, bool]:
        """The district's RUOS list and whether it is its province's list used as a fallback.

        A fallback means the district's own list is not known: the bot must tell the leader.
        """
        own = self._ruos_by_district.get(ubigeo_inei)
        if own is not None:
            return own, False
        province = province_of_district(ubigeo_inei)
        if province is None:
            raise LookupError(
                f"{ubigeo_inei!r} is not an INEI code of a district of Lima or Callao"
            )
        return self._ruos_by_province[province], True

    def formalization(self) -> tuple[Procedure, ...]:
        """The formalization procedures in the order they are done (Registros Públicos first)."""
        return self._formalization


class _FileReader:
    """Turns one file's YAML nodes into a `Procedure`, failing at the first problem's mark.

    Works on nodes rather than constructed values so that every problem has a line, and so that
    text stays text: ``es: No`` is not a boolean and ``070106`` is not an octal number here.
    """

    def __init__(self, path: Path, *, claims: dict[str, str], today: date) -> None:
        self._path = path
        # What earlier files took (a district, a province's fallback, a step) → the file's name.
        self._claims = claims
        self._today = today
        # The key above each value, by the value node's id: a missing language is reported at
        # "title:", where staff will look, rather than at the first language present.
        self._key_nodes: dict[int, Node] = {}

    def procedure(self) -> Procedure:
        root = self._compose()
        fields = self._mapping(root, "the file", _FILE_KEYS, _OPTIONAL_FILE_KEYS)
        code = self._slug(fields["code"], '"code"')
        if code != self._path.stem:
            self._fail(
                fields["code"], f'"code" is "{code}", but the file is named {self._path.name}'
            )
        self._claim(fields["code"], f'code "{code}"')
        kind = self._choice(fields["kind"], '"kind"', ProcedureKind)
        province, districts = self._applies_to(root, fields.get("applies_to"), kind)
        return Procedure(
            code=code,
            kind=kind,
            step=self._step(root, fields.get("step"), kind),
            title=self._texts(fields["title"], "the file", "title"),
            authority=self._texts(fields["authority"], "the file", "authority"),
            source=self._source(fields["source"]),
            checked=self._checked(fields["checked"]),
            applies_to_province=province,
            applies_to_districts=districts,
            id_documents_named=tuple(
                self._text_in(node, "an identity document", IDENTITY_DOCUMENTS)
                for node in self._sequence(fields["id_documents_named"], '"id_documents_named"')
            ),
            notes=self._texts(fields["notes"], "the file", "notes") if "notes" in fields else None,
            items=self._requirements(fields["items"], "items"),
            renewal_items=(
                self._requirements(fields["renewal_items"], "renewal_items")
                if "renewal_items" in fields
                else ()
            ),
        )

    # -- the file's parts ---------------------------------------------------------------------

    def _compose(self) -> Node:
        data = self._path.read_bytes()
        try:
            text = data.decode("utf-8-sig")  # Windows editors may add a byte-order mark
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise CatalogueError(
                self._path, "the file is not UTF-8 text; save it as UTF-8", line=line
            ) from None
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = f"YAML syntax error: {exc.problem or exc.context}"
            if exc.context and exc.context_mark and exc.problem:
                problem += f" ({exc.context} on line {exc.context_mark.line + 1})"
            raise CatalogueError(
                self._path,
                problem,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            ) from None
        except yaml.reader.ReaderError as exc:
            line = text[: exc.position].count("\n") + 1
            raise CatalogueError(
                self._path,
                f"the file contains a character YAML does not allow: {exc.reason}",
                line=line,
            ) from None
        if root is None:
            raise CatalogueError(self._path, "the file is empty", line=1, column=1)
        return root

    def _applies_to(
        self, root: Node, node: Node | None, kind: ProcedureKind
    ) -> tuple[str | None, frozenset[str]]:
        if kind is not ProcedureKind.RUOS:
            if node is not None:
                self._fail(node, '"applies_to" is only for kind ruos')
            return None, frozenset()
        if node is None:
            self._fail(root, 'a ruos file needs "applies_to" with a province, districts or both')
        fields = self._mapping(node, '"applies_to"', (), ("province", "districts"))
        if not fields:
            self._fail(node, '"applies_to" needs a province, districts or both')
        province = None
        if "province" in fields:
            province = self._text_in(fields["province"], "the province", tuple(PROVINCE_PREFIXES))
            self._claim(fields["province"], f"the fallback of the province of {province}")
        districts = set()
        for district_node in self._sequence(fields.get("districts"), '"districts"'):
            district = self._text(district_node, "a district")
            if province_of_district(district) is None:
                self._fail(
                    district_node,
                    f'district "{district}" is not an INEI code of a district of Lima (1501..) '
                    "or Callao (0701..)",
                )
            self._claim(district_node, f"district {district}")
            districts.add(district)
        return province, frozenset(districts)

    def _step(self, root: Node, node: Node | None, kind: ProcedureKind) -> int | None:
        if kind is not ProcedureKind.FORMALIZATION:
            if node is not None:
                self._fail(node, '"step" is only for kind formalization')
            return None
        if node is None:
            self._fail(root, 'a formalization file needs "step", the order it is done in (1, 2, …)')
        text = self._text(node, '"step"')
        if not re.fullmatch(r"[1-9][0-9]*", text):
            self._fail(node, f'"step" must be a whole number from 1, not "{text}"')
        self._claim(node, f"formalization step {int(text)}")
        return int(text)

    def _source(self, node: Node) -> Source:
        fields = self._mapping(node, '"source"', ("norm", "published"), ())
        return Source(
            norm=self._nonempty_text(fields["norm"], "the source's norm"),
            published=self._nonempty_text(fields["published"], "where the source is published"),
        )

    def _checked(self, node: Node) -> date:
        text = self._text(node, '"checked"')
        try:
            checked = date.fromisoformat(text)
        except ValueError:
            self._fail(node, f'"checked" must be a real date written YYYY-MM-DD, not "{text}"')
        if checked > self._today:
            self._fail(node, f'"checked" is {checked.isoformat()}, a date in the future')
        return checked

    def _requirements(self, node: Node, list_name: str) -> tuple[Requirement, ...]:
        requirements: list[Requirement] = []
        codes: set[str] = set()
        for position, item in enumerate(self._sequence(node, f'"{list_name}"'), start=1):
            fields = self._fields(item, f'item {position} of "{list_name}"')
            if "code" not in fields:
                self._fail(item, f'item {position} of "{list_name}" has no "code"')
            code = self._slug(fields["code"], "the item code")
            if code in codes:
                self._fail(fields["code"], f'item code "{code}" appears twice in "{list_name}"')
            codes.add(code)
            owner = f'item "{code}"'
            self._check_keys(item, fields, owner, _ITEM_KEYS, _OPTIONAL_ITEM_KEYS)
            accepts = frozenset(
                self._choice(format_node, f'"accepts" of {owner}', FileFormat)
                for format_node in self._sequence(fields["accepts"], f'"accepts" of {owner}')
            )
            if not accepts:
                self._fail(fields["accepts"], f"{owner} must accept pdf, photo or both")
            requirements.append(
                Requirement(
                    code=code,
                    title=self._texts(fields["title"], owner, "title"),
                    explanation=self._texts(fields["explanation"], owner, "explanation"),
                    required=self._flag(fields["required"], f'"required" of {owner}'),
                    accepts=accepts,
                    pages=(
                        self._choice(fields["pages"], f'"pages" of {owner}', PageCount)
                        if "pages" in fields
                        else None
                    ),
                    source=(
                        self._nonempty_text(fields["source"], f'"source" of {owner}')
                        if "source" in fields
                        else None
                    ),
                    involves_board_ids=(
                        self._flag(fields["board_ids"], f'"board_ids" of {owner}')
                        if "board_ids" in fields
                        else False
                    ),
                )
            )
        if not requirements:
            self._fail(node, f'"{list_name}" has no items')
        return tuple(requirements)

    # -- node shapes --------------------------------------------------------------------------

    def _mapping(
        self, node: Node, where: str, required: Sequence[str], optional: Sequence[str]
    ) -> dict[str, Node]:
        fields = self._fields(node, where)
        self._check_keys(node, fields, where, required, optional)
        return fields

    def _fields(self, node: Node, where: str) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            self._fail(node, f'{where} must be "key: value" lines')
        fields: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = self._text(key_node, "a key")
            if key in fields:
                self._fail(key_node, f'"{key}" appears twice in {where}')
            fields[key] = value_node
            self._key_nodes[id(value_node)] = key_node
        return fields

    def _check_keys(
        self,
        node: Node,
        fields: dict[str, Node],
        where: str,
        required: Sequence[str],
        optional: Sequence[str],
    ) -> None:
        known = (*required, *optional)
        for key_node, _ in node.value:
            key = key_node.value
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f'did you mean "{close[0]}"?' if close else f"known keys: {', '.join(known)}"
                self._fail(key_node, f'unknown key "{key}" in {where}; {hint}')
        for key in required:
            if key not in fields:
                self._fail(node, f'{where} has no "{key}"')

    def _texts(self, node: Node, owner: str, what: str) -> Texts:
        fields = self._mapping(node, f"the {what} of {owner}", (), SUPPORTED_LANGUAGES)
        texts = {}
        for language in SUPPORTED_LANGUAGES:
            value = fields.get(language)
            text = self._text(value, f"the {what} of {owner}") if value is not None else ""
            if not text:
                language_name = Locale.parse(language).english_name
                self._fail(self._key_above(value or node), f"{owner} has no {language_name} {what}")
            texts[language] = text
        return MappingProxyType(texts)

    def _sequence(self, node: Node | None, what: str) -> list[Node]:
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self._fail(node, f"{what} must be a list, e.g. [pdf, photo] or lines starting with -")
        return list(node.value)

    def _text(self, node: Node, what: str) -> str:
        if not isinstance(node, ScalarNode):
            self._fail(node, f"{what} must be text, not a list or a mapping")
        text: str = node.value
        return text.strip()

    def _nonempty_text(self, node: Node, what: str) -> str:
        text = self._text(node, what)
        if not text:
            self._fail(node, f"{what} is empty")
        return text

    def _slug(self, node: Node, what: str) -> str:
        text = self._text(node, what)
        if not _SLUG.fullmatch(text):
            self._fail(node, f'{what} "{text}" must be 1–24 characters of a-z, 0-9 and "-"')
        return text

    def _choice(self, node: Node, what: str, choices: type[_Choice]) -> _Choice:
        return choices(self._text_in(node, what, tuple(choices)))

    def _text_in(self, node: Node, what: str, choices: Sequence[str]) -> str:
        text = self._text(node, what)
        if text not in choices:
            self._fail(node, f'{what} is "{text}", which is not one of: {", ".join(choices)}')
        return text

    def _flag(self, node: Node, what: str) -> bool:
        if not (isinstance(node, ScalarNode) and node.tag == _BOOL_TAG):
            self._fail(node, f"{what} must be true or false")
        return SafeConstructor.bool_values[node.value.lower()]

    def _key_above(self, node: Node) -> Node:
        return self._key_nodes.get(id(node), node)

    def _claim(self, node: Node, what: str) -> None:
        """Refuse what an earlier file already took, e.g. the same district in two files."""
        taken_by = self._claims.setdefault(what, self._path.name)
        if taken_by != self._path.name:
            self._fail(node, f"{what} is already taken by {taken_by}")

    def _fail(self, node: Node, problem: str) -> NoReturn:
        mark = node.start_mark
        raise CatalogueError(self._path, problem, line=mark.line + 1, column=mark.column + 1)
