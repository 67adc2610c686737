"""The genre's constants: every word and pattern the builder keys on, each with why it is there.

County plans of this genre share their vocabulary (一、/（一）/1、, 责任单位, 牵头, 每人每年…), kept
in one place so that a reader sees what the builder recognises and adds to it here.
"""

from __future__ import annotations

import re

from policy_kb.schema import (
    Frequency,
    Per,
    Period,
)

#: Sentence ends. 。 and ； close a statement; the plan also lists measures after ；.
SENTENCE_ENDS = "。；;！!？?"
#: How a paragraph that introduces the items after it ends (具体标准如下：).
INTRODUCING_ENDS = ("：", ":")
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
#: 1、 / 1. / 1． (item; a dot followed by a digit is a decimal, not a heading), （1）/(1) (sub-item).
HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(rf"^第(?P<num>[{HEADING_NUMERALS}]+)部分\s*(?P<rest>.*)$")),
    (1, re.compile(rf"^(?P<num>[{HEADING_NUMERALS}]+)\s*[、.．]\s*(?P<rest>.*)$")),
    (2, re.compile(rf"^[（(]\s*(?P<num>[{HEADING_NUMERALS}]+)\s*[）)]\s*(?P<rest>.*)$")),
    (3, re.compile(r"^(?P<num>\d+)\s*(?:、|[.．](?!\d))\s*(?P<rest>.*)$")),
    (4, re.compile(r"^[（(]\s*(?P<num>\d+)\s*[）)]\s*(?P<rest>.*)$")),
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
#: mixed: （责任单位:…)); or, without brackets, 责任单位：… on a line of its own (which may mark its
#: lead in brackets: 责任单位：县农业农村局（牵头），县财政局).
RESPONSIBILITY_RE = re.compile(
    rf"^(?:[（(]\s*{RESPONSIBLE_WORD}\s*[：:]\s*(?P<body>.*?)\s*[）)]"
    rf"|{RESPONSIBLE_WORD}\s*[：:]\s*(?P<bare>{_BRACKETED}?)[。.]?)\s*$"
)
#: A statement in square brackets at the end of a line ([责任单位：…], 【牵头单位：…】): read as （…）.
SQUARE_STATEMENT_RE = re.compile(rf"[\[［【]\s*((?:{RESPONSIBLE_WORD}|{LEAD_WORD})[^\]］】]*)[\]］】]\s*$")
#: A heading that carries its responsibility statement: （一）产业扶贫（责任单位：县农业局）.
HEADING_STATEMENT_RE = re.compile(rf"(?P<line>[（(]\s*(?:{RESPONSIBLE_WORD}|{LEAD_WORD})\s*[：:]{_BRACKETED}[）)])$")
#: A responsibility line closing a paragraph: …。（责任单位：…） or, unbracketed, …。责任单位：…。
TRAILING_RESPONSIBILITY_RE = re.compile(
    rf"(?<=[。；;！!？?）)”])\s*(?P<line>[（(]\s*(?:{RESPONSIBLE_WORD}|{LEAD_WORD})\s*[：:]{_BRACKETED}[）)]"
    rf"|{RESPONSIBLE_WORD}\s*[：:](?:[^（()）。]|[（(][^（()）]*[）)])+[。.]?)\s*$"
)
#: A bracketed statement inside a paragraph, with the stop after it: …大棚120栋（牵头单位：X，配合单位：Y）。二是…
INLINE_STATEMENT_RE = re.compile(
    rf"(?P<line>[（(]\s*(?:{RESPONSIBLE_WORD}|{LEAD_WORD})\s*[：:]{_BRACKETED}[）)])[。；;]?"
)
#: "牵头单位：X；配合单位：Y、Z。", optionally bracketed, the parts apart by ；，or a space.
LEAD_PARTNERS_RE = re.compile(
    rf"^[（(]?\s*{LEAD_WORD}\s*[：:]\s*(?P<lead>[^；;。.：:（()）\s]+?)\s*"
    rf"(?:(?:[；;，,]|\s)\s*{PARTNER_WORD}\s*[：:]\s*(?P<others>[^；;。.：:（()）]+?)\s*)?[。.；;]?\s*[）)]?$"
)
#: A unit the list marks as leading: 县扶贫办（牵头）.
MARKED_LEAD_RE = re.compile(r"^(?P<name>.+?)\s*(?:[（(]牵头[）)]|牵头(?:负责)?)$")
#: What a unit does, written after its name inside a list: （责任单位：X牵头，Y、各乡镇配合）.
PARTNER_ROLE_RE = re.compile(r"(?<=\S)(?:配合|参与|协助|协办|具体落实|抓好落实|组织实施|落实)(?:实施|落实|工作)?$")
#: "X牵头，Y、Z配合。" (or 由X牵头负责，Y参与; X、Y共同牵头; X负责，Y配合): the sentence that closes
#: a paragraph.
LEADS_SENTENCE_RE = re.compile(
    r"^(?:(?:此项|该项|这项|本项|上述|以上|以上各项|上述各项)(?:工作|任务|措施)?)?"
    r"由?(?P<lead>[^，,。；;：:“”]+?)(?:共同)?(?:牵头(?:负责)?|负责)"
    r"(?:[，,；;]\s*(?P<others>[^，,。；;：:“”]+?)(?:配合|参与|协助|协办)(?:实施|落实|工作)?)?"
    r"(?:[，,；;]\s*(?P<townships>(?:相关|各|有关|所在)乡镇[^，,。；;：:“”]{0,10}))?[。.；;]?$"
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
    r"(?:[（(][^（()）]*[）)])?"
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
#: A cover notice's title: 关于印发《X》的通知, also without the 《》 (关于印发清河县2019年…方案的通知).
NOTICE_TITLE_RE = re.compile(
    r"关于印发(?:《(?P<title>[^《》]+)》|(?P<bare>[^《》，。]+?(?:方案|计划|意见|办法)))的通知"
)
#: The letterhead of a notice names the issuer followed by 文件 (兰溪县人民政府办公室文件).
LETTERHEAD_SUFFIX = "文件"
#: An annex: its announcement at the foot of the plan (附件：…表), or its own heading (附件, 附件1).
ANNEX_RE = re.compile(r"^附件\s*\d*\s*(?:[：:].*)?$")
#: A column heading of an annex table, naming what is counted and its unit: 脱贫人数(人).
ANNEX_COLUMN_RE = re.compile(r"^(?P<indicator>[^（()）]+)[（(](?P<unit>[^（()）]+)[）)]$")
#: Cells of an annex row are separated by | (full- or half-width) or by spaces.
#: A header cell that names the rows, not a counted column: 乡镇（街道）, 序号.
ANNEX_ROW_LABEL_RE = re.compile(r"^(?:序号|编号|单位|名称|乡镇|乡（镇）|乡\(镇\)|街道)")
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
#: A word that only leads into what follows (将380户…纳入, 按70%的比例): no indicator on its own.
LEAD_IN_WORDS_RE = re.compile(r"^(?:将|把|对|为|按照|按|使|让|由)$")
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
    r"|(?P<per_c>人|户)均"
)
#: A rate written after the amount: 3000元/户, 50元/人/天, 1.5万元/户.
RATE_AFTER_RE = re.compile(r"^/(?P<per>人|生|户|亩|村)(?:[/·•・](?P<period>年|学期|月|天|日))?")
#: How often, said anywhere in the clause when the rate does not say it.
PERIOD_WORDS_RE = re.compile(
    r"(?P<once>一次性)|每(?P<every>年|学期|月|天|日)|(?P<yearly>年度|全年|连续[一二两三四五六七八九十\d]+年)"
)
#: Money for work done by a person (a post's allowance, a wage): paid per person when no rate says.
PERSONAL_PAY_RE = re.compile(r"工作补贴|岗位补贴|工资|劳务|报酬|工作经费补助|误工|劳动力|创业|人员|青年|个人")
#: Money for a village (its collective economy, a village that reaches an aim): paid per village
#: when no rate says.
VILLAGE_PAY_RE = re.compile(r"村集体|的村|贫困村|每个村|行政村")
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
#: A verb of granting that opens a clause naming money (落实“雨露计划”补助): no part of its name.
GIVING_VERB_RE = re.compile(r"^(?:落实|发放|给予|享受|实施|执行|兑现)")
#: What opens a clause of who qualifies (对贫困户新栽植果树的, 凡…的).
CONDITION_START_RE = re.compile(r"^(?:对于|对|凡是|凡)")
#: A clause that says how money is reckoned (按照实际改造内容据实补助), not what it is.
MANNER_START_RE = re.compile(r"^(?:按照|按|根据|依据|依照)")
#: Who pays a sum the county itself sets aside (县级财政安排…资金8000万元, 县财政注入风险补偿金): a
#: fund, counted as a target, not money paid to a recipient.
FUND_SOURCE_RE = re.compile(r"(?:县级|县本级|县)财政|财政(?:安排|注入|投入|统筹)|统筹整合|注入")
#: A floor written before a sum (不少于3000万元): with no rate, the sum is a scale, not a payment.
MONEY_FLOOR_BEFORE_RE = re.compile(r"(?:不少于|不低于|至少)$")
#: A sum that only sets a condition: 超过5000元的部分, 首次达到5万元的.
THRESHOLD_BEFORE_RE = re.compile(r"(?:(?<!不)超过|超出|高于|(?<!不)低于|不足|不到|累计)$")
#: 达到 sets a condition only in a 的-clause ("首次达到5万元的村"); "收入全部达到5万元以上" is a target,
#: and "不超过3000元" a ceiling of what is given, not a threshold.
REACHING_BEFORE_RE = re.compile(r"达到$")
#: A clause that gives the amount of what the clause before it named: "落实X补贴和Y补贴，标准均为…".
STANDARD_OF_BEFORE_RE = re.compile(r"^(?:补助|补贴|资助)?标准(?:均|都|分别)?为|^(?:均|都|分别)为")
#: Verbs and fillers around an amount that name no item (给予 1200 元; 的标准给予生活补贴;
#: 补助标准提高到 1.5 万元).
AMOUNT_FILLERS_RE = re.compile(
    r"^(?:的标准|标准)?(?:给予|发放|补助|补贴)?|"
    r"(?:政策|的标准|标准|标准为|提高到|标准提高到|为|按|按照|给予|发放|一次性|最高可申请|最高|可申请|不低于|不少于|"
    r"不超过|不高于|最多)+$"
)
#: Lead-ins before a rate that name no beneficiary (补助标准为…, …按照…, 继续执行…).
#: The money a subject names before its standard ("寄宿生生活补助标准为小学…" -> 生活补助).
SUBJECT_HEAD_RE = re.compile(r"(生活费补助|(?:[\u4e00-\u9fff]{2})?(?:补助|补贴|资助|助学金|生活费))标准")
SUBJECT_FILLERS_RE = re.compile(
    r"^(?:补助|资助)?标准为|^(?:继续)?执行|(?:按照|按|标准为|标准提高到|提高到|标准|继续执行|执行)+$|^(?:对|为)"
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

#: A figure set for each village ("每个贫困村至少设有 1 所村卫生室", "销号贫困村每村实现…3万元以上"):
#: met village by village, not summed over the county.
PER_VILLAGE_RE = re.compile(r"每一?个(?:贫困|行政|重点|销号)?村|每村|村村|各(?:贫困|行政)村")
#: A clause that goes on with the same villages ("…，并配备 1 名以上的专业医务人员").
SAME_VILLAGES_NEXT_RE = re.compile(r"^(?:并且?|且|同时|还要?|都要?)")
#: "拟销号的 10 个贫困村都有综合性文化服务中心": the count is of villages, each of which must have it.
EVERY_VILLAGE_HAS_RE = re.compile(
    r"^(?:贫困|行政|重点|销号)?村(?:都|均|全部|全都)(?:要|能|必须)?(?:有|建有|建成|设有|配备|达到)(?P<what>.+)$"
)
