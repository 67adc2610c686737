"""Plan text -> KnowledgeBase: a parser for county poverty-alleviation plans of this genre.

Nothing about the 2018 Xinbin plan is typed in here. The builder reads the front matter (issuer,
document number, title), the closing date, the heading structure (一、 / （一） / 1、), and the
responsibility lines `（责任单位：A、B、C…）` that close every measure; within each measure it reads
targets, benefits and cadences with patterns common to the genre. Next year's plan, or another
county's, loads by rebuilding. The reviewed lexicon only adds names the text cannot give.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from policy_kb.lexicon import Lexicon, load_lexicon
from policy_kb.numbers import AT_LEAST_BEFORE, Quantity, find_quantities, parse_number
from policy_kb.schema import (
    Benefit,
    BenefitKind,
    Cadence,
    Frequency,
    Goal,
    KnowledgeBase,
    Measure,
    Per,
    Period,
    Source,
    Target,
)

# --------------------------------------------------------------------------------------------
# Chinese-text constants of the genre. Everything the parser keys on is here, each with its why.
# --------------------------------------------------------------------------------------------

#: Sentence ends. 。 and ； close a statement; the plan also lists measures after ；.
SENTENCE_ENDS = "。；;！!？?"
#: Clause separators inside a sentence; a fact (figure, beneficiary) is read within its clause.
CLAUSE_SEPARATORS = "，,：:"
#: Opening brackets and quotes, full- and half-width; no split happens inside them, so that
#: （该进未进，漏登；…） stays one piece.
OPENERS = "（(“‘《「【〔［["
#: The matching closers, in the same order as OPENERS.
CLOSERS = "）)”’》」】〕］]"
#: A body line ending in none of these runs on in the next line (a stray newline in the text).
LINE_ENDS = SENTENCE_ENDS + "）)”"
#: Chinese numerals used in heading numbers (一、 and （一）).
HEADING_NUMERALS = "一二三四五六七八九十"
#: Heading levels: 一、 (part), （一）/(一) (section, full- or half-width), 1、 (item).
HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^(?P<num>[{HEADING_NUMERALS}]+)、\s*(?P<rest>.*)$")),
    (2, re.compile(rf"^[（(]\s*(?P<num>[{HEADING_NUMERALS}]+)\s*[）)]\s*(?P<rest>.*)$")),
    (3, re.compile(r"^(?P<num>\d+)\s*[、.．]\s*(?P<rest>.*)$")),
)
#: A responsibility line, in full- or half-width brackets and either colon.
RESPONSIBILITY_RE = re.compile(r"^[（(]\s*责任单位\s*[：:]\s*(?P<body>.*?)\s*[）)]\s*$")
#: Separators between the units of a responsibility line.
UNIT_SEPARATORS_RE = re.compile(r"[、，,；;]")
#: Remarks inside a responsibility line that are not units, such as the plan's lead rule
#: "第一个单位为牵头单位，其它为参与单位，下同".
UNIT_REMARK_RE = re.compile(r"牵头单位|参与单位|配合单位|下同")
#: The plan's own routing rule: the first unit listed leads, the others take part.
LEAD_RULE_RE = re.compile(r"第一个单位为牵头单位")
#: The township of the village concerned; not a county unit, recorded as township_takes_part.
TOWNSHIP_RE = re.compile(r"(?:相关|各|有关|所在)乡(?:镇|（镇）|\(镇\))(?:（街道）|\(街道\))?")
#: A document number such as 新脱贫发[2018]2号 (bracket styles vary between offices).
DOC_NUMBER_RE = re.compile(r"\S*?[发字函办][〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号")
#: A date written in Arabic or Chinese digits, as on the closing line (2018年4月2日).
DATE_RE = re.compile(
    r"(?P<y>[\d〇零一二三四五六七八九]{4})\s*年\s*(?P<m>[\d一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d>[\d一二三四五六七八九十]{1,3})\s*日"
)
#: Words that end the title of a plan-like document.
TITLE_WORDS: tuple[str, ...] = ("方案", "计划", "规划", "意见", "办法", "通知", "要点")
#: A part whose heading contains this word states the overall goals (一、主要目标).
GOAL_HEADING_WORD = "目标"
#: Verbs of "getting it done" that precede a target's object; the indicator is what follows them
#: (完成…D级危房改造 -> D级危房改造). Work verbs such as 新建/硬化/改造 are kept in the indicator.
ADMIN_VERBS: tuple[str, ...] = (
    "完成",
    "确保",
    "实现",
    "建成",
    "培育",
    "发展",
    "打造",
    "新增",
    "设有",
    "配备",
    "达到",
)
#: "At least" words at the end of an indicator (家庭农场不少于 -> 家庭农场).
AT_LEAST_WORDS_RE = re.compile(r"(?:至少|不少于|不低于|达到|要|力争|累计)+$")
#: A year or the county alone before a verb ("2018年全县实现…") names no indicator.
PLACE_AND_YEAR_RE = re.compile(r"^(?:\d{4}年)?(?:底前|年底|年内)?(?:全县|全市|全乡|全镇)?")
#: Joining words at the start of a clause that belong to no indicator.
CONNECTIVES = "并且和及、与"
#: Who a benefit goes to, when a clause does not say: the first of these named in the measure
#: (longest first, so 贫困户学生 wins over 贫困户).
BENEFICIARY_NOUNS: tuple[str, ...] = (
    "建档立卡贫困人口",
    "建档立卡贫困患者",
    "建卡贫困人口",
    "贫困户学生",
    "贫困人口",
    "贫困患者",
    "困难家庭",
    "脱贫户",
    "贫困户",
)
#: Verbs that end a beneficiary phrase introduced by 对 (对因灾致贫户组织开展…).
BENEFIT_VERBS = "组织开展|开展|实施|免收|免除|免交|给予|落实|纳入|进行|实行|优先|从|坚决|发放|减收"
#: 对X… names who a clause is about, up to the verb (not the 对 of 对象, 对接, 对照…).
FOR_WHOM_RE = re.compile(rf"对(?![象接照于比待])(?P<who>[^，]+?)(?=(?:{BENEFIT_VERBS})|$)")
#: 为X免费… names who receives a free service.
FOR_WHOM_FREE_RE = re.compile(r"为(?P<who>[^，]+?)(?=免费|提供)")
#: A rate: 每人每年, 每生每学期, 每年每户, 每亩, 每村一次性 (money per person / student / household /
#: mu / village, and how often).
RATE_RE = re.compile(
    r"每(?P<period_a>年|学期|月|天|日)每(?P<per_a>人|生|户|亩|村)"
    r"|每(?P<per_b>人|生|户|亩|村)(?:每(?P<period_b>年|学期|月|天|日)|(?P<once_b>一次性))?"
)
#: A rate written after the amount: 3000元/户, 50元/人/天, 1.5万元/户.
RATE_AFTER_RE = re.compile(r"^/(?P<per>人|生|户|亩|村)(?:/(?P<period>年|学期|月|天|日))?")
#: How often, said anywhere in the clause when the rate does not say it.
PERIOD_WORDS_RE = re.compile(r"(?P<once>一次性)|每(?P<every>年|学期|月|天|日)|(?P<yearly>年度|全年)")
#: What a rate is counted per, as the schema names it.
PER_WORDS: dict[str, Per] = {"人": "人", "生": "生", "户": "户", "亩": "亩", "村": "村"}
#: How often, as the schema names it (日 is 天).
PERIOD_WORDS: dict[str, Period] = {"年": "年", "学期": "学期", "月": "月", "天": "天", "日": "天"}
#: Words that make a sum of money something a recipient gets (the rest are targets such as
#: 村集体经济收入3万元 or thresholds).
MONEY_BENEFIT_WORDS_RE = re.compile(
    r"补助|补贴|奖补|奖励|资助|救助|信贷|贷款|贴息|助学金|生活费|保教费|低保|扶持资金|补偿|救济|基本生活|保障金|护理"
)
#: Words that make a sum of money an aim or a size, not something paid (收入3万元, 投入500万元).
MONEY_TARGET_WORDS_RE = re.compile(r"收入|产值|营业额|销售额|投入|总额|规模|资金量|整合")
#: A sum that only sets a condition: 超过5000元的部分, 首次达到5万元的.
THRESHOLD_BEFORE_RE = re.compile(r"(?:超过|超出|达到|高于|(?<!不)低于|不足|不到|累计)$")
#: A clause that gives the amount of what the clause before it named: "落实X补贴和Y补贴，标准均为…".
STANDARD_OF_BEFORE_RE = re.compile(r"^(?:补助|补贴|资助)?标准(?:均|都)?为|^(?:均|都)为")
#: Verbs and fillers around an amount that name no item (给予 1200 元; 的标准给予生活补贴;
#: 补助标准提高到 1.5 万元).
AMOUNT_FILLERS_RE = re.compile(
    r"^(?:的标准|标准)?(?:给予|发放|补助|补贴)?|"
    r"(?:政策|的标准|标准|标准为|提高到|标准提高到|为|按|按照|给予|发放|一次性|最高可申请|最高|可申请|不低于|不少于)+$"
)
#: Lead-ins before a rate that name no beneficiary (补助标准为…, …按照…, 继续执行…).
SUBJECT_FILLERS_RE = re.compile(
    r"^(?:补助|资助)?标准为|^(?:继续)?执行|(?:按照|按|标准为|标准提高到|提高到|标准)+$|^(?:对|为)"
)
#: Trailing words of a beneficiary phrase that do not name the stage (学前教育阶段 -> 学前教育).
STAGE_SUFFIXES: tuple[str, ...] = ("阶段", "在校生", "学生")
#: Waivers: 免收/免除 X、Y.
WAIVER_RE = re.compile(r"(?P<verb>免收|免除|免交)(?P<items>[^，。；;]+)")
#: Percentage reductions: 对 X、Y 减收 N%.
REDUCTION_RE = re.compile(r"对(?P<items>[^，。；;]+?)(?:减收|减免|下浮)\s*(?P<pct>[\d.]+\s*[%％]|百分之\S+)")
#: Free services: 免费(进行) X, Y.
FREE_SERVICE_RE = re.compile(r"免费(?:进行|开展|提供|实施)?(?P<items>[^，。；;]+)")
#: Units that count kinds of service (14 种大病筛查), not progress.
COUNTED_SERVICE_UNITS: tuple[str, ...] = ("种",)
#: Where a counted service's name ends.
SERVICE_END_RE = re.compile(r"(?:工作|政策|项目|行动)$")
#: An arrangement for a group at a place: 贫困患者在县级医院住院实行先诊疗后付费.
ARRANGEMENT_RE = re.compile(r"^(?P<who>[^，在]+?)在(?P<where>[^，]+?)实行(?P<what>[^，。；;]+)$")
#: A programme granted to a group: 落实好 X 和 Y, 组织开展 X、Y, 纳入 X 范围.
PROGRAMME_RE = re.compile(r"(?:落实好|落实|组织开展|开展|实施|给予|纳入|完善)(?P<items>[^，。；;]+)")
#: Trailing words of a programme list that name no item (纳入低保范围 -> 低保).
PROGRAMME_TAIL_RE = re.compile(r"(?:范围|项目|政策|工作|制度)$")
#: A programme is a benefit when its name ends with one of these.
BENEFIT_HEADS: tuple[str, ...] = ("补贴", "补助", "贴息", "资助", "低保", "救助", "兜底保障", "签约服务")
#: Benefits paid in money (the rest are services).
CASH_HEADS: tuple[str, ...] = ("补贴", "补助", "贴息", "资助", "低保")
#: A clause that states an eligibility condition on its own (符合低保条件的，…).
CONDITION_END = "的"
#: A clause opening a general condition: 凡… (whoever …).
CONDITION_START = "凡"
#: Recurring duty: 每季度启动1次贫困户识别程序.
CADENCE_EVERY_RE = re.compile(
    r"(?<![人生户])每(?P<freq>季度|季|月|年)[^，。；;\d]{0,6}?(?:\d+|[一两二三四])\s*次[^，。；;、]+"
)
#: A list of recurring duties: 建立月调度、季督查、年考核制度.
CADENCE_LIST_RE = re.compile(r"(?P<list>(?:[月季年][\u4e00-\u9fff]{2}、)+[月季年][\u4e00-\u9fff]{2})制度")
#: What each frequency word means.
FREQUENCIES: dict[str, Frequency] = {"月": "monthly", "季度": "quarterly", "季": "quarterly", "年": "yearly"}


class PlanParseError(ValueError):
    """The text is not a plan this builder can read; the message says what is missing, in Chinese."""


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def build_kb(text: str, *, filename: str = "plan.txt", lexicon: Lexicon | None = None) -> KnowledgeBase:
    """Build the knowledge base from a plan's full text.

    Args:
        text: the plan, as published (UTF-8 text).
        filename: recorded in `source.filename`.
        lexicon: reviewed names; the packaged lexicon by default.

    Raises:
        PlanParseError: when the text lacks a title, an issuer, a closing date or any
            responsibility line.
    """
    lexicon = lexicon if lexicon is not None else load_lexicon()
    lines = logical_lines(text)
    front, body = _split_front_matter(lines)
    blocks, goal_paragraphs = _walk(body)
    if not blocks:
        raise PlanParseError("文本中没有找到任何责任单位行（如“（责任单位：县扶贫办、相关乡镇）”），无法构建知识库。")
    source = _source(front, lines, text, filename)
    measures = _measures(blocks, lexicon)
    return KnowledgeBase(
        source=source,
        goals=_goals(goal_paragraphs),
        measures=measures,
        cadences=[c for m in measures for c in _cadences(m)],
    )


def build_kb_from_file(path: str | Path, *, lexicon: Lexicon | None = None) -> KnowledgeBase:
    """Build the knowledge base from a plan text file (UTF-8).

    Raises:
        PlanParseError: when the file is missing, not UTF-8, or not a plan (see `build_kb`).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PlanParseError(f"找不到方案文本文件：{path}") from exc
    except UnicodeDecodeError as exc:
        raise PlanParseError(f"方案文本不是 UTF-8 编码：{path}") from exc
    except OSError as exc:
        raise PlanParseError(f"无法读取方案文本：{path}（{exc.strerror}）") from exc
    return build_kb(text, filename=path.name, lexicon=lexicon)


def text_sha256(text: str) -> str:
    """The sha256 recorded for a plan text (of its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Lines, sentences, clauses
# --------------------------------------------------------------------------------------------


def logical_lines(text: str) -> list[str]:
    """Non-blank lines with stray line breaks mended.

    A body line that does not end in sentence punctuation continues on the next non-blank line
    ("助推村级\\n\\n集体经济发展"), unless either is a heading, a responsibility line or a date.
    Front matter (before the first heading or sentence) is never joined.
    """
    out: list[str] = []
    in_body = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if out and in_body and _runs_on(out[-1]) and not _stands_alone(line):
            out[-1] += line
            continue
        out.append(line)
        in_body = in_body or _match_heading(line) is not None or line.endswith(tuple(SENTENCE_ENDS))
    return out


def _runs_on(line: str) -> bool:
    """Whether a body line was cut short: it ends without punctuation and is body text."""
    if line.endswith(tuple(LINE_ENDS)) or _stands_alone(line):
        return False
    heading = _match_heading(line)
    return heading is None or bool(heading[1])


def _stands_alone(line: str) -> bool:
    """Lines that are never part of a paragraph: responsibility lines, dates, bare headings."""
    if RESPONSIBILITY_RE.match(line) or DATE_RE.fullmatch(line):
        return True
    heading = _match_heading(line)
    return heading is not None and not heading[1]


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph, each keeping its closing punctuation; never split inside brackets."""
    return [s for s in _split_top_level(paragraph, SENTENCE_ENDS, keep=True) if s.strip("".join(OPENERS))]


def split_clauses(sentence: str) -> list[str]:
    """Clauses of a sentence, split at top-level commas and colons (separators dropped)."""
    return _split_top_level(sentence.rstrip(SENTENCE_ENDS), CLAUSE_SEPARATORS, keep=False)


def _split_top_level(text: str, separators: str, *, keep: bool) -> list[str]:
    """Split at separators that stand outside any bracket or quotation mark."""
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(0, depth - 1)
        elif ch in separators and depth == 0:
            parts.append(text[start : i + 1] if keep else text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def compact(text: str) -> str:
    """Drop the spaces the plan puts around figures and Latin letters, except between two Latin words."""
    return re.sub(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])", "", text.strip())


# --------------------------------------------------------------------------------------------
# Front matter and headings
# --------------------------------------------------------------------------------------------


def _split_front_matter(lines: list[str]) -> tuple[list[str], list[str]]:
    """Front matter is every line before the first heading or the first full sentence."""
    for i, line in enumerate(lines):
        if _match_heading(line) or line.endswith(tuple(SENTENCE_ENDS)):
            return lines[:i], lines[i:]
    return lines, []


def _source(front: list[str], lines: list[str], text: str, filename: str) -> Source:
    """Title, issuer, document number and date of the plan."""
    doc_number = next((m.group(0) for line in front if (m := DOC_NUMBER_RE.search(line))), "")
    rest = [line for line in front if not DOC_NUMBER_RE.search(line)]
    title = next((line for line in rest if line.endswith(TITLE_WORDS)), None)
    if title is None:
        raise PlanParseError("没有找到方案标题（文首应有以“方案”“计划”“意见”等结尾的标题行）。")
    issuers = [line for line in rest if line != title]
    closing = _closing_lines(lines)
    issuer = next((line for line in issuers if line in closing), issuers[0] if issuers else None)
    if issuer is None:
        raise PlanParseError("没有找到发文单位（文首或落款应有发文单位名称）。")
    return Source(
        title=title,
        issuer=issuer,
        doc_number=doc_number,
        date=_closing_date(lines),
        sha256=text_sha256(text),
        filename=filename,
    )


def _closing_lines(lines: list[str]) -> list[str]:
    """The signature block: lines after the last responsibility line."""
    last = max((i for i, line in enumerate(lines) if RESPONSIBILITY_RE.match(line)), default=len(lines) - 1)
    return lines[last + 1 :]


def _closing_date(lines: list[str]) -> dt.date:
    """The date of the closing line (the last line that is a date)."""
    for line in reversed(lines):
        if m := DATE_RE.fullmatch(line):
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
    """A heading and the body text that follows it on the same line (三's paragraphs), or None."""
    for level, pattern in HEADING_PATTERNS:
        m = pattern.match(line)
        if m is None or RESPONSIBILITY_RE.match(line):
            continue
        rest = m["rest"]
        title, sep, body = rest.partition("。")
        if not title:
            continue
        label = line[: m.start("rest")].strip() + title
        number = int(parse_number(m["num"]))
        return _Heading(level, number, label, title.strip()), body.strip() if sep else ""
    return None


# --------------------------------------------------------------------------------------------
# Walking the structure into blocks, one per responsibility line
# --------------------------------------------------------------------------------------------


@dataclass
class _Block:
    headings: tuple[_Heading, ...]
    paragraphs: list[str]
    responsibility_line: str


def _walk(body: list[str]) -> tuple[list[_Block], list[str]]:
    """Blocks of text each closed by a responsibility line, and the paragraphs of the goal part."""
    blocks: list[_Block] = []
    goals: list[str] = []
    stack: list[_Heading] = []
    paragraphs: list[str] = []
    for line in body:
        if RESPONSIBILITY_RE.match(line):
            blocks.append(_Block(tuple(stack), paragraphs, line))
            paragraphs = []
            continue
        heading = _match_heading(line)
        if heading is not None:
            stack = [h for h in stack if h.level < heading[0].level] + [heading[0]]
            paragraphs = []
            line = heading[1]
            if not line:
                continue
        if stack and GOAL_HEADING_WORD in stack[0].title:
            goals.append(line)
        elif stack:
            paragraphs.append(line)
    return blocks, goals


#: A heading's number left at the start of its title (一、 （二） 3. 第一部分): no part of a measure's id.
MEASURE_NUMBER_RE = re.compile(
    rf"^\s*(?:第[{HEADING_NUMERALS}\d]+(?:部分|章|节|条)|[(]\s*[{HEADING_NUMERALS}\d]+\s*[)]|[{HEADING_NUMERALS}\d]+\s*[、.](?!\d))\s*"
)


def _measures(blocks: list[_Block], lexicon: Lexicon) -> list[Measure]:
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
    """Read one block: units from its responsibility line, facts from its sentences."""
    units, township = parse_responsibility_line(block.responsibility_line)
    sentences = [s for p in block.paragraphs for s in split_sentences(p)]
    targets, benefits = _read_facts(sentences, "\n".join(block.paragraphs), lexicon)
    return Measure(
        id=measure_id,
        path=[h.label for h in block.headings],
        title=block.headings[-1].title if block.headings else "",
        text="\n".join(block.paragraphs),
        sentences=sentences,
        lead_unit=units[0] if units else "相关乡镇",
        units=units,
        township_takes_part=township,
        responsibility_line=block.responsibility_line,
        targets=targets,
        benefits=benefits,
    )


def parse_responsibility_line(line: str) -> tuple[list[str], bool]:
    """The units of a responsibility line, lead first, and whether townships take part.

    The plan's rule (第一个单位为牵头单位，其它为参与单位，下同) is stated once and applies to every
    line; it is a remark, not a unit, and is dropped. Townships (相关乡镇/各乡镇) are not county
    units: they are reported as the flag instead.

    Raises:
        PlanParseError: when the line is not a responsibility line.
    """
    m = RESPONSIBILITY_RE.match(line.strip())
    if m is None:
        raise PlanParseError(f"不是责任单位行：{line}")
    listed = re.split(r"[。.]", m["body"])[0]
    parts = [p.strip() for p in UNIT_SEPARATORS_RE.split(listed) if p.strip()]
    parts = [p for p in parts if not UNIT_REMARK_RE.search(p)]
    township = any(TOWNSHIP_RE.fullmatch(p) for p in parts)
    return [p for p in parts if not TOWNSHIP_RE.fullmatch(p)], township


# --------------------------------------------------------------------------------------------
# Facts: targets and benefits, read clause by clause
# --------------------------------------------------------------------------------------------


@dataclass
class _MeasureContext:
    """What earlier sentences of a measure tell later ones."""

    fallback_beneficiary: str
    lexicon: Lexicon
    last_indicator: str | None = None


@dataclass
class _SentenceState:
    """What earlier clauses of a sentence tell later ones: who, and on what conditions."""

    subject: str | None = None
    conditions: list[str] = field(default_factory=list)
    pending_condition: bool = False
    #: A rate said in a clause before its amounts ("每生每年补助生活费，小学 750 元、初中 1000 元").
    pending_rate: re.Match[str] | None = None
    #: Money benefits named so far with no amount ("落实X补贴和Y补贴，标准均为…" gives it them).
    named: list[Benefit] = field(default_factory=list)
    #: Sums of the clause that only set a condition (超过5000元的部分): neither benefits nor targets.
    thresholds: list[tuple[int, int]] = field(default_factory=list)
    #: The clause before, for a clause that only gives its amount ("由财政代缴，标准为每人每年300元").
    previous_clause: str = ""


@dataclass(frozen=True)
class _Found:
    benefit: Benefit
    span: tuple[int, int]


def _read_facts(sentences: list[str], text: str, lexicon: Lexicon) -> tuple[list[Target], list[Benefit]]:
    """Targets and benefits of a measure, in text order, duplicates dropped."""
    ctx = _MeasureContext(_fallback_beneficiary(text), lexicon)
    targets: list[Target] = []
    benefits: list[Benefit] = []
    for sentence in sentences:
        state = _SentenceState()
        for clause in split_clauses(sentence):
            found, clause_targets = _read_clause(clause, sentence, state, ctx)
            benefits += [f.benefit for f in found if f.benefit not in benefits]
            targets += clause_targets
            state.named += [f.benefit for f in found if f.benefit.kind == "cash" and f.benefit.amount_yuan is None]
            state.previous_clause = compact(clause)
        # A benefit named first and given its amount later is one benefit, with the amount.
        priced = {b.item for b in benefits if b.amount_yuan is not None and b.sentence == sentence}
        benefits = [b for b in benefits if not (b.sentence == sentence and b.amount_yuan is None and b.item in priced)]
    return targets, benefits


def _fallback_beneficiary(text: str) -> str:
    """Who benefits when a clause does not say: the first beneficiary noun of the measure."""
    pattern = "|".join(BENEFICIARY_NOUNS)
    m = re.search(pattern, compact(text))
    return m.group(0) if m else "贫困户"


#: A benefit reader: (clause, sentence, sentence state, measure context) -> benefits found.
_Reader = Callable[[str, str, _SentenceState, _MeasureContext], list[_Found]]


def _read_clause(
    clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext
) -> tuple[list[_Found], list[Target]]:
    """Benefits and targets of one clause; updates the sentence state (who, conditions)."""
    clause = compact(clause)
    state.thresholds = []
    if _note_condition(clause, state):
        return [], []
    if not REDUCTION_RE.search(clause):
        _note_subject(clause, state)
    found: list[_Found] = []
    # In this order each reader claims a span of the clause; a later reader skips spans taken, so
    # "实施 34 种重大疾病兜底保障政策" is one counted service, not also a programme.
    readers: tuple[_Reader, ...] = (
        _reductions,
        _rates,
        _waivers,
        _free_services,
        _counted_services,
        _arrangements,
        _programmes,
    )
    for reader in readers:
        found += [f for f in reader(clause, sentence, state, ctx) if not _overlaps(f.span, found)]
    taken = [f.span for f in found] + [m.span() for m in CADENCE_EVERY_RE.finditer(clause)] + state.thresholds
    targets = _targets(clause, sentence, taken, ctx)
    return found, targets


def _note_condition(clause: str, state: _SentenceState) -> bool:
    """Record a clause that only states who qualifies (凡…; …的); True when it holds nothing else."""
    if clause.startswith(CONDITION_START):
        state.subject = clause[len(CONDITION_START) :]
        state.conditions.append(state.subject)
        state.pending_condition = not clause.endswith(CONDITION_END)
        return True
    if state.pending_condition or (clause.endswith(CONDITION_END) and not find_quantities(clause)):
        state.conditions.append(clause.removesuffix(CONDITION_END))
        state.pending_condition = state.pending_condition and not clause.endswith(CONDITION_END)
        return True
    return False


def _note_subject(clause: str, state: _SentenceState) -> None:
    """对X… / 为X免费…: X is who the rest of the sentence is about (or, ending in 的, a condition)."""
    m = FOR_WHOM_RE.search(clause) or FOR_WHOM_FREE_RE.search(clause)
    if m is None:
        return
    who = m["who"]
    if who.endswith(CONDITION_END):
        state.conditions.append(who.removesuffix(CONDITION_END))
        return
    state.subject = who
    where = clause[: m.start()]
    if where and m.re is FOR_WHOM_RE:
        state.conditions.append(where)


def _overlaps(span: tuple[int, int], found: list[_Found]) -> bool:
    """Whether a span overlaps one already claimed by an earlier reader."""
    return any(span[0] < f.span[1] and f.span[0] < span[1] for f in found)


def _beneficiary(state: _SentenceState, ctx: _MeasureContext) -> str:
    """Who the sentence is about so far, else the measure's default beneficiary."""
    return state.subject or ctx.fallback_beneficiary


def _benefit(
    item: str,
    beneficiary: str,
    sentence: str,
    *,
    kind: BenefitKind,
    state: _SentenceState,
    amount: float | None = None,
    amount_max: float | None = None,
    per: Per | None = None,
    period: Period | None = None,
    percent: float | None = None,
    quantity: Quantity | None = None,
    where: str | None = None,
) -> Benefit:
    """One Benefit, with the sentence's conditions (and `where` it applies) and any count in its
    name (40 项, 1 次)."""
    return Benefit(
        item=item,
        beneficiary=beneficiary,
        amount_yuan=amount,
        amount_max_yuan=amount_max,
        per=per,
        period=period,
        kind=kind,
        percent=percent,
        quantity=quantity.value if quantity else None,
        unit=quantity.unit if quantity else None,
        conditions=[*state.conditions, *([where] if where else [])],
        sentence=sentence,
    )


def _split_items(text: str, *, keep: Callable[[str], bool] = lambda _: True) -> list[str]:
    """Items of a list "A、B和C": split at 、, and at 和 when both sides are names in their own
    right (so "CT和MRI检查" stays whole) and pass `keep`."""
    items: list[str] = []
    for part in _split_top_level(text, "、", keep=False):
        left, sep, right = part.rpartition("和")
        if sep and _han_count(left) >= 2 and _han_count(right) >= 2 and keep(left) and keep(right):
            items += [left, right]
        else:
            items.append(part)
    return [i for i in items if i]


def _han_count(text: str) -> int:
    """Number of Chinese characters (CT and MRI have none)."""
    return len(re.findall(r"[\u4e00-\u9fff]", text))


def _per_stage(beneficiary: str, ctx: _MeasureContext) -> list[tuple[str | None, str]]:
    """Split "普通高中和中等职业学校在校生" into one beneficiary per stage the lexicon knows.

    Returns (stage, beneficiary) pairs; a single pair (stage or None, beneficiary) when there is
    nothing to split.
    """
    stages = ctx.lexicon.stages_in(beneficiary)
    if len(stages) < 2:
        return [(stages[0] if stages else None, beneficiary)]
    start = beneficiary.find(stages[0])
    end = beneficiary.find(stages[-1]) + len(stages[-1])
    return [(s, beneficiary[:start] + s + beneficiary[end:]) for s in stages]


def _stage_core(subject: str) -> str:
    """学前教育阶段 -> 学前教育: the stage as a qualifier of an item name."""
    for suffix in STAGE_SUFFIXES:
        subject = subject.removesuffix(suffix)
    return subject


def _reductions(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """对 X、Y 减收 N%: one percentage reduction per item."""
    m = REDUCTION_RE.search(clause)
    if m is None:
        return []
    pct = find_quantities(m["pct"])
    if not pct:
        return []
    return [
        _Found(
            _benefit(
                item,
                _beneficiary(state, ctx),
                sentence,
                kind="percentage_reduction",
                state=state,
                percent=pct[0].value,
                quantity=next(iter(find_quantities(item)), None),
            ),
            m.span(),
        )
        for item in _split_items(m["items"])
    ]


def _rates(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """Money a recipient gets, per whom and how often, however the plan words it.

    每人每年给予 1200 元生活补贴; 每生每年小学 1000 元、初中 1250 元; 每户补助四万元; 每人每月200元;
    1.5万元/户; 每户补助标准提高到 1.5 万元; 提供5万元以下…的扶贫小额信贷; 2000—3000元 (a range).
    A sum that sets a condition (超过5000元的部分) or an aim (收入3万元以上) is left to the targets.
    """
    amounts = [q for q in find_quantities(clause) if q.unit == "元"]
    rates = list(RATE_RE.finditer(clause))
    if not amounts:
        state.pending_rate = rates[-1] if rates else state.pending_rate
        return []
    standard = STANDARD_OF_BEFORE_RE.match(clause)
    if standard and len(amounts) == 1 and re.match(r"每|\d|[一二三四五六七八九十两]", clause[standard.end() :]):
        return _standard_of_before(clause, sentence, amounts[0], state, ctx)
    found: list[_Found] = []
    previous_end = 0
    for i, amount in enumerate(amounts):
        next_start = amounts[i + 1].start if i + 1 < len(amounts) else len(clause)
        before, after = clause[previous_end : amount.start], clause[amount.end : next_start]
        rate = next((r for r in reversed(rates) if r.end() <= amount.start), None)
        carried = rate is None and state.pending_rate is not None
        if carried:
            rate = state.pending_rate
        rate_after = RATE_AFTER_RE.match(after)
        if THRESHOLD_BEFORE_RE.search(before):
            state.thresholds.append((amount.start, amount.end))
            previous_end = amount.end
            continue
        if _is_money_target(clause, amount, rate, rate_after):
            previous_end = amount.end
            continue
        per, period = _rate_of(rate.string if carried and rate else clause, rate, rate_after, ctx)
        if carried and rate is not None:
            head_of_rate = AMOUNT_FILLERS_RE.sub("", rate.string[rate.end() :])
            before = clause[previous_end : amount.start]
        elif rate is not None and rate.start() >= previous_end:
            subject = SUBJECT_FILLERS_RE.sub("", clause[previous_end : rate.start()])
            if subject and not (previous_end and subject.startswith(CONNECTIVES)):
                state.subject = subject
            before = clause[rate.end() : amount.start]
        label = AMOUNT_FILLERS_RE.sub("", before.strip(CONNECTIVES + "、"))
        head = _amount_head(clause, amount, after, before)
        if carried and head == "补助" and head_of_rate:
            head = head_of_rate
        if label in BENEFIT_HEADS or label == head:
            label = ""
        previous_end = amount.end
        who = _beneficiary(state, ctx) + label
        for stage, beneficiary in _per_stage(who, ctx):
            subject_core = _stage_core(state.subject or "")
            qualifier = label or stage or subject_core or ctx.last_indicator or ""
            # "按照产业规模一次性给予每户…补助": what comes before the verb of giving names no item.
            qualifier = re.split(r"给予|发放", qualifier)[-1]
            item = qualifier if head and qualifier.endswith(head) else qualifier + head
            benefit = _benefit(
                item or head,
                beneficiary,
                sentence,
                kind="cash",
                state=state,
                amount=amount.value,
                amount_max=amount.max_value,
                per=per,
                period=period,
            )
            # The words up to the next amount are this one's (…1250 元的标准给予生活补贴).
            found.append(_Found(benefit, (rate.start() if rate and not carried else amount.start, next_start)))
    return found


def _standard_of_before(
    clause: str, sentence: str, amount: Quantity, state: _SentenceState, ctx: _MeasureContext
) -> list[_Found]:
    """ "落实X补贴和Y补贴，标准均为每人每月80元": the amount of each benefit the clause before named
    (or, when it named none, of what it says: "个人缴费部分由财政代缴，标准为每人每年300元")."""
    rate = RATE_RE.search(clause)
    per, period = _rate_of(clause, rate, RATE_AFTER_RE.match(clause[amount.end :]), ctx)
    named = [(b.item, b.beneficiary) for b in state.named] or [
        (SUBJECT_FILLERS_RE.sub("", state.previous_clause) or "补助", _beneficiary(state, ctx))
    ]
    return [
        _Found(
            _benefit(
                item,
                beneficiary,
                sentence,
                kind="cash",
                state=state,
                amount=amount.value,
                amount_max=amount.max_value,
                per=per,
                period=period,
            ),
            (0, amount.end),
        )
        for item, beneficiary in named
    ]


def _is_money_target(
    clause: str, amount: Quantity, rate: re.Match[str] | None, rate_after: re.Match[str] | None
) -> bool:
    """A sum that is an aim or a size (每村实现村集体经济收入3万元以上), not money paid to someone."""
    if MONEY_TARGET_WORDS_RE.search(clause[rate.end() if rate else 0 : amount.start]):
        return not MONEY_BENEFIT_WORDS_RE.search(clause)
    return rate is None and rate_after is None and not MONEY_BENEFIT_WORDS_RE.search(clause)


def _rate_of(
    clause: str, rate: re.Match[str] | None, rate_after: re.Match[str] | None, ctx: _MeasureContext
) -> tuple[Per, Period]:
    """Per whom and how often: from the rate, else the clause's words, else the measure's
    beneficiary (a household or a person) once."""
    per_word = period_word = None
    if rate_after is not None:
        per_word, period_word = rate_after["per"], rate_after["period"]
    elif rate is not None:
        per_word = rate["per_a"] or rate["per_b"]
        period_word = rate["period_a"] or rate["period_b"] or ("次" if rate["once_b"] else None)
    if period_word is None:
        said = PERIOD_WORDS_RE.search(clause)
        if said is not None:
            period_word = "次" if said["once"] else said["every"] or "年"
    per: Per = PER_WORDS[per_word] if per_word else ("户" if "户" in ctx.fallback_beneficiary else "人")
    period: Period = PERIOD_WORDS.get(period_word or "", "次")
    return per, period


def _amount_head(clause: str, amount: Quantity, after: str, before: str) -> str:
    """What the money is (生活补贴, 补助, 扶贫小额信贷): the words after the amount, else the last
    words of the clause, else a benefit word before it."""
    for text in (re.split(r"[、，]", after)[0], clause[amount.end :]):
        text = RATE_AFTER_RE.sub("", text)
        text = re.sub(r"^(?:以下|以内|以上)", "", text)
        text = text.rsplit("的", 1)[-1]
        text = AMOUNT_FILLERS_RE.sub("", re.split(r"给予|发放", text)[-1])
        if text and MONEY_BENEFIT_WORDS_RE.search(text):
            return text
    return next((h for h in BENEFIT_HEADS if h in before), "补助")


def _waivers(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """免收/免除 X、Y: one waiver per item, for whoever the clause names before the verb."""
    m = WAIVER_RE.search(clause)
    if m is None:
        return []
    before = clause[: m.start()]
    if before and not FOR_WHOM_RE.search(before):
        state.subject = before
    return [
        _Found(_benefit(item, beneficiary, sentence, kind="waiver", state=state), m.span())
        for item in _split_items(m["items"])
        for _, beneficiary in _per_stage(_beneficiary(state, ctx), ctx)
    ]


def _free_services(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """免费(进行) X 1 次、Y: free services; a count in the name (1 次) is kept as quantity."""
    m = FREE_SERVICE_RE.search(clause)
    if m is None:
        return []
    found = []
    for i, item in enumerate(_split_items(m["items"])):
        count = next(iter(find_quantities(item)), None)
        name = ("免费" if i == 0 else "") + (item[: item.find(count.text)] if count else item)
        period: Period | None = "次" if count and count.unit == "次" else None
        benefit = _benefit(
            name,
            _beneficiary(state, ctx),
            sentence,
            kind="service",
            state=state,
            period=period,
            quantity=count,
        )
        found.append(_Found(benefit, m.span()))
    return found


def _counted_services(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """开展…14 种大病筛查和救治工作: a service covering N kinds of something."""
    found = []
    for q in find_quantities(clause):
        if q.unit not in COUNTED_SERVICE_UNITS or _inside_quotes(clause, q.start):
            continue
        name = SERVICE_END_RE.sub("", re.split(r"[、，]", clause[q.end :])[0])
        who = re.split(r"开展|实施|落实", clause[: q.start])[-1]
        benefit = _benefit(name, who or _beneficiary(state, ctx), sentence, kind="service", state=state, quantity=q)
        found.append(_Found(benefit, (q.start, q.end + len(name))))
    return found


def _arrangements(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """X在Y实行Z: an arrangement Z for X, on condition of Y (贫困患者在县级医院住院实行先诊疗后付费)."""
    m = ARRANGEMENT_RE.match(clause)
    if m is None:
        return []
    benefit = _benefit(m["what"], m["who"], sentence, kind="service", state=state, where="在" + m["where"])
    return [_Found(benefit, m.span())]


def _programmes(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """落实好 X 和 Y / 组织开展 X、Y / 纳入 X 范围, where X, Y name benefits (补贴, 救助, 低保…)."""
    found = []
    for m in PROGRAMME_RE.finditer(clause):
        listed = PROGRAMME_TAIL_RE.sub("", m["items"])
        listed = listed.split("关于")[-1]
        if "等" in listed and not listed.endswith(BENEFIT_HEADS):
            continue  # "A、B等扶持奖补": a category that is not itself a benefit
        for item in _split_items(listed, keep=lambda s: s.endswith(BENEFIT_HEADS)):
            if not item.endswith(BENEFIT_HEADS) or find_quantities(item):
                continue
            kind: BenefitKind = "cash" if any(h in item for h in CASH_HEADS) else "service"
            benefit = _benefit(item, _beneficiary(state, ctx), sentence, kind=kind, state=state)
            found.append(_Found(benefit, m.span()))
    return found


def _inside_quotes(text: str, pos: int) -> bool:
    """Whether pos lies inside “…”: quoted phrases are names (“三个一批”), not quantities."""
    return text.count("“", 0, pos) > text.count("”", 0, pos)


def _targets(clause: str, sentence: str, taken: list[tuple[int, int]], ctx: _MeasureContext) -> list[Target]:
    """Every remaining figure of the clause is a target: its indicator is the phrase it counts."""
    targets = []
    previous_end = 0
    quantities = [q for q in find_quantities(clause) if _is_count(clause, q, taken)]
    for i, q in enumerate(quantities):
        # "实现 812 户 2236 人稳定脱贫": figures side by side share the words after the last of them.
        shared_after = next(
            (after for j in range(i, len(quantities)) if (after := _words_after(clause, quantities, j))), ""
        )
        indicator = _indicator(clause[previous_end : q.start], shared_after)
        previous_end = q.end
        at_least = q.at_least or any(w in clause[: q.start] for w in AT_LEAST_BEFORE)
        targets.append(
            Target(
                indicator=indicator,
                quantity=q.value,
                unit=q.unit,
                at_least=at_least,
                display_name=ctx.lexicon.display_name(indicator),
                sentence=sentence,
            )
        )
        ctx.last_indicator = indicator
    return targets


def _words_after(clause: str, quantities: list[Quantity], i: int) -> str:
    """The words between figure `i` and the next figure (or the clause's end)."""
    end = quantities[i + 1].start if i + 1 < len(quantities) else len(clause)
    return clause[quantities[i].end : end].strip()


def _is_count(clause: str, q: Quantity, taken: list[tuple[int, int]]) -> bool:
    """A figure that counts progress: not claimed by a benefit or cadence, not a quoted name,
    and not a Chinese 一 before a classifier (一项 = "one each", an article rather than a count)."""
    if any(start <= q.start < end for start, end in taken) or _inside_quotes(clause, q.start):
        return False
    return not (q.numeral == "chinese" and q.value == 1)


def _indicator(before: str, after: str) -> str:
    """The thing a figure counts: the words before it, past any 'get it done' verb and any
    attributive (…的); or, when nothing is left (打造3条乡村旅游精品示范线路), the words after it."""
    phrase = before.lstrip(CONNECTIVES)
    verb = max(((phrase.rfind(v), v) for v in ADMIN_VERBS if v in phrase), default=(-1, ""))
    cut = verb[0] + len(verb[1]) if verb[0] >= 0 else 0
    subject = _strip_beneficiary(phrase[: max(verb[0], 0)].rsplit(CONDITION_END, 1)[-1])
    phrase = phrase[cut:].rsplit(CONDITION_END, 1)[-1]
    phrase = AT_LEAST_WORDS_RE.sub("", _strip_beneficiary(phrase))
    if phrase:
        return phrase
    after = re.sub(r"^(?:以上)?的?", "", after).strip(CONNECTIVES)
    if after:
        return after
    # "参保率达到 100%": the thing measured stands before the verb.
    return AT_LEAST_WORDS_RE.sub("", PLACE_AND_YEAR_RE.sub("", subject))


def _strip_beneficiary(phrase: str) -> str:
    """贫困户D级危房改造 -> D级危房改造: whose it is belongs to the sentence, not to the indicator."""
    for noun in BENEFICIARY_NOUNS:
        if phrase.startswith(noun) and len(phrase) > len(noun):
            return phrase[len(noun) :]
    return phrase


# --------------------------------------------------------------------------------------------
# Goals and cadences
# --------------------------------------------------------------------------------------------


def _goals(paragraphs: Iterable[str]) -> list[Goal]:
    """Figures of the goal part (全县脱贫 1246 人), read like targets."""
    ctx = _MeasureContext("", Lexicon())
    goals = []
    for paragraph in paragraphs:
        for sentence in split_sentences(paragraph):
            for clause in split_clauses(sentence):
                for t in _targets(compact(clause), sentence, [], ctx):
                    goals.append(Goal(indicator=t.indicator, quantity=t.quantity, unit=t.unit, sentence=sentence))
    return goals


def _cadences(measure: Measure) -> list[Cadence]:
    """Recurring duties: 每季度启动1次… and lists such as 月调度、季督查、年考核."""
    found = []
    for sentence in measure.sentences:
        text = compact(sentence)
        for m in CADENCE_EVERY_RE.finditer(text):
            found.append(
                Cadence(name=m.group(0), frequency=FREQUENCIES[m["freq"]], sentence=sentence, measure=measure.id)
            )
        for m in CADENCE_LIST_RE.finditer(text):
            for name in m["list"].split("、"):
                freq = FREQUENCIES["季" if name.startswith("季") else name[0]]
                found.append(Cadence(name=name, frequency=freq, sentence=sentence, measure=measure.id))
    return found
