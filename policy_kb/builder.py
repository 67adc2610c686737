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
from policy_kb.report import BuildReport, BuildWarning
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
    TownshipTarget,
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
#: Chinese numerals used in heading numbers (第一部分, 一、 and （一）).
HEADING_NUMERALS = "一二三四五六七八九十"
#: Heading levels: 第一部分 (part), 一、 / 一． (chapter), （一）/(一) (section, full- or half-width),
#: 1、 / 1. / 1． (item; a dot followed by a digit is a decimal, not a heading).
HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(rf"^第(?P<num>[{HEADING_NUMERALS}]+)部分\s*(?P<rest>.*)$")),
    (1, re.compile(rf"^(?P<num>[{HEADING_NUMERALS}]+)\s*[、.．]\s*(?P<rest>.*)$")),
    (2, re.compile(rf"^[（(]\s*(?P<num>[{HEADING_NUMERALS}]+)\s*[）)]\s*(?P<rest>.*)$")),
    (3, re.compile(r"^(?P<num>\d+)\s*(?:、|[.．](?!\d))\s*(?P<rest>.*)$")),
)
#: A heading title longer than this is more likely a paragraph whose numbering was read as one.
HEADING_MAX_CHARS = 30
#: How the genre names who is responsible (责任单位, 主要责任单位, 责任部门), who leads (牵头单位)
#: and who takes part (配合单位, 参与单位, 协办单位…).
RESPONSIBLE_WORD = r"(?:主要)?责任(?:单位|部门)"
LEAD_WORD = r"牵头(?:单位|部门)"
PARTNER_WORD = r"(?:配合|参与|协办|协助|责任)(?:单位|部门)"
#: The inside of a bracketed statement, which may itself hold one bracket: 县扶贫办（牵头）.
_BRACKETED = r"(?:[^（()）]|[（(][^（()）]*[）)])*"
#: A responsibility line, in full- or half-width brackets and either colon (brackets may be
#: mixed: （责任单位:…)); or, without brackets, 责任单位：… on a line of its own.
RESPONSIBILITY_RE = re.compile(
    rf"^(?:[（(]\s*{RESPONSIBLE_WORD}\s*[：:]\s*(?P<body>.*?)\s*[）)]"
    rf"|{RESPONSIBLE_WORD}\s*[：:]\s*(?P<bare>[^（()）]*?)[。.]?)\s*$"
)
#: A heading that carries its responsibility statement: （一）产业扶贫（责任单位：县农业局）.
HEADING_STATEMENT_RE = re.compile(rf"(?P<line>[（(]\s*(?:{RESPONSIBLE_WORD}|{LEAD_WORD})\s*[：:]{_BRACKETED}[）)])$")
#: A responsibility line closing a paragraph: …。（责任单位：…）
TRAILING_RESPONSIBILITY_RE = re.compile(
    rf"(?<=[。；;！!？?）)”])\s*(?P<line>[（(]\s*(?:{RESPONSIBLE_WORD}|{LEAD_WORD})\s*[：:]{_BRACKETED}[）)])\s*$"
)
#: "牵头单位：X；配合单位：Y、Z。", optionally bracketed, the parts apart by ；，or a space.
LEAD_PARTNERS_RE = re.compile(
    rf"^[（(]?\s*{LEAD_WORD}\s*[：:]\s*(?P<lead>[^；;。.：:（()）\s]+?)\s*"
    rf"(?:(?:[；;，,]|\s)\s*{PARTNER_WORD}\s*[：:]\s*(?P<others>[^；;。.：:（()）]+?)\s*)?[。.；;]?\s*[）)]?$"
)
#: A unit the list marks as leading: 县扶贫办（牵头）.
MARKED_LEAD_RE = re.compile(r"^(?P<name>.+?)\s*[（(]牵头[）)]$")
#: "X牵头，Y、Z配合。" (or 由X牵头负责，Y参与; X、Y共同牵头; X负责，Y配合): the sentence that closes
#: a paragraph.
LEADS_SENTENCE_RE = re.compile(
    r"^由?(?P<lead>[^，,。；;：:“”]+?)(?:共同)?(?:牵头(?:负责)?|负责)"
    r"(?:[，,；;]\s*(?P<others>[^，,。；;：:“”]+?)(?:配合|参与|协助|协办)(?:实施|落实|工作)?)?[。.；;]?$"
)
#: How a unit's name ends (局, 办, 委, 公司, 支行…): in the unbracketed "X牵头，Y配合" form every
#: name must end so, or the sentence is ordinary text that happens to say 牵头.
UNIT_NAME_END_RE = re.compile(r"(?:[局办委部会院所站联府厅处室队行社团馆台司校]|中心|公司)$")
#: The longest name a unit has in the genre; a longer "unit" is a sentence.
UNIT_MAX_CHARS = 20
#: Characters no unit's name holds but sentences do (每个贫困村由驻村工作队负责).
NOT_IN_UNIT_NAMES = "由的对在是将把按每"
#: Verbs a sentence starts with and a unit's name never does (坚持政府牵头).
NOT_UNIT_STARTS: tuple[str, ...] = (
    "坚持",
    "加强",
    "实行",
    "落实",
    "推进",
    "强化",
    "建立",
    "完善",
    "健全",
    "实施",
    "开展",
)
#: Words that mark a line or paragraph as meant to be a responsibility statement: one that none
#: of the forms above reads is reported, never dropped in silence.
RESPONSIBILITY_WORDS_RE = re.compile(rf"(?:{RESPONSIBLE_WORD}|{LEAD_WORD}|{PARTNER_WORD})\s*[：:]")
#: Separators between the units of a responsibility line.
UNIT_SEPARATORS_RE = re.compile(r"[、，,；;]")
#: Remarks inside a responsibility line that are not units, such as the plan's lead rule
#: "第一个单位为牵头单位，其它为参与单位，下同". The rule of the genre is the same in every form:
#: the first unit named leads (also of two co-leads, 县教育局、县财政局牵头).
UNIT_REMARK_RE = re.compile(r"牵头(?:单位|部门)|参与(?:单位|部门)|配合(?:单位|部门)|下同")
#: The township of the village concerned (相关乡镇, 各乡镇人民政府, 各乡（镇）、街道); not a county
#: unit, recorded as township_takes_part.
TOWNSHIP_RE = re.compile(
    r"(?:相关|各|有关|所在)?乡(?:镇|（镇）|\(镇\))(?:（街道）|\(街道\)|、?街道)?(?:人民政府|政府)?"
)
#: A document number such as 新脱贫发[2018]2号 (bracket styles vary between offices).
DOC_NUMBER_RE = re.compile(r"\S*?[发字函办][〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号")
#: A date written in Arabic or Chinese digits, as on the closing line (2018年4月2日).
DATE_RE = re.compile(
    r"(?P<y>[\d〇零一二三四五六七八九]{4})\s*年\s*(?P<m>[\d一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d>[\d一二三四五六七八九十]{1,3})\s*日"
)
#: The print line at the foot of a document (兰溪县人民政府办公室　2019年3月15日印发).
PRINTED_RE = re.compile(rf"(?P<date>{DATE_RE.pattern})\s*印发$")
#: A signature and its date on one line (松岭县扶贫开发领导小组　2021年2月8日).
SIGNED_RE = re.compile(rf"^[^，,。；;：:]+?\s+{DATE_RE.pattern}$")
#: How an issuer's name ends (领导小组, 办公室, 人民政府, …文件): a front line ending otherwise,
#: without punctuation, just before the title line is the title's first half.
ISSUER_END_RE = re.compile(r"(?:[组室府委局办会部院]|文件)$")
#: Words that end the title of a plan-like document, before a remark such as （试行）.
TITLE_RE = re.compile(r"(?:方案|计划|规划|意见|办法|通知|要点)(?:\s*[（(][^（()）]{1,6}[）)])?$")
#: A cover notice that issues the plan: 关于印发《兰溪县2019年…实施方案》的通知.
NOTICE_TITLE_RE = re.compile(r"关于印发《(?P<title>[^《》]+)》的通知")
#: The letterhead of a notice names the issuer followed by 文件 (兰溪县人民政府办公室文件).
LETTERHEAD_SUFFIX = "文件"
#: An annex: its announcement at the foot of the plan (附件：…表), or its own heading (附件, 附件1).
ANNEX_RE = re.compile(r"^附件\s*\d*\s*(?:[：:].*)?$")
#: A column heading of an annex table, naming what is counted and its unit: 脱贫人数(人).
ANNEX_COLUMN_RE = re.compile(r"^(?P<indicator>[^（()）]+)[（(](?P<unit>[^（()）]+)[）)]$")
#: Cells of an annex row are separated by | (full- or half-width) or by spaces.
ANNEX_CELL_SEPARATOR_RE = re.compile(r"\s*[|｜]\s*|\s+")
#: Row names of an annex table that total the rows above (not a township).
ANNEX_TOTAL_WORDS: tuple[str, ...] = ("合计", "总计", "小计")
#: A part whose heading contains this word states the overall goals (一、主要目标, 第一部分 目标任务).
GOAL_HEADING_WORD = "目标"
#: The deepest heading level a goal part can have (第一部分 or 一、, not a measure's （三）目标考核)…
GOAL_HEADING_MAX_LEVEL = 1
#: …unless the heading's title ends in it (一、总体要求 （二）主要目标).
GOAL_TITLE_RE = re.compile(r"目标(?:任务)?$")
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
#: A number in Arabic digits that is no year, date, document number, ordinal, grade or range end:
#: a figure whose unit the builder may not know ("组建 5 组服务队").
BARE_NUMBER_RE = re.compile(
    r"(?<![\d.第〔\[（(—～~\-])\d+(?:\.\d+)?(?![\d.]|\s*(?:年|个月|月|日|号|级|类|届|期|批|岁|周|小时|项目|〕|]|）|\)|—|～|~|-))"
)
#: Words that say "the rest of it" and name nothing (完成剩余 85 户…危房改造).
REMAINDER_WORDS_RE = re.compile(r"^(?:剩余|其余|余下|全部|所有)")
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
#: Money for work done by a person (a post's allowance, a wage): paid per person when no rate says.
PERSONAL_PAY_RE = re.compile(r"工作补贴|岗位补贴|工资|劳务|报酬|工作经费补助|误工")
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
    """Build the knowledge base from a plan's full text (see `build_kb_with_report`, whose
    warnings this drops: for callers that load a plan already reviewed)."""
    kb, _ = build_kb_with_report(text, filename=filename, lexicon=lexicon)
    return kb


def build_kb_with_report(
    text: str, *, filename: str = "plan.txt", lexicon: Lexicon | None = None
) -> tuple[KnowledgeBase, list[BuildWarning]]:
    """Build the knowledge base from a plan's full text, with what could not be placed.

    Args:
        text: the plan, as published (UTF-8 text), with or without its cover notice and annexes.
        filename: recorded in `source.filename`.
        lexicon: reviewed names; the packaged lexicon by default.

    Returns:
        The knowledge base, and the warnings in text order (a paragraph under no responsibility
        statement, a heading or statement that could not be read, an annex line that is no row).

    Raises:
        PlanParseError: when the text lacks a title, an issuer, a closing date or any
            responsibility statement.
    """
    lexicon = lexicon if lexicon is not None else load_lexicon()
    report = BuildReport()
    doc = _regions(_numbered_lines(text))
    blocks, goal_paragraphs = _walk(doc.body, report)
    if not blocks:
        raise PlanParseError("文本中没有找到任何责任单位行（如“（责任单位：县扶贫办、相关乡镇）”），无法构建知识库。")
    source = _source(doc, text, filename)
    measures = _measures(blocks, lexicon)
    kb = KnowledgeBase(
        source=source,
        goals=_goals(goal_paragraphs),
        measures=measures,
        cadences=[c for m in measures for c in _cadences(m)],
        township_targets=_township_targets(doc.annex, report),
    )
    return kb, report.sorted()


def read_plan_file(path: str | Path) -> str:
    """The text of a plan file (UTF-8).

    Raises:
        PlanParseError: when the file is missing, unreadable or not UTF-8.
    """
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PlanParseError(f"找不到方案文本文件：{path}") from exc
    except UnicodeDecodeError as exc:
        raise PlanParseError(f"方案文本不是 UTF-8 编码：{path}") from exc
    except OSError as exc:
        raise PlanParseError(f"无法读取方案文本：{path}（{exc.strerror}）") from exc


def build_kb_from_file(path: str | Path, *, lexicon: Lexicon | None = None) -> KnowledgeBase:
    """Build the knowledge base from a plan text file (UTF-8).

    Raises:
        PlanParseError: when the file is missing, not UTF-8, or not a plan (see `build_kb`).
    """
    return build_kb(read_plan_file(path), filename=Path(path).name, lexicon=lexicon)


def text_sha256(text: str) -> str:
    """The sha256 recorded for a plan text (of its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Lines, sentences, clauses
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """A logical line and the line of the text it starts on (1-based), for warnings."""

    number: int
    text: str


def logical_lines(text: str) -> list[str]:
    """Non-blank lines with stray line breaks mended (see `_numbered_lines`)."""
    return [line.text for line in _numbered_lines(text)]


def _numbered_lines(text: str) -> list[_Line]:
    """Non-blank lines with stray line breaks mended, each with its line number.

    A paragraph line that was cut short (it is prose, with a comma or a full stop inside, and ends
    without sentence punctuation) continues on the next non-blank line ("…资金和财政\\n\\n专项资金…"),
    unless that line stands alone: a heading, a responsibility statement, a date, an annex.
    Titles, signatures and table rows hold no such punctuation and are never joined.
    Front matter (before the first heading or sentence) is never joined.
    """
    out: list[_Line] = []
    in_body = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if out and in_body and _runs_on(out[-1].text) and not _stands_alone(line):
            out[-1] = _Line(out[-1].number, out[-1].text + line)
            continue
        out.append(_Line(number, line))
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
    body: list[_Line]
    #: The signature block: annex announcements, issuer, date, print line.
    closing: list[str]
    #: Everything after an 附件 heading that follows the closing date.
    annex: list[_Line]
    #: Every logical line, for the closing-date fallback.
    lines: list[str]


def _regions(lines: list[_Line]) -> _Document:
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


def _split_notice(lines: list[_Line]) -> tuple[_Notice | None, list[_Line]]:
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
        title = m["title"]
        again = next((j for j in range(i + 1, len(lines)) if compact(lines[j].text) == compact(title)), None)
        if again is None:
            dated = next((j for j in range(i + 1, len(lines)) if _date_in(lines[j].text)), i)
            again = dated + 1
            while again < len(lines) and lines[again].text.startswith(OPENERS[:2]):
                again += 1
        return _Notice([x.text for x in lines[:again]], title, i), lines[again:]
    return None, lines


def _closes_body(lines: list[_Line], i: int) -> bool:
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


def _source(doc: _Document, text: str, filename: str) -> Source:
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
    text = text.strip()
    if m := RESPONSIBILITY_RE.match(text):
        listed = re.split(r"[。.]", m["body"] if m["body"] is not None else m["bare"])[0]
        return _statement_of(text, UNIT_SEPARATORS_RE.split(listed))
    if m := LEAD_PARTNERS_RE.match(text):
        return _statement_of(text, _unit_list(m["lead"]) + _unit_list(m["others"] or ""))
    if (m := LEADS_SENTENCE_RE.match(text)) and _all_units(m["lead"]) and _all_units(m["others"] or ""):
        return _statement_of(text, _unit_list(m["lead"]) + _unit_list(m["others"] or ""))
    return None


def _trailing_statement(paragraph: str) -> tuple[str, _Statement] | None:
    """A paragraph closed by its responsibility statement: (…。（责任单位：…）) or the sentence
    "X牵头，Y、Z配合。" / "牵头单位：X；配合单位：Y。"; the paragraph's own text and the statement."""
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
    return [p.strip() for p in UNIT_SEPARATORS_RE.split(text) if p.strip()]


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
    parts = [p.strip() for p in names if p.strip() and not UNIT_REMARK_RE.search(p)]
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


def _walk(body: list[_Line], report: BuildReport) -> tuple[list[_Block], list[str]]:
    """Blocks of text each closed by a responsibility statement, and the paragraphs of the goal
    part. What no statement closes is reported, as are headings and statements that cannot be read.

    A statement that opens its heading instead of closing it (in the heading line, or on the line
    right after it) governs the text up to the next heading when no later statement does.
    """
    blocks: list[_Block] = []
    goals: list[str] = []
    stack: list[_Heading] = []
    pending: list[_Line] = []
    #: The block of a statement that opened the current heading, while no other closed a block.
    opening: list[_Block] = []
    closed_since_heading = False

    def close(statement: _Statement, line: int) -> None:
        nonlocal closed_since_heading
        block = _Block(
            tuple(stack),
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
            unplaced()
            opening.clear()
            closed_since_heading = False
            found, in_title = _heading_statement(heading[0])
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
        trailing = _trailing_statement(text)
        if trailing is not None:
            if trailing[0]:
                pending.append(_Line(line.number, trailing[0]))
            close(trailing[1], line.number)
            continue
        if RESPONSIBILITY_WORDS_RE.search(text):
            report.warn(line.number, "responsibility", text)
        pending.append(_Line(line.number, text))
    unplaced()
    return blocks, goals


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
    """Read one block: units from its responsibility statement, facts from its sentences."""
    sentences = [s for p in block.paragraphs for s in split_sentences(p)]
    targets, benefits = _read_facts(sentences, "\n".join(block.paragraphs), lexicon)
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
    that only sets a condition (超过5000元的部分).
    """
    placed: set[float] = {float(t.quantity) for t in targets}
    for b in benefits:
        placed |= {float(v) for v in (b.amount_yuan, b.amount_max_yuan, b.percent, b.quantity) if v is not None}
    for paragraph, line in zip(block.paragraphs, block.lines, strict=False):
        text = compact(paragraph)
        read = find_quantities(text)
        for q in read:
            if float(q.value) in placed or _inside_quotes(text, q.start) or _is_condition(text, q):
                continue
            if any(start <= q.start < end for start, end in (m.span() for m in CADENCE_EVERY_RE.finditer(text))):
                continue
            if not (q.numeral == "chinese" and q.value == 1):
                block.report.warn(line, "unplaced_figure", _around(text, q.start, q.end))
        for m in BARE_NUMBER_RE.finditer(text):
            if not any(q.start <= m.start() < q.end for q in read) and not _inside_quotes(text, m.start()):
                block.report.warn(line, "unplaced_figure", _around(text, m.start(), m.end()))


def _is_condition(text: str, q: Quantity) -> bool:
    """A figure that only says who qualifies: after 超过/达到…, or closing a 的-clause (…5万元的)."""
    clause_start = max(text.rfind(c, 0, q.start) for c in "，,；;。") + 1
    before = text[clause_start : q.start]
    return bool(THRESHOLD_BEFORE_RE.search(before)) or text[q.end : q.end + 3].lstrip("以上下内").startswith("的")


def _around(text: str, start: int, end: int) -> str:
    """The figure with the words around it, for the office to find it in the text."""
    return text[max(0, start - 12) : end + 6]


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
        if rates and MONEY_BENEFIT_WORDS_RE.search(clause) and not find_quantities(clause):
            # "义务教育阶段寄宿生每生每年补助生活费，小学 750 元": the rate and who it is for, for the amounts after.
            state.pending_rate = rates[-1]
            state.subject = SUBJECT_FILLERS_RE.sub("", clause[: rates[-1].start()]) or state.subject
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
            if carried and label and subject_core:
                qualifier = subject_core + label
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
    if per_word is None:
        # A wage for a post (信息员, 公益岗位) is a person's; other money, the measure's beneficiary's.
        per_word = "人" if PERSONAL_PAY_RE.search(clause) or "户" not in ctx.fallback_beneficiary else "户"
    per: Per = PER_WORDS[per_word]
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
    phrase = AT_LEAST_WORDS_RE.sub("", _strip_beneficiary(REMAINDER_WORDS_RE.sub("", phrase)))
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


# --------------------------------------------------------------------------------------------
# The annex: a table of targets by township
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    indicator: str
    unit: str


def _township_targets(annex: list[_Line], report: BuildReport) -> list[TownshipTarget]:
    """The rows of an 附件 table of targets by township (乡镇 | 脱贫人数(人) | 退出贫困村(个)).

    A header names the counted columns with their units; each row gives a township and one figure
    per column, aligned from the right (a 序号 column may come first, a 合计 row may lack it).
    The 合计 row is checked against the sum of the table's rows, not recorded. Lines before the
    first header (the annex's title) are skipped; any later line that is no row is reported, as is
    an annex with no header at all (its columns' units unknown, nothing of it is read).
    """
    found: list[TownshipTarget] = []
    columns: list[_Column] = []
    table_start = 0
    for line in annex:
        cells = [c for c in ANNEX_CELL_SEPARATOR_RE.split(line.text) if c]
        header = [m for c in cells if (m := ANNEX_COLUMN_RE.match(c))]
        if header and len(header) < len(cells) and all(ANNEX_COLUMN_RE.match(c) for c in cells[-len(header) :]):
            columns = [_Column(m["indicator"], m["unit"]) for m in header]
            table_start = len(found)
            continue
        if not columns:
            continue
        row = _annex_row(cells, columns)
        if row is None:
            report.warn(line.number, "annex", line.text)
            continue
        name, figures = row
        if name not in ANNEX_TOTAL_WORDS:
            found += [
                TownshipTarget(township=name, indicator=c.indicator, quantity=v, unit=c.unit)
                for c, v in zip(columns, figures, strict=True)
            ]
            continue
        for column, total in zip(columns, figures, strict=True):
            counted = sum(t.quantity for t in found[table_start:] if t.indicator == column.indicator)
            if counted != total:
                report.warn(line.number, "annex", f"{line.text}（各行相加为 {counted}）")
    if annex and not columns:
        report.warn(annex[0].number, "annex", "、".join(line.text for line in annex[:3]))
    return found


def _annex_row(cells: list[str], columns: list[_Column]) -> tuple[str, list[int | float]] | None:
    """(township, figures) of a row: the last cells are the figures, the cell before them the name."""
    if len(cells) < len(columns) + 1:
        return None
    figures, name = cells[-len(columns) :], cells[-len(columns) - 1]
    if not all(_is_figure(c) for c in figures) or _is_figure(name):
        return None
    return name, [parse_number(c) for c in figures]


def _is_figure(cell: str) -> bool:
    """A cell holding a plain figure (164, 1.5)."""
    return re.fullmatch(r"\d+(?:\.\d+)?", cell) is not None
