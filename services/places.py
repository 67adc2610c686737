"""Townships and villages: seeding the county's 15 townships, importing village lists, naming places.

Townships ship with the package (`services/data/xinbin-townships.csv`) and are seeded at start-up,
not by a migration, so that tests may empty every table and seed again. Villages come from the
poverty office's list, imported from CSV all-or-nothing.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import audit
from services.errors import InvalidInput, problems_error
from services.models import Township, Village

#: Package data file with one row per township: statistical code, name.
TOWNSHIPS_RESOURCE = "xinbin-townships.csv"

#: Header a village list must start with (the Chinese header is accepted as well).
VILLAGE_CSV_HEADERS = (("township", "village"), ("乡镇", "村"))

#: Separator in `乡镇/村名`, the unambiguous way to name a village (full-width ／ folds to it).
PLACE_SEPARATOR = "/"

#: Longest village name the schema holds.
MAX_VILLAGE_NAME = 64

#: Below this rapidfuzz score a "did you mean" suggestion would mislead more than help.
SUGGESTION_CUTOFF = 50

#: With at most this many villages an error lists them all; beyond it, only the closest few.
LIST_ALL_VILLAGES_UP_TO = 30

#: Problems quoted in one error message; the rest are counted.
MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class VillageRow:
    """One data line of a village list; `line` is the line number in the file (header is line 1)."""

    line: int
    township: str
    village: str


@dataclass(frozen=True)
class ImportResult:
    """What an import did: villages added now and villages that were already there."""

    created: int
    existing: int


def normalize_name(name: str) -> str:
    """Fold full-width forms and surrounding blanks (incl. the ideographic space) out of a place name."""
    return unicodedata.normalize("NFKC", name).strip()


def closest(name: str, choices: Iterable[str], *, limit: int = 1) -> list[str]:
    """The choices that look most like `name` (for "是不是…？" suggestions), best first."""
    matches = process.extract(name, list(choices), scorer=fuzz.WRatio, limit=limit, score_cutoff=SUGGESTION_CUTOFF)
    return [match for match, _score, _index in matches]


def township_seed() -> list[tuple[str, str]]:
    """The county's townships as (statistical code, name), read from package data."""
    text = resources.files("services").joinpath("data", TOWNSHIPS_RESOURCE).read_text(encoding="utf-8")
    return [(row["code"].strip(), row["township"].strip()) for row in csv.DictReader(io.StringIO(text))]


async def ensure_townships(session: AsyncSession) -> int:
    """Insert any missing township from the package list; returns how many were added.

    Idempotent and cheap, so it runs at every start-up. Not audited: it is reference data the
    program ships, not a change anyone made.
    """
    known = set((await session.scalars(select(Township.code))).all())
    missing = [Township(code=code, name=name) for code, name in township_seed() if code not in known]
    session.add_all(missing)
    await session.flush()
    return len(missing)


async def list_townships(session: AsyncSession) -> list[Township]:
    """Every township, in statistical-code order."""
    return list((await session.scalars(select(Township).order_by(Township.code))).all())


async def list_villages(session: AsyncSession, *, township: str | None = None) -> list[Village]:
    """Villages in township-code then name order; only one township's when `township` is given.

    Raises:
        InvalidInput: `township` names no township.
    """
    query = select(Village).join(Village.township).order_by(Township.code, Village.name)
    if township is not None:
        found = await find_township(session, name=township)
        query = query.where(Village.township_id == found.id)
    return list((await session.scalars(query)).all())


async def village_counts(session: AsyncSession) -> dict[int, int]:
    """Number of villages per township id (townships without villages are absent)."""
    rows = await session.execute(select(Village.township_id, func.count()).group_by(Village.township_id))
    return {township_id: count for township_id, count in rows}


def _unknown_township_message(name: str, townships: Sequence[Township]) -> str:
    names = [t.name for t in townships]
    suggestion = closest(name, names)
    if suggestion:
        return f"没有名为“{name}”的乡镇，是不是“{suggestion[0]}”？"
    return f"没有名为“{name}”的乡镇。全县乡镇：{'、'.join(names)}。"


async def find_township(session: AsyncSession, *, name: str) -> Township:
    """The township called `name` (its statistical code is accepted too).

    Raises:
        InvalidInput: no such township; the message suggests the closest or lists them all.
    """
    wanted = normalize_name(name)
    townships = await list_townships(session)
    for township in townships:
        if wanted in (township.name, township.code):
            return township
    raise InvalidInput(_unknown_township_message(wanted, townships), choices=[t.name for t in townships])


def _village_choices_message(name: str, villages: Sequence[Village]) -> str:
    if not villages:
        return f"没有名为“{name}”的村：尚未导入任何村，请县扶贫办先导入村庄名单。"
    full_names = [v.full_name for v in villages]
    if len(villages) <= LIST_ALL_VILLAGES_UP_TO:
        return f"没有名为“{name}”的村。可选的村：{'、'.join(full_names)}。"
    by_name = {v.name: v.full_name for v in villages} | {v.full_name: v.full_name for v in villages}
    near = list(dict.fromkeys(by_name[m] for m in closest(name, by_name, limit=5)))
    hint = f"相近的有：{'、'.join(near)}；" if near else ""
    return f"没有名为“{name}”的村。{hint}共 {len(villages)} 个村，完整名单可用“村庄列表”查看。"


async def resolve_villages(session: AsyncSession, *, names: Iterable[str]) -> list[Village]:
    """The villages named, each as `村名` (when only one township has it) or `乡镇/村名`.

    Raises:
        InvalidInput: a name matches no village or several; the message names the valid choices.
    """
    villages = await list_villages(session)
    by_full_name = {v.full_name: v for v in villages}
    found: list[Village] = []
    for raw in names:
        name = normalize_name(raw)
        if PLACE_SEPARATOR in name:
            township, _, village = (part.strip() for part in name.partition(PLACE_SEPARATOR))
            await find_township(session, name=township)  # a wrong township gets its own suggestion
            match = by_full_name.get(f"{township}{PLACE_SEPARATOR}{village}")
            candidates = [match] if match else []
        else:
            candidates = [v for v in villages if v.name == name]
        if not candidates:
            raise InvalidInput(_village_choices_message(name, villages), choices=list(by_full_name))
        if len(candidates) > 1:
            options = [v.full_name for v in candidates]
            raise InvalidInput(
                f"有 {len(candidates)} 个村都叫“{name}”，请写明乡镇：{'、'.join(options)}。", choices=options
            )
        if candidates[0] not in found:
            found.append(candidates[0])
    return found


def read_villages_csv(text: str) -> list[VillageRow]:
    """Parse a village list: header `township,village` (or `乡镇,村`), then one village per line.

    Blank lines are skipped; empty columns beyond the second (as spreadsheet exports add) are ignored.

    Raises:
        InvalidInput: wrong header or lines with the wrong number of columns, all named by line.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    wanted = " 或 ".join(",".join(h) for h in VILLAGE_CSV_HEADERS)
    if header is None:
        raise InvalidInput(f"文件是空的。第 1 行应为表头：{wanted}")
    if tuple(normalize_name(h).lower() for h in header if h.strip()) not in VILLAGE_CSV_HEADERS:
        raise InvalidInput(f"第 1 行表头应为：{wanted}，实际是：{','.join(header)}")
    rows: list[VillageRow] = []
    problems: list[str] = []
    for cells in reader:
        while len(cells) > 2 and not cells[-1].strip():
            cells.pop()
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != 2:
            problems.append(f"第 {reader.line_num} 行：应有 2 列（乡镇,村），实际有 {len(cells)} 列")
            continue
        rows.append(VillageRow(line=reader.line_num, township=cells[0], village=cells[1]))
    if problems:
        raise problems_error("村庄名单", problems, shown=MAX_PROBLEMS_SHOWN)
    return rows


async def import_villages(
    session: AsyncSession, rows: Sequence[VillageRow], *, actor: str = audit.CLI_ACTOR
) -> ImportResult:
    """Add the listed villages, all or nothing; villages already recorded are counted, not duplicated.

    Every line is checked before anything is written: empty names, unknown townships (with the
    closest township suggested), names that cannot be stored, and lines repeating an earlier one.

    Raises:
        InvalidInput: any line is bad; `problems` holds one Chinese line per problem, each starting
            with its line number.
    """
    townships = {t.name: t for t in await list_townships(session)}
    township_list = list(townships.values())
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    wanted: list[tuple[Township, str]] = []
    if not rows:
        raise InvalidInput("文件中没有村庄数据。")
    for row in rows:
        township_name, village = normalize_name(row.township), normalize_name(row.village)
        where = f"第 {row.line} 行："
        if not township_name:
            problems.append(where + "乡镇名称为空")
        elif township_name not in townships:
            problems.append(where + _unknown_township_message(township_name, township_list))
        if not village:
            problems.append(where + "村名为空")
        elif PLACE_SEPARATOR in village:
            problems.append(where + f"村名“{village}”中不能有“{PLACE_SEPARATOR}”")
        elif len(village) > MAX_VILLAGE_NAME:
            problems.append(where + f"村名超过 {MAX_VILLAGE_NAME} 个字")
        key = (township_name, village)
        if township_name and village and key in seen:
            problems.append(where + f"“{township_name}/{village}”与第 {seen[key]} 行重复")
            continue
        seen.setdefault(key, row.line)
        if township_name in townships and village:
            wanted.append((townships[township_name], village))
    if problems:
        raise problems_error("村庄名单", problems, shown=MAX_PROBLEMS_SHOWN)

    existing = {
        (township_id, name) for township_id, name in await session.execute(select(Village.township_id, Village.name))
    }
    new = [(t, name) for t, name in wanted if (t.id, name) not in existing]
    session.add_all(Village(township_id=t.id, name=name) for t, name in new)
    await session.flush()
    if new:
        await audit.record(
            session,
            actor=actor,
            action="places.import",
            subject="villages",
            after={"created": [f"{t.name}{PLACE_SEPARATOR}{name}" for t, name in new]},
        )
    return ImportResult(created=len(new), existing=len(wanted) - len(new))
