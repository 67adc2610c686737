"""The office's 建档立卡 roster: read from Excel or CSV as the county keeps it, imported all or nothing.

County offices keep the roster in Excel and save CSV from it in GBK; headers vary from one
template to the next (户主 / 户主姓名, 证件号码 / 身份证号…), and there is often a title row
above the header. Every problem is reported by the row number and column letter Excel shows, so
the office can find the cell, and nothing is written until every row is right. Importing the same
file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import audit
from services.errors import InvalidInput, problems_error
from services.household_rules import check_members, normalize_cause, normalize_head_name, parse_members
from services.households import household_snapshot
from services.idcards import normalize_id_number
from services.models import Household, HouseholdStatus, Township, Village
from services.places import PLACE_SEPARATOR, closest, list_townships, list_villages, normalize_name

#: Each field and the headers that mean it (compared after removing blanks and full-width forms).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "head_name": ("户主姓名", "户主", "户主名称", "姓名"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "户主身份证号", "户主身份证号码", "公民身份证号码", "身份证"),
    "township": ("乡镇", "乡镇名称", "乡(镇)", "乡镇(街道)", "镇"),
    "village": ("村", "行政村", "村名", "村名称", "所在村"),
    "members": ("人口数", "家庭人口", "家庭人口数", "人口", "户人口数", "家庭人数"),
    "cause": ("致贫原因", "主要致贫原因"),
    "status": ("状态", "贫困户状态", "脱贫状态", "户状态"),
}

#: Fields every roster must have; 乡镇 may be left out when village names are unique in the county.
REQUIRED_FIELDS = ("head_name", "id_number", "village", "members")

#: Each field's name in messages.
FIELD_LABELS = {
    "head_name": "户主姓名",
    "id_number": "身份证号",
    "township": "乡镇",
    "village": "村",
    "members": "人口数",
    "cause": "致贫原因",
    "status": "状态",
}

#: How rosters write a household's status.
STATUS_WORDS: dict[str, HouseholdStatus] = {
    **dict.fromkeys(("在册", "在册贫困户", "贫困户", "未脱贫", "建档立卡户", "registered"), HouseholdStatus.REGISTERED),
    **dict.fromkeys(("已脱贫", "脱贫", "脱贫户", "已退出", "退出", "exited"), HouseholdStatus.EXITED),
    **dict.fromkeys(("已销户", "销户", "自然减员", "迁出", "removed"), HouseholdStatus.REMOVED),
}

#: Rows searched for the header, for rosters that carry a title line or two above it.
HEADER_SEARCH_ROWS = 10

#: Problems quoted in one error; the rest are counted.
MAX_PROBLEMS_SHOWN = 10

#: File kinds read, by suffix.
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)


@dataclass(frozen=True)
class Cell:
    """A value with where it sits in the sheet, so a problem can name it as Excel does."""

    value: Any
    column: int
    header: str

    @property
    def text(self) -> str:
        """The value as text without surrounding blanks ('' for an empty cell)."""
        if self.value is None:
            return ""
        return unicodedata.normalize("NFKC", str(self.value)).strip()


@dataclass(frozen=True)
class RosterRow:
    """One data row of the roster as read, not yet checked; `row` is the row number Excel shows."""

    row: int
    cells: dict[str, Cell]


@dataclass(frozen=True)
class ImportResult:
    """What an import did: households added, changed, and already as the file says."""

    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class _Checked:
    row: int
    head_name: str
    id_number: str
    village: Village
    members: int
    #: None when the file leaves it out: what is recorded stays.
    cause: str | None
    status: HouseholdStatus | None


def _fold_header(text: Any) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


def _field_of(header: str) -> str | None:
    for field, names in HEADER_SYNONYMS.items():
        if header in names:
            return field
    return None


def _header_columns(values: Sequence[Any]) -> dict[str, tuple[int, str]]:
    """Field → (0-based column, header as written) for a candidate header row."""
    columns: dict[str, tuple[int, str]] = {}
    for index, value in enumerate(values):
        field = _field_of(_fold_header(value))
        if field is not None and field not in columns:
            columns[field] = (index, str(value).strip())
    return columns


def _rows(table: Iterable[Sequence[Any]]) -> list[RosterRow]:
    """Find the header among the first rows, then turn every non-blank row below it into a RosterRow."""
    header: dict[str, tuple[int, str]] | None = None
    best: dict[str, tuple[int, str]] = {}
    rows: list[RosterRow] = []
    for number, values in enumerate(table, start=1):
        if header is None:
            candidate = _header_columns(values)
            if all(field in candidate for field in REQUIRED_FIELDS):
                header = candidate
            elif len(candidate) > len(best):
                best = candidate
            if header is None and number >= HEADER_SEARCH_ROWS:
                break
            continue
        if not any(_fold_header(v) for v in values):
            continue
        cells = {
            field: Cell(values[index] if index < len(values) else None, index + 1, written)
            for field, (index, written) in header.items()
        }
        rows.append(RosterRow(row=number, cells=cells))
    if header is None:
        missing = "、".join(FIELD_LABELS[f] for f in REQUIRED_FIELDS if f not in best)
        raise InvalidInput(
            f"前 {HEADER_SEARCH_ROWS} 行中找不到表头：缺少“{missing}”列。表头应包括"
            f"{'、'.join(FIELD_LABELS[f] for f in REQUIRED_FIELDS)}（可另有乡镇、致贫原因、状态）。"
        )
    if not rows:
        raise InvalidInput("表头下面没有任何数据行。")
    return rows


def _excel_rows(path: Path) -> Iterator[Sequence[Any]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        yield from workbook.worksheets[0].iter_rows(min_row=1, values_only=True)
    finally:
        workbook.close()


def _csv_text(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel adds), else GBK as Excel saves CSV on Chinese Windows."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InvalidInput("无法识别文件的编码，请在 Excel 中另存为“CSV UTF-8”或普通 CSV 后再导入。") from None


def read_roster(path: Path) -> list[RosterRow]:
    """The data rows of a roster file (.xlsx or .csv), each with its row number as Excel shows it.

    Raises:
        InvalidInput: missing or unreadable file, a kind not read (.xls), no header, no data.
    """
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES + CSV_SUFFIXES:
        raise InvalidInput(f"不能读取“{suffix or path.name}”格式的文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入。")
    try:
        if suffix in EXCEL_SUFFIXES:
            return _rows(_excel_rows(path))
        return _rows(csv.reader(io.StringIO(_csv_text(path.read_bytes()))))
    except FileNotFoundError:
        raise InvalidInput(f"找不到文件 {path}。") from None
    except InvalidInput:
        raise
    except (OSError, ValueError, KeyError, BadZipFile) as exc:  # what openpyxl raises for a damaged workbook
        raise InvalidInput(
            f"无法读取文件 {path.name}（{type(exc).__name__}），请确认它是完好的 Excel 或 CSV 文件。"
        ) from None


def _members(cell: Cell) -> int:
    if isinstance(cell.value, int | float) and float(cell.value).is_integer():
        return check_members(int(cell.value))
    return parse_members(cell.text)


def _id_number(cell: Cell) -> str:
    if isinstance(cell.value, int | float):
        raise InvalidInput("身份证号被 Excel 存成了数字，末几位已经丢失；请把这一列设为“文本”格式并重新填写号码。")
    return normalize_id_number(cell.text)


def _status(cell: Cell) -> HouseholdStatus | None:
    if not cell.text:
        return None
    status = STATUS_WORDS.get(cell.text.lower())
    if status is None:
        raise InvalidInput(f"不认识的状态“{cell.text}”，应为 在册、已脱贫 或 已销户。")
    return status


class _Places:
    """Villages by name and by 乡镇/村, to resolve each row's village with a useful message."""

    def __init__(self, townships: Sequence[Township], villages: Sequence[Village]) -> None:
        self.townships = {t.name: t for t in townships}
        self.by_full_name = {(v.township.name, v.name): v for v in villages}
        self.by_name: dict[str, list[Village]] = {}
        for village in villages:
            self.by_name.setdefault(village.name, []).append(village)

    def village(self, township: str, name: str) -> Village:
        if not name:
            raise InvalidInput("村名为空。")
        if not township and PLACE_SEPARATOR in name:  # 乡镇/村 in one cell, as `fupin places list` shows it
            township, _, name = (part.strip() for part in name.partition(PLACE_SEPARATOR))
        if township:
            if township not in self.townships:
                guess = closest(township, self.townships)
                hint = f"，是不是“{guess[0]}”？" if guess else "。"
                raise InvalidInput(f"没有名为“{township}”的乡镇{hint}")
            found = self.by_full_name.get((township, name))
            if found is None:
                guess = closest(name, [v for (t, v) in self.by_full_name if t == township])
                hint = f"，是不是“{guess[0]}”？" if guess else "；请先导入该村或核对村名。"
                raise InvalidInput(f"{township}没有名为“{name}”的村{hint}")
            return found
        candidates = self.by_name.get(name, [])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            options = "、".join(v.full_name for v in candidates)
            raise InvalidInput(f"有 {len(candidates)} 个村都叫“{name}”（{options}），请填写乡镇列。")
        guess = closest(name, self.by_name)
        hint = f"，是不是“{guess[0]}”？" if guess else "；请先导入该村或核对村名。"
        raise InvalidInput(f"没有名为“{name}”的村{hint}")


def _where(row: RosterRow, field: str) -> str:
    cell = row.cells.get(field)
    if cell is None:
        return f"第 {row.row} 行"
    return f"第 {row.row} 行 {get_column_letter(cell.column)} 列（{cell.header}）"


def _check_row(row: RosterRow, places: _Places, problems: list[str]) -> _Checked | None:
    """The row's values, checked; each problem is added to `problems` naming its cell."""
    township = row.cells.get("township")
    township_name = normalize_name(township.text) if township else ""
    parsers: dict[str, Callable[[Cell], Any]] = {
        "head_name": lambda c: normalize_head_name(c.text),
        "id_number": _id_number,
        "village": lambda c: places.village(township_name, normalize_name(c.text)),
        "members": _members,
        "cause": lambda c: normalize_cause(c.text) if c.text else None,
        "status": _status,
    }
    checked: dict[str, Any] = {}
    found_before = len(problems)
    for field, parse in parsers.items():
        cell = row.cells.get(field)
        try:
            checked[field] = parse(cell) if cell is not None else None
        except InvalidInput as exc:
            problems.append(f"{_where(row, field)}：{exc.message}")
    if len(problems) > found_before:
        return None
    return _Checked(row=row.row, **checked)


async def import_roster(session: AsyncSession, *, rows: Sequence[RosterRow], actor: str) -> ImportResult:
    """Add or update households by 身份证号, all or nothing; each changed household is audited, masked.

    Every row is checked before anything is written: name, number (length, birth date, checksum),
    size, cause, status, village — and a number appearing twice in the file.

    Raises:
        InvalidInput: any row is bad; `problems` holds one line per problem naming row and column.
    """
    villages = await list_villages(session)
    if not villages:
        raise InvalidInput("尚未导入任何村，请先用 fupin places import 导入村庄名单，再导入贫困户名单。")
    places = _Places(await list_townships(session), villages)
    problems: list[str] = []
    checked: list[_Checked] = []
    first_row: dict[str, int] = {}
    for row in rows:
        good = _check_row(row, places, problems)
        if good is None:
            continue
        if good.id_number in first_row:
            problems.append(f"{_where(row, 'id_number')}：身份证号与第 {first_row[good.id_number]} 行重复")
            continue
        first_row[good.id_number] = row.row
        checked.append(good)
    if problems:
        raise problems_error("贫困户名单", problems, shown=MAX_PROBLEMS_SHOWN)

    # All reads and checks are done before the first write, and the writes are bulk statements: the
    # write transaction is short, so the bot (on SQLite, which has one write lock for the whole file)
    # is kept waiting a second or two, not for the minutes a flush per household of a 100,000-row
    # roster would take.
    existing = {h.id_number: h for h in (await session.scalars(select(Household))).all()}
    written: list[tuple[Household, dict[str, Any] | None]] = []
    for good in checked:
        household = existing.get(good.id_number)
        fields: dict[str, Any] = {"head_name": good.head_name, "village": good.village, "members": good.members}
        if good.cause is not None:
            fields["cause"] = good.cause
        if good.status is not None:
            fields["status"] = good.status
        if household is None:
            # Not added to the session: inserted in bulk below, kept here for its audit snapshot.
            household = Household(id_number=good.id_number, **{"status": HouseholdStatus.REGISTERED, **fields})
            written.append((household, None))
        elif any(getattr(household, name) != value for name, value in fields.items()):
            snapshot = household_snapshot(household)
            for name, value in fields.items():
                setattr(household, name, value)
            written.append((household, snapshot))
    await session.flush()
    new = [household for household, before in written if before is None]
    if new:
        columns = ("id_number", "head_name", "village_id", "members", "cause", "status")
        inserted = await session.execute(
            insert(Household).returning(Household.id_number, Household.id),
            [{name: getattr(h, name) for name in columns} | {"village_id": h.village.id} for h in new],
        )
        ids: dict[str, int] = {id_number: id_ for id_number, id_ in inserted}
        for household in new:
            household.id = ids[household.id_number]
    await audit.record_each(
        session,
        actor=actor,
        action="household.import",
        changes=((f"household:{h.id}", before, household_snapshot(h)) for h, before in written),
    )
    created = sum(1 for _household, before in written if before is None)
    return ImportResult(created=created, updated=len(written) - created, unchanged=len(checked) - len(written))
