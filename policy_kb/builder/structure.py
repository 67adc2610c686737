"""The structure reader: a plan's lines and regions (cover notice, body, closing, annex), its
headings, and the blocks of text each responsibility statement governs, read into measures."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

from policy_kb.builder.facts import closes_a_de_clause, inside_quotes, read_facts
from policy_kb.builder.genre import (
    ANNEX_RE,
    BARE_NUMBER_RE,
    CADENCE_EVERY_RE,
    CLAUSE_SEPARATORS,
    DATE_RE,
    DOC_NUMBER_RE,
    GOAL_HEADING_MAX_LEVEL,
    GOAL_HEADING_WORD,
    GOAL_TITLE_RE,
    HEADING_MAX_CHARS,
    HEADING_NUMERALS,
    HEADING_PATTERNS,
    HEADING_STATEMENT_RE,
    INLINE_STATEMENT_RE,
    INTRODUCING_ENDS,
    ISSUER_END_RE,
    LEAD_PARTNERS_RE,
    LEADS_SENTENCE_RE,
    LETTERHEAD_SUFFIX,
    LINE_ENDS,
    MARKED_LEAD_RE,
    NOT_IN_UNIT_NAMES,
    NOT_UNIT_STARTS,
    NOTICE_TITLE_RE,
    OPENERS,
    PARTNER_ROLE_RE,
    PRINTED_RE,
    RESPONSIBILITY_RE,
    RESPONSIBILITY_WORDS_RE,
    SENTENCE_ENDS,
    SIGNED_RE,
    SQUARE_STATEMENT_RE,
    THRESHOLD_BEFORE_RE,
    TITLE_RE,
    TOWNSHIP_RE,
    TRAILING_RESPONSIBILITY_RE,
    UNIT_MAX_CHARS,
    UNIT_NAME_END_RE,
    UNIT_REMARK_RE,
    UNIT_SEPARATORS_RE,
)
from policy_kb.builder.text import PlanParseError, compact, split_sentences, text_sha256
from policy_kb.lexicon import Lexicon
from policy_kb.numbers import Quantity, base_value, find_quantities, parse_number
from policy_kb.report import BuildReport
from policy_kb.schema import (
    Benefit,
    Measure,
    Source,
    Target,
)

# --------------------------------------------------------------------------------------------
# Lines
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A logical line and the line of the text it starts on (1-based), for warnings."""

    number: int
    text: str


def logical_lines(text: str) -> list[str]:
    """Non-blank lines with stray line breaks mended (see `numbered_lines`)."""
    return [line.text for line in numbered_lines(text)]


def numbered_lines(text: str) -> list[Line]:
    """Non-blank lines with stray line breaks mended, each with its line number.

    A paragraph line that was cut short (it is prose, with a comma or a full stop inside, and ends
    without sentence punctuation) continues on the next non-blank line ("…资金和财政\\n\\n专项资金…"),
    unless that line stands alone: a heading, a responsibility statement, a date, an annex.
    Titles, signatures and table rows hold no such punctuation and are never joined.
    Front matter (before the first heading or sentence) is never joined.
    """
    out: list[Line] = []
    in_body = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if out and in_body and _runs_on(out[-1].text) and not _stands_alone(line):
            out[-1] = Line(out[-1].number, out[-1].text + line)
            continue
        out.append(Line(number, line))
        in_body = in_body or _match_heading(line) is not None or line.endswith(tuple(SENTENCE_ENDS))
    return out


def _runs_on(line: str) -> bool:
    """Whether a body line was cut short: prose that ends without punctuation."""
    if line.endswith(tuple(LINE_ENDS)) or _stands_alone(line):
        return False
    heading = _match_heading(line)
    body = heading[1] if heading is not None else line
    return any(mark in body for mark in "，,。；;")


def _stands_alone(line: str) -> bool:
    """Lines that are never part of a paragraph: responsibility statements, dates, annexes,
    bare headings."""
    if _statement(line) is not None or DATE_RE.fullmatch(line) or PRINTED_RE.search(line) or ANNEX_RE.match(line):
        return True
    heading = _match_heading(line)
    return heading is not None and not heading[1]


# --------------------------------------------------------------------------------------------
# The document's regions: cover notice, front matter, body, closing, annex
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Notice:
    """The cover notice that issues the plan (关于印发《…》的通知): its lines and the plan's title."""

    lines: list[str]
    title: str
    #: Where the notice's own title (关于印发《…》的通知) starts among its lines.
    title_at: int


@dataclass(frozen=True)
class _Document:
    notice: _Notice | None
    #: The plan's own front matter: issuer, document number, title (before the first heading).
    front: list[str]
    #: From the first heading or sentence to the signature.
    body: list[Line]
    #: The signature block: annex announcements, issuer, date, print line.
    closing: list[str]
    #: Everything after an 附件 heading that follows the closing date.
    annex: list[Line]
    #: Every logical line, for the closing-date fallback.
    lines: list[str]


def read_regions(lines: list[Line]) -> _Document:
    """Cut the text into its regions, so that a notice, a signature or an annex table is never
    read as a measure's text."""
    notice, rest = _split_notice(lines)
    start = next(
        (i for i, line in enumerate(rest) if _match_heading(line.text) or line.text.endswith(tuple(SENTENCE_ENDS))),
        len(rest),
    )
    front, after = rest[:start], rest[start:]
    end = next((i for i, line in enumerate(after) if _closes_body(after, i)), len(after))
    body, tail = after[:end], after[end:]
    dated = next((i for i, line in enumerate(tail) if _date_in(line.text) is not None), len(tail) - 1)
    closing, annex = tail[: dated + 1], tail[dated + 1 :]
    annex_start = next((i for i, line in enumerate(annex) if ANNEX_RE.match(line.text)), len(annex))
    closing += annex[:annex_start]
    return _Document(
        notice=notice,
        front=[line.text for line in front],
        body=body,
        closing=[line.text for line in closing],
        annex=annex[annex_start:],
        lines=[line.text for line in lines],
    )


def _split_notice(lines: list[Line]) -> tuple[_Notice | None, list[Line]]:
    """The cover notice, and the lines after it (the plan from its title on).

    The notice ends where the plan's title stands again on a line of its own, else after the
    notice's date and any bracketed remark (（此件公开发布）).
    """
    for i, line in enumerate(lines):
        if _match_heading(line.text):
            break
        wrapped = "》" not in line.text and i + 1 < len(lines)  # a notice title over two lines
        m = NOTICE_TITLE_RE.search(line.text + lines[i + 1].text if wrapped else line.text)
        if m is None:
            continue
        title = m["title"] or m["bare"]
        again = next((j for j in range(i + 1, len(lines)) if compact(lines[j].text) == compact(title)), None)
        if again is None:
            dated = next((j for j in range(i + 1, len(lines)) if _date_in(lines[j].text)), i)
            again = dated + 1
            while again < len(lines) and lines[again].text.startswith(OPENERS[:2]):
                again += 1
        return _Notice([x.text for x in lines[:again]], title, i), lines[again:]
    return None, lines


def _closes_body(lines: list[Line], i: int) -> bool:
    """Whether line i begins the signature block: an annex announcement, a date, a print line, or
    a line without punctuation (the issuer) followed by a date."""
    text = lines[i].text
    if ANNEX_RE.match(text) or _date_in(text) is not None:
        return True
    if _match_heading(text) or any(mark in text for mark in SENTENCE_ENDS + CLAUSE_SEPARATORS + "（()）"):
        return False
    return i + 1 < len(lines) and DATE_RE.fullmatch(lines[i + 1].text) is not None


def _date_in(line: str) -> re.Match[str] | None:
    """The date of a date line (2018年4月2日), of a print line (…2019年3月15日印发) or of a
    signature that carries it."""
    return DATE_RE.fullmatch(line) or PRINTED_RE.search(line) or SIGNED_RE.match(line)


def read_source(doc: _Document, text: str, filename: str) -> Source:
    """Title, issuer, document number and date of the plan; those of its cover notice when a
    notice issues it (the notice is the document the office files)."""
    if doc.notice is not None:
        return _notice_source(doc.notice, text, filename)
    front = doc.front
    doc_number = next((m.group(0) for line in front if (m := DOC_NUMBER_RE.search(line))), "")
    rest = [line for line in front if not DOC_NUMBER_RE.search(line)]
    at = next((i for i, line in enumerate(rest) if TITLE_RE.search(line)), None)
    if at is None:
        raise PlanParseError("没有找到方案标题（文首应有以“方案”“计划”“意见”等结尾的标题行）。")
    if at > 0 and not ISSUER_END_RE.search(rest[at - 1]) and not re.search(r"[，,。；;：:]", rest[at - 1]):
        at -= 1  # a title over two lines
        rest[at : at + 2] = [rest[at] + rest[at + 1]]
    title = rest[at]
    issuers = [line.removesuffix(LETTERHEAD_SUFFIX).strip() for line in rest if line != title]
    issuer = next(
        (line for line in issuers if any(closing.startswith(line) for closing in doc.closing)),
        issuers[0] if issuers else None,
    )
    if issuer is None:
        raise PlanParseError("没有找到发文单位（文首或落款应有发文单位名称）。")
    return Source(
        title=title,
        issuer=issuer,
        doc_number=doc_number,
        date=_closing_date(doc.closing if any(_date_in(line) for line in doc.closing) else doc.lines),
        sha256=text_sha256(text),
        filename=filename,
    )


def _notice_source(notice: _Notice, text: str, filename: str) -> Source:
    """The plan's title from inside 《》; issuer (without 文件), number and date of the notice."""
    letterhead = next((line for line in notice.lines[: notice.title_at] if line.endswith(LETTERHEAD_SUFFIX)), None)
    issuer = letterhead.removesuffix(LETTERHEAD_SUFFIX).strip() if letterhead else _notice_signature(notice)
    if not issuer:
        raise PlanParseError("没有找到发文单位（印发通知的文头或落款应有发文单位名称）。")
    doc_number = next((m.group(0) for line in notice.lines if (m := DOC_NUMBER_RE.search(line))), "")
    return Source(
        title=notice.title,
        issuer=issuer,
        doc_number=doc_number,
        date=_closing_date(notice.lines),
        sha256=text_sha256(text),
        filename=filename,
    )


def _notice_signature(notice: _Notice) -> str | None:
    """Who signs the notice: the line before its date, or the name before the date on one line."""
    for i, line in enumerate(notice.lines[notice.title_at :], notice.title_at):
        if DATE_RE.fullmatch(line):
            return notice.lines[i - 1]
        if m := SIGNED_RE.match(line):
            return line[: m.start("y")].strip()
    return None


def _closing_date(lines: list[str]) -> dt.date:
    """The date of the closing block (its last date line, else its print line)."""
    for line in reversed(lines):
        if m := _date_in(line):
            year = int("".join(str(_digit(ch)) for ch in m["y"]))
            try:
                return dt.date(year, int(parse_number(m["m"])), int(parse_number(m["d"])))
            except ValueError as exc:
                raise PlanParseError(f"落款日期无效：{line}") from exc
    raise PlanParseError("没有找到落款日期（文末应有形如“2018年4月2日”的日期行）。")


def _digit(ch: str) -> int:
    """One digit of a year written digit by digit (二〇一八)."""
    return int(ch) if ch.isdigit() else "〇一二三四五六七八九".index(ch.replace("零", "〇"))


@dataclass(frozen=True)
class _Heading:
    level: int
    number: int
    label: str
    title: str


def _match_heading(line: str) -> tuple[_Heading, str] | None:
    """A heading and the body text that follows it on the same line (an inline heading
    "1. 标题。正文…": the title is the text before the first 。), or None."""
    for level, pattern in HEADING_PATTERNS:
        m = pattern.match(line)
        if m is None or _statement(line) is not None:
            continue
        rest = m["rest"].lstrip("：: ")  # 第一部分：目标任务
        title, sep, body = rest.partition("。")
        if not title:
            continue
        label = line[: m.start("rest")].strip() + title
        number = int(parse_number(m["num"]))
        return _Heading(level, number, label, title.strip()), body.strip() if sep else ""
    return None


# --------------------------------------------------------------------------------------------
# Responsibility statements
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Statement:
    """A responsibility statement as written, its units (lead first) and the township flag."""

    line: str
    units: list[str]
    township: bool


def _statement(text: str) -> _Statement | None:
    """A responsibility statement in any form of the genre, when `text` is one and nothing else."""
    text = SQUARE_STATEMENT_RE.sub(r"（\1）", text.strip())
    if m := RESPONSIBILITY_RE.match(text):
        listed = re.split(r"[。.]", m["body"] if m["body"] is not None else m["bare"])[0]
        return _statement_of(text, _unit_list(listed))
    if m := LEAD_PARTNERS_RE.match(text):
        return _statement_of(text, _unit_list(m["lead"]) + _unit_list(m["others"] or ""))
    if (m := LEADS_SENTENCE_RE.match(text)) and _all_units(m["lead"]) and _all_units(m["others"] or ""):
        statement = _statement_of(text, _unit_list(m["lead"]) + _unit_list(m["others"] or ""))
        # "…配合，各乡镇具体落实": the townships' own clause is their mention.
        return replace(statement, township=True) if m["townships"] else statement
    return None


def _pieces(paragraph: str) -> list[str]:
    """A paragraph cut after each bracketed statement in it, each piece closed by its own
    statement, and the rest (empty when a statement ends it; [paragraph] when it holds none)."""
    pieces: list[str] = []
    start = 0
    for m in INLINE_STATEMENT_RE.finditer(paragraph):
        if _statement(m["line"]) is None:
            continue
        before = paragraph[start : m.start()].rstrip("，, ")
        if before and before[-1] not in "。；;！!？?）)”":
            before += "。"
        pieces.append(before + m["line"])
        start = m.end()
    return [*pieces, paragraph[start:]]


def _trailing_statement(paragraph: str) -> tuple[str, _Statement] | None:
    """A paragraph closed by its responsibility statement: (…。（责任单位：…）) or the sentence
    "X牵头，Y、Z配合。" / "牵头单位：X；配合单位：Y。"; the paragraph's own text and the statement."""
    paragraph = SQUARE_STATEMENT_RE.sub(r"（\1）", paragraph)
    if m := TRAILING_RESPONSIBILITY_RE.search(paragraph):
        statement = _statement(m["line"])
        if statement is not None:
            return paragraph[: m.start()].strip(), statement
    sentences = split_sentences(paragraph)
    for n in (1, 2):  # "牵头单位：X；配合单位：Y。" splits at its ；
        if len(sentences) > n and (statement := _statement("".join(sentences[-n:]))) is not None:
            return "".join(sentences[:-n]), statement
    return None


def _unit_list(text: str) -> list[str]:
    """The names of a list of units; a closing 等 (县财政局等, 等部门) ends the list, names none."""
    return [LIST_END_RE.sub("", p.strip()) for p in UNIT_SEPARATORS_RE.split(text) if p.strip()]


#: What may close a list of units: 等, 等单位, 等部门.
LIST_END_RE = re.compile(r"等(?:单位|部门|有关单位|相关单位)?$")


def _all_units(text: str) -> bool:
    """Whether every name of a list reads as a unit or a township (县教育局、各乡镇人民政府)."""
    return all(
        len(name) <= UNIT_MAX_CHARS
        and not any(ch in name for ch in NOT_IN_UNIT_NAMES)
        and not name.startswith(NOT_UNIT_STARTS)
        and (UNIT_NAME_END_RE.search(name) or TOWNSHIP_RE.fullmatch(name))
        for name in _unit_list(text)
    )


def _statement_of(line: str, names: list[str]) -> _Statement:
    """Drop remarks and townships from the names: the township mention becomes the flag. A unit
    marked 县扶贫办（牵头） leads wherever the list names it."""
    parts = [PARTNER_ROLE_RE.sub("", p.strip()) for p in names if p.strip() and not UNIT_REMARK_RE.search(p)]
    marked = [i for i, p in enumerate(parts) if MARKED_LEAD_RE.match(p)]
    if marked:
        lead = parts.pop(marked[0])
        parts = [MARKED_LEAD_RE.sub(r"\g<name>", p) for p in [lead, *parts]]
    township = any(TOWNSHIP_RE.fullmatch(p) for p in parts)
    return _Statement(line, [p for p in parts if not TOWNSHIP_RE.fullmatch(p)], township)


def parse_responsibility_line(line: str) -> tuple[list[str], bool]:
    """The units of a responsibility statement, lead first, and whether townships take part.

    Every form of the genre is read: （责任单位：A、B）, 牵头单位：A；配合单位：B、C。 and
    A牵头，B、C配合。 The plan's rule (第一个单位为牵头单位，其它为参与单位，下同) is stated once and
    applies to every line; it is a remark, not a unit, and is dropped. Townships (相关乡镇/各乡镇人民
    政府) are not county units: they are reported as the flag instead.

    Raises:
        PlanParseError: when the line is not a responsibility statement.
    """
    statement = _statement(line)
    if statement is None:
        raise PlanParseError(f"不是责任单位行：{line}")
    return statement.units, statement.township


# --------------------------------------------------------------------------------------------
# Walking the structure into blocks, one per responsibility statement
# --------------------------------------------------------------------------------------------


@dataclass
class _Block:
    """The text one responsibility statement governs: since the previous statement or heading.

    `lines[i]` is the line number of `paragraphs[i]` and `report` the build's warnings: a fact
    reader that cannot account for a figure warns with the line of its paragraph
    (`block.report.warn(block.lines[i], kind, sentence)`).
    """

    headings: tuple[_Heading, ...]
    paragraphs: list[str]
    responsibility_line: str
    units: list[str] = field(default_factory=list)
    township: bool = False
    lines: list[int] = field(default_factory=list)
    report: BuildReport = field(default_factory=BuildReport)


def walk_blocks(body: list[Line], report: BuildReport) -> tuple[list[_Block], list[str]]:
    """Blocks of text each closed by a responsibility statement, and the paragraphs of the goal
    part. What no statement closes is reported, as are headings and statements that cannot be read.

    A statement that opens its heading instead of closing it (in the heading line, or on the line
    right after it) governs the text up to the next heading when no later statement does.

    Sub-items ("1.教育资助" then "（1）学前教育。…（2）义务教育。…" and one statement after them) are
    one measure, titled by their parent: a heading below text with no statement of its own does
    not end that text when the text introduces it (`_sub_item_of`).
    """
    blocks: list[_Block] = []
    goals: list[str] = []
    stack: list[_Heading] = []
    pending: list[Line] = []
    #: The headings the pending text belongs to: the stack when it started, or the parent of the
    #: sub-items it runs across.
    root: tuple[_Heading, ...] = ()
    #: Whether the pending text opened on its heading's own line ("（一）实施产业扶贫。坚持…").
    opened_inline = False
    #: Levels whose headings have been closed by a statement: their headings are measures.
    measure_levels: set[int] = set()
    #: The block of a statement that opened the current heading, while no other closed a block.
    opening: list[_Block] = []
    closed_since_heading = False

    def close(statement: _Statement, line: int) -> None:
        nonlocal closed_since_heading
        headings = root if pending and len(root) < len(stack) else tuple(stack)
        if headings:
            measure_levels.add(headings[-1].level)
        block = _Block(
            headings,
            [p.text for p in pending],
            statement.line,
            statement.units,
            statement.township,
            [p.number for p in pending],
            report,
        )
        blocks.append(block)
        opening[:] = [block] if not pending and not closed_since_heading else []
        closed_since_heading = True
        if not statement.units and not statement.township:
            report.warn(line, "responsibility", statement.line)
        pending.clear()

    def unplaced() -> None:
        if pending and opening:
            opening[0].paragraphs += [p.text for p in pending]
            opening[0].lines += [p.number for p in pending]
        elif pending:
            where = stack[-1].label if stack else ""
            report.warn(pending[0].number, "no_responsibility", f"{where}：{pending[0].text}")
        pending.clear()

    for line in body:
        statement = _statement(line.text)
        if statement is not None:
            close(statement, line.number)
            continue
        heading = _match_heading(line.text)
        text = line.text
        if heading is not None:
            found, in_title = _heading_statement(heading[0])
            introduces = bool(pending) and (opened_inline or pending[-1].text.endswith(INTRODUCING_ENDS))
            if pending and in_title is None and _sub_item_of(root, found, measure_levels, introduces=introduces):
                # A sub-item of the text before it: one measure with it, under their parent.
                root = tuple(h for h in root if h.level < found.level)
            else:
                unplaced()
            opening.clear()
            closed_since_heading = False
            _check_heading(found, stack, line.number, report)
            stack = [h for h in stack if h.level < found.level] + [found]
            if in_title is not None:
                close(in_title, line.number)
            text = heading[1]
            if not text:
                continue
        if not stack:
            continue  # the preamble (为…，制定本方案。) governs nothing
        if any(_is_goal_heading(h) for h in stack):
            goals.append(text)
            continue
        *inside, text = _pieces(text)
        for piece in inside:  # "…一是…（牵头单位：X，配合单位：Y）。二是…": each statement closes its piece
            if not pending:
                root, opened_inline = tuple(stack), heading is not None
            piece_text, statement = _trailing_statement(piece) or (piece, None)
            pending.append(Line(line.number, piece_text))
            if statement is not None:
                close(statement, line.number)
        if not text.strip("。；; "):
            continue
        if not pending:
            root, opened_inline = tuple(stack), heading is not None
        trailing = _trailing_statement(text)
        if trailing is not None:
            if trailing[0]:
                pending.append(Line(line.number, trailing[0]))
            close(trailing[1], line.number)
            continue
        if RESPONSIBILITY_WORDS_RE.search(text):
            report.warn(line.number, "responsibility", text)
        pending.append(Line(line.number, text))
    unplaced()
    return blocks, goals


def _sub_item_of(root: tuple[_Heading, ...], heading: _Heading, measure_levels: set[int], *, introduces: bool) -> bool:
    """Whether text under `root` with no statement yet runs on into `heading`, at a level no
    statement has closed (so no measure of its own): a sub-item below it when the text introduces
    its sub-items (it opens on its heading's line, or ends "如下："), or when measures were closed
    at shallower levels only; its next sibling in that case too."""
    if not root or heading.level in measure_levels:
        return False
    top = root[-1]
    deeper = bool(measure_levels) and heading.level > max(measure_levels)
    if heading.level > top.level:
        return introduces or deeper
    return deeper and heading.level == top.level and len(root) >= 2


def _heading_statement(heading: _Heading) -> tuple[_Heading, _Statement | None]:
    """A heading that carries its statement (（一）产业扶贫（责任单位：县农业局）): the heading
    without it, and the statement."""
    m = HEADING_STATEMENT_RE.search(heading.title)
    statement = _statement(m["line"]) if m else None
    if m is None or statement is None:
        return heading, None
    title = heading.title[: m.start()].strip()
    label = heading.label[: len(heading.label) - len(heading.title)] + title
    return _Heading(heading.level, heading.number, label, title), statement


def _is_goal_heading(heading: _Heading) -> bool:
    """一、主要目标 / 第一部分 目标任务, or a section that is about goals (（二）主要目标)."""
    if GOAL_HEADING_WORD not in heading.title:
        return False
    return heading.level <= GOAL_HEADING_MAX_LEVEL or GOAL_TITLE_RE.search(heading.title) is not None


def _check_heading(heading: _Heading, stack: list[_Heading], line: int, report: BuildReport) -> None:
    """Report a heading whose number breaks its sequence (a heading before it was not read) or
    whose title is too long to be one (a paragraph whose numbering was read as a heading)."""
    siblings = [h for h in stack if h.level == heading.level]
    expected = siblings[-1].number + 1 if siblings else 1
    if heading.number != expected or len(heading.title) > HEADING_MAX_CHARS:
        report.warn(line, "heading", heading.label)


#: A heading's number left at the start of its title (一、 （二） 3. 第一部分): no part of a measure's id.
MEASURE_NUMBER_RE = re.compile(
    rf"^\s*(?:第[{HEADING_NUMERALS}\d]+(?:部分|章|节|条)|[(]\s*[{HEADING_NUMERALS}\d]+\s*[)]|[{HEADING_NUMERALS}\d]+\s*[、.](?!\d))\s*"
)


def read_measures(blocks: list[_Block], lexicon: Lexicon) -> list[Measure]:
    """One Measure per block, with an id that survives next year's edition of the plan.

    Stored reports, tasks and reviewed phrases keep a measure's id across editions, so the id
    cannot be the heading's position (adding one measure renumbered every later one). The rule:
    `_heading_id` of the measure's title (its words without their numbering); the second, third…
    block under titles with the same id, in text order, get `-2`, `-3`… The first never gets a
    suffix, so a measure keeps its id when a responsibility line is added after its own.
    Renaming a title gives a new id.
    """
    seen: Counter[str] = Counter()
    measures = []
    for block in blocks:
        base = _heading_id(block.headings)
        seen[base] += 1
        measure_id = f"{base}-{seen[base]}" if seen[base] > 1 else base
        measures.append(_measure(measure_id, block, lexicon))
    return measures


def _heading_id(headings: tuple[_Heading, ...]) -> str:
    """The innermost heading's normalised title, hashed: "m" and 8 hex digits of its sha256.

    Normalised: NFKC (full- and half-width alike), any leading number (一、 （二） 3. 第一部分)
    dropped, then only letters and digits kept — spaces, quotes and brackets vary between
    editions of one plan. A hash rather than the title itself keeps the id within the 16
    characters the database gives it and the 64 bytes of a Telegram button. Text without a heading
    hashes the empty title. Ids never look like the old positional ones ("2.2.4"), which lets
    migration 0009 tell them apart.
    """
    title = unicodedata.normalize("NFKC", headings[-1].title if headings else "")
    title = MEASURE_NUMBER_RE.sub("", title)
    key = "".join(ch for ch in title if unicodedata.category(ch)[0] in "LN")
    return "m" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def _measure(measure_id: str, block: _Block, lexicon: Lexicon) -> Measure:
    """Read one block: units from its responsibility statement, facts from its sentences."""
    sentences = [s for p in block.paragraphs for s in split_sentences(p)]
    targets, benefits = read_facts(sentences, "\n".join(block.paragraphs), lexicon)
    _warn_unplaced_figures(block, targets, benefits)
    return Measure(
        id=measure_id,
        path=[h.label for h in block.headings],
        title=block.headings[-1].title if block.headings else "",
        text="\n".join(block.paragraphs),
        sentences=sentences,
        lead_unit=block.units[0] if block.units else "相关乡镇",
        units=block.units,
        township_takes_part=block.township,
        responsibility_line=block.responsibility_line,
        targets=targets,
        benefits=benefits,
    )


def _warn_unplaced_figures(block: _Block, targets: list[Target], benefits: list[Benefit]) -> None:
    """Warn of every figure of the block that no target, benefit or duty accounts for.

    Most are: a figure with a known unit becomes a target when nothing else claims it. What is left
    are figures whose unit the builder does not know ("组建 5 组服务队"), or that were claimed by
    nothing while standing in a sentence: those would be lost without a word. Years, dates, document
    numbers, ordinals and grades (D级) are no figures; nor is a count in quotes (“三个一批”) or one
    that only sets a condition (超过5000元的部分). A target read with no name accounts for nothing:
    nobody could ask for it.
    """
    named = [t for t in targets if t.indicator]
    placed: set[float] = {float(base_value(t.quantity, t.unit)) for t in named}
    placed |= {float(t.villages) for t in named if t.villages}
    for b in benefits:
        placed |= {float(v) for v in (b.amount_yuan, b.amount_max_yuan, b.percent, b.quantity) if v is not None}
    for paragraph, line in zip(block.paragraphs, block.lines, strict=False):
        text = compact(paragraph)
        read = find_quantities(text)
        for q in read:
            if float(q.value) in placed or inside_quotes(text, q.start) or _is_condition(text, q):
                continue
            if any(start <= q.start < end for start, end in (m.span() for m in CADENCE_EVERY_RE.finditer(text))):
                continue
            if not (q.numeral == "chinese" and q.value == 1):
                block.report.warn(line, "unplaced_figure", _around(text, q.start, q.end))
        for m in BARE_NUMBER_RE.finditer(text):
            if not any(q.start <= m.start() < q.end for q in read) and not inside_quotes(text, m.start()):
                block.report.warn(line, "unplaced_figure", _around(text, m.start(), m.end()))


def _is_condition(text: str, q: Quantity) -> bool:
    """A figure that only says who qualifies: after 超过/达到…, or closing a 的-clause (…5万元的)."""
    clause_start = max(text.rfind(c, 0, q.start) for c in "，,；;。") + 1
    before = text[clause_start : q.start]
    return bool(THRESHOLD_BEFORE_RE.search(before)) or closes_a_de_clause(text, q.end)


def _around(text: str, start: int, end: int) -> str:
    """The figure with the words around it, for the office to find it in the text."""
    return text[max(0, start - 12) : end + 6]
