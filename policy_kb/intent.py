"""What a question asks for, read from its wording rather than its topic.

The topic picks the measure; the intent picks how to answer: a figure in the asked unit, the
responsible unit's name, or a yes/no about a waiver. Each rule is a documented constant.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from policy_kb.numbers import parse_number
from policy_kb.textnorm import normalize

#: Words that ask who is responsible or whom to contact.
WHO_PATTERN = re.compile(
    r"谁|(?:找|去|到|上|归|向|跟|由)?(?:哪个|哪些|哪家|什么|啥|哪)(?:部门|单位|局|口|地方|机关)(?:管|办|负责)?|"
    r"找哪|去哪|到哪|上哪|哪里办|哪儿办|哪里申请|哪办|归哪|负责|牵头|主管|管这|联系|咨询|反映"
)

#: Words that ask for a figure ("好几回" only tells, "哪几种" asks which, "收不着几个台" says there are
#: few: 几 after 好, 哪 or a denial does not count).
QUANTITY_PATTERN = re.compile(
    r"(?<!那么)(?<!这么)(?:多少|多钱)|(?<![好这那哪没])(?<!不着|不到|没有)几|多大|多长|多远|多宽|标准|金额|数额|额度|补多|给多|发多|多高|啥数|咋算|总共|一共|合计"
)

#: Words asking for every figure of a kind at once ("各多少公里", "都有哪些任务"), or every item of a
#: kind ("都免啥费", "都给免些什么": 啥/什么 up to three characters after 都).
LISTING_PATTERN = re.compile(
    r"各|分别|哪些|哪几|啥些|都有啥|都有什么|有什么|都包括|包括什么|包括啥|都能|都有|都[^，。？！,?!]{0,3}(?:啥|什么)|"
    r"哪(?:\d+|[一二三四五六七八九十]+)(?:种|项|个)"
)
#: Which things of a count the plan names ("都是哪14种病"): the items, not the count.
WHICH_OF_COUNT_PATTERN = re.compile(r"哪(?:\d+|[一二三四五六七八九十]+)(?:种|项|个)|具体(?:是|有)?哪")

#: Words asking for money, when no other unit is named ("一个月给多少钱").
MONEY_PATTERN = re.compile(
    r"多少钱|多钱|几块|多少块|几万|多少万|工资|每月|一个月|月发|多少(?:扶持)?资金|多少奖(?:励|补)|多少补(?:贴|助)"
)

#: Total count of people stated anywhere: "双胞胎", "俩人", "两个孩子".
TOTAL_COUNT_PATTERN = re.compile(
    r"双胞胎|(俩|仨|两|三|四|2|3|4)(?:个)?(?:人|孩子|娃|学生|小孩|孙子|孙女|外孙)|(?:哥|姐|兄弟|姐妹|姐弟|兄妹)(俩|仨)"
)

#: "多少户", "几座", "几万": the unit a question asks in, mapped to the unit the plan writes.
ASKED_UNIT_PATTERN = re.compile(r"(?:多少|几)(个|座|户|人|家|公里|里|条|种|次|所|名|元|块|钱|万|项|成|%|村)")
ASKED_UNIT_ALIASES = {"块": "元", "钱": "元", "万": "元", "里": "公里", "成": "%", "村": "个"}

#: Words that ask whether something is free or must be paid.
WAIVER_PATTERN = re.compile(r"免|掏|要钱|收钱|收费|交钱|花钱|掏钱|要交|付钱|给钱|自己出|白给|押金|先交|预交|垫钱|垫付")
#: A waiver asked as "is it free" ("能免费体检吗", "是不是不用掏钱"): a waiver the plan grants answers yes.
ASKS_FREE_PATTERN = re.compile(r"免")

#: "两个娃", "俩孩子", "3个学生": how many people a stage mention covers.
COUNT_BEFORE_PATTERN = re.compile(
    r"(?:(?<!老)(一|两|二|三|四|五|1|2|3|4|5)(?:个|名|位)|(?<!老)(两|俩|仨|三)(?=娃|孩子|学生|小孩|闺女|儿子|丫头|小子|孙子|孙女|外孙)|(俩|仨)"
    r"|(双胞胎|龙凤胎))"
    r"(?:娃|孩子|学生|小孩|闺女|儿子|丫头|小子|孙子|孙女|外孙|外孙女)?(?:都|全|全都)?(?:在|上|读|念|是)?$"
)
COUNT_WORDS = {"一": 1, "两": 2, "俩": 2, "二": 2, "三": 3, "仨": 3, "四": 4, "五": 5, "双胞胎": 2, "龙凤胎": 2}

#: "两户一共", "三个村加一块": several households or villages, and a total asked for them.
SEVERAL_PATTERN = re.compile(r"(俩|仨|两|二|三|四|五|[2-9])(?:个)?(户|家|村)")
SUM_PATTERN = re.compile(r"一共|总共|加一块|加一起|加起来|合计|总计|合起来|共")
#: "两家能补多少": several households asked about at once want the total too.
SEVERAL_ASKED_PATTERN = re.compile(
    r"(?:俩|仨|两|二|三|四|五|[2-9])(?:个)?(?:户|家|村)(?:都)?(?:能|可以|可)?(?:补|给|发|领)?多少"
)
SEVERAL_WHAT = {"户": "户", "家": "户", "村": "村"}


#: Places outside the county: the plan only speaks for 新宾, so a question about them is not covered.
#: Liaoning's other cities and counties, the neighbouring provinces and the big cities people
#: compare with ("外地" is not here: sons and daughters work there, and ask about home).
ELSEWHERE_PATTERN = re.compile(
    r"韩国|日本|美国|俄罗斯|香港|台湾|国外|出国|外县|别的县|其他县|外省|别的省|其他省|外市|别的市|"
    r"沈阳|新民|辽中|康平|法库|大连|瓦房店|庄河|长海|普兰店|鞍山|海城|台安|岫岩|抚顺市区|抚顺县|清原|"
    r"本溪|桓仁|丹东|东港|凤城|宽甸|锦州|凌海|北镇|黑山|义县|营口|盖州|大石桥|阜新|彰武|辽阳|灯塔|"
    r"盘锦|盘山|大洼|铁岭|调兵山|开原|西丰|昌图|朝阳市|朝阳县|北票|凌源|建平|喀左|葫芦岛|兴城|绥中|建昌|"
    r"辽宁省|吉林|通化|集安|长春|黑龙江|哈尔滨|内蒙|河北|山东|河南|山西|北京|上海|天津|广州|深圳"
)

#: Someone of the family working or studying elsewhere, now or before ("在大连干了几年"): the question is
#: still about home.
AWAY_PATTERN = re.compile(
    r"(?:在|去|到|上)[\u4e00-\u9fff]{1,4}?(?:打工|上班|干活|务工|工作|上学|念书|读书|上大学|干了|干过|待了|待过|呆了|呆过|"
    r"打了|打过|做了|做过|住了|住过|念了|读了)"
)

#: Years said relative to now ("明年", "十四五"), asked about: the plan speaks for its own year only.
RELATIVE_YEAR_PATTERN = re.compile(
    r"(?:明年|后年|去年|前年|下一年|下一年度|往年|十四五|十三五|过几年|以后几年|往后几年|今后几年|未来几年)"
    r"(?:的|还|会|要|能|是)?[^，,。？?！!]{0,8}"
    r"(?:政策|标准|方案|补|计划|任务|规定|涨|变|还有|还给|还发|还能|还管|还免|还减|继续)"
)

#: A year written out ("2019年", "二〇二〇年", "2019的政策"): digits, or Chinese numerals read digit
#: by digit; four digits without 年 are an amount when a figure's words surround them ("2000块",
#: "也有2000吗"), not a year.
EXPLICIT_YEAR_PATTERN = re.compile(
    r"(?<![\d.])((?:19|20)\d\d)年|"
    r"(?<![\d.补给有发拿领是才就到达共交掏花要])((?:19|20)\d\d)(?![\d.]|\s*[块元万千百人户个名亩座所家公米天次%％多])|"
    r"((?:一九|二〇|二零)[〇零一二三四五六七八九]{2})年"
)
#: "2017年新宾脱贫了多少人": a count asked of that year, not a family telling its past ("俺家…").
YEAR_COUNT_ASKED_PATTERN = re.compile(r"^(?!.*(?:俺|我|咱|家))(?=.*(?:多少|几))")
CHINESE_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}

#: What follows a year that tells a family's past, not the year asked about ("2016年评上的贫困户").
YEAR_STORY_PATTERN = re.compile(
    r"^[^，,。？?！!]{0,6}?(?:评上|评为|认定|识别|纳入|脱贫|考上|上的|盖|建的|出生|生的|得了|得的|开始|那年|时候|以前|之前|"
    r"回来|出去|结婚|就|已经)"
)


#: Words that set a question in the present ("今年", "现在"): an earlier question's year does not carry.
THIS_YEAR_PATTERN = re.compile(r"今年|现在|目前|眼下|如今|这会儿")


def names_its_time(question: str) -> bool:
    """Whether a question says which year it is about (a year written out, or "今年")."""
    return bool(THIS_YEAR_PATTERN.search(question) or asked_years(question) or RELATIVE_YEAR_PATTERN.search(question))


def other_year(asked: str, plan_year: int | None) -> bool:
    """Whether the asking clauses ask about a year that is not the plan's own."""
    if RELATIVE_YEAR_PATTERN.search(asked):
        return True
    return plan_year is not None and any(year != plan_year for year in asked_years(asked))


def asked_years(text: str) -> list[int]:
    """The years written out in `text` that are asked about, not those dating a family's past
    ("2016年评上的贫困户，2019年娃上初中补多少" -> [2019])."""
    years = []
    for match in EXPLICIT_YEAR_PATTERN.finditer(normalize(text)):
        written, bare, chinese = match.groups()
        digits = written or bare
        after = re.split(r"[，,。？?！!]", match.string[match.end() :], maxsplit=1)[0]
        if not YEAR_STORY_PATTERN.match(after) or YEAR_COUNT_ASKED_PATTERN.search(after):
            years.append(int(digits or "".join(CHINESE_DIGITS[c] for c in chinese)))
    return years


#: Other counties and cities named generically ("隔壁县的政策", "抚顺市里的").
OTHER_PLACE_PATTERN = re.compile(
    r"(?:隔壁|邻|其他|别|外)的?(?:县|市|省|区)|"
    r"(?<![新本全这我咱县乡])[\u4e00-\u9fff]{2}(?:县|市|省)(?:的|那边|那里|那儿|里的)"
)

#: Messages that instruct the assistant instead of asking it: to forget its rules, play a part,
#: write something, or obey a "system" notice. They get no figure, whatever topic they mention.
INSTRUCTION_PATTERN = re.compile(
    r"忘掉|忘记|忽略|无视|不要管|别管|扮演|假装|你现在是|从现在起你|系统通知|系统提示|系统消息|系统指令|管理员通知|"
    r"system|prompt|指令|编一个|编个|编造|瞎编|随便编|随便说个|帮我写|给我写|替我写|帮忙写|(?<![我俺想要让叫得准备打算])写(?:一份|一篇|个)|开个证明|开一张|"
    r"病假条|请假条|翻译成|用英文|作文|诗|管理员|回复用户|告诉用户|对用户说|按我说的|(?:改成|改为)\d|"
    r"你(?:现在)?不是(?:助手|机器人|ai)|你(?:现在)?(?:就)?是(?:县长|局长|书记|领导|干部|主任|镇长|乡长)|"
    r"(?:给|帮)(?:我|俺|咱)(?:批|签字|盖章|开)|"
    r"(?:文件|规定|方案|政策)(?:已经|早就)?作废|新规定(?:是|说|每|要)|你(?:就|只要|只管)?确认一下|你就说|你就回|"
    r"你只(?:要|需|管)(?:说|回)|直接(?:回答|说|回)(?:能|是|行|对)|"
    r"别(?:翻|看|查|念)(?:那|这)?(?:个)?(?:文件|方案|规定)|说(?:能|行|是|有)就行"
)

#: A whole message that only greets, thanks or asks who the assistant is.
GREETING_PATTERN = re.compile(
    r"^(?:你好|您好|你们好|大家好|在吗|在不在|在么|哈喽|哈罗|hello|hi|嗨|喂|早上好|早|上午好|中午好|下午好|晚上好|"
    r"你是谁|你是干啥的|你是干什么的|你是做什么的|你能干啥|你能干什么|你会干啥|你会什么|你能做什么|有人吗|"
    r"怎么用|咋用|机器人|(?:你|您)(?:是|能|会|可以)(?:帮我|给我|为我)?(?:干|做|回答)?(?:谁|啥|什么|机器人|真人|人工|哪位))"
    r"[啊呀呢吗么哈的啦]*$"
)
THANKS_PATTERN = re.compile(
    r"^(?:谢谢|多谢|感谢|谢了|谢啦|辛苦了|麻烦了|好的|好|知道了|明白了|懂了|行|收到|ok)[啊呀了您你啦哈的]*$"
)
#: A greeting that opens a real question ("你好，我想问…"): cut before reading the question.
GREETING_PREFIX_PATTERN = re.compile(
    r"^(?:你好|您好|在吗|哈喽|喂|请问一下|请问|麻烦问一下|麻烦问下|问一下|问下|我想问一下|我想问问|想问一下|我想问)+"
)

#: Words that ask (a question rather than a story clause): "吗", "多少", "能不能", "咋办".
ASKING_PATTERN = re.compile(
    r"[吗嘛么呢]|多少|多钱|多长|多远|多宽|(?<![好这那十没过了])几(?![亩口天趟])|怎么|咋|(?:啥|什么|哪(?!有|来|能)|谁)(?![也都的])(?!\w{1,2}[也都])|是否|能否|"
    r"能不能|可不可以|有没有|是不是|给不给|管不管|行不行|会不会|真的假的|真的吗|是真的不|"
    r"要不要|算不算|[免收要给交补报管有]不[免收要给交补报管有]?$|不$|没$|没有$|"
    r"(?:对|是|没错|是这样|没忽悠我|没骗我|不骗人)吧$|对不对|对不$"
)

#: A clause that only sighs or urges ("咋整啊", "怎么办呢", "急急急", "谢谢了").
FILLER_PATTERN = re.compile(
    r"^(?:咋整|咋办|怎么办|怎么整|咋弄|怎么弄|可咋整|可咋办|这可咋整|愁人|急|急死了|急急急|着急|谢谢|谢了|多谢|麻烦了|麻烦您|"
    r"拜托|求求|求助|在线等|等回复)+[啊呀呢吗么哈的啦了嘛哇]*$"
)

#: A clause that says who sent the asker to find out ("书记让我查三个数", "乡里叫俺问问"): no topic.
ERRAND_PATTERN = re.compile(
    r"^[^，。？?]{0,8}(?:让|叫|要|托)(?:我|俺|咱)(?:来)?(?:查|问|打听|算|写|整理|报)[^，。？?]{0,12}$"
)
#: Sounds a clause may end with after its question ("收不收啊", "要钱不呀").
TRAILING_SIGH_PATTERN = re.compile(r"[啊呀哈啦哇噢哦]+$")
#: A clause that only asks whether what was just said is so.
CONFIRM_TAG_PATTERN = re.compile(
    r"^(?:是|对|真的|是真的|是这样|是这么回事|是这么个事|有这回事|有这事|靠谱|准|"
    r"(?:我|俺)?(?:没|没有)(?:记|说|弄|搞|听)?(?:错|反|岔)(?:了)?)?"
    r"(?:吗|嘛|么|不|没|吧|不是|不对|没有|假的|的假的|对不对)[啊呀呢吗么哈的啦了嘛哇？?]*$"
)
#: A yes/no question ("有补助吗", "能报销不"), and the two ways its "yes" is said.
YES_NO_PATTERN = re.compile(
    r"[吗嘛么]$|不$|没$|没有$|有没有|是不是|能不能|可不可以|给不给|管不管|算不算|有不有|真的假的|是真的不|"
    r"(?:对|是|没错|是这样|没忽悠我|没骗我|不骗人)吧$|对不对|对不$"
)
#: A figure the asker states to have it confirmed ("念高中一年2000块是吧", "要改189户危房吗"): Arabic
#: or Chinese numerals, not an age, a grade, a date or a count of years.
STATED_FIGURE_PATTERN = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]{2,}|[一二两三四五六七八九十](?=次|回|种|所|名|座|项|条))"
    r"(万)?(?![\d.]|\s*(?:岁|周岁|口|年级|号|月|日|点|年|个娃|个孩子))"
)
#: A share said as a word: "减一半", "半价".
HALF_PATTERN = re.compile(r"一半|半价|减半|打对折")
#: What a stated figure counts ("改造200户" -> 户): the unit of the figure checked.
STATED_UNIT_PATTERN = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?|[一二两三四五六七八九十百千万]+)(个|座|户|人|家|公里|条|种|次|所|名|元|块|万|项|村)"
)
HAVE_PATTERN = re.compile(r"有没有|有不有|有.{0,10}(?:[吗嘛么]|不|没|没有)$")
CAN_PATTERN = re.compile(r"能不能|可不可以|能.{0,10}(?:[吗嘛么]|不)$|可以.{0,10}(?:[吗嘛么]|不)$")

#: Words that add a question to a message ("还有", "另外", "再问一下").
_ADDING = (
    r"(?:还有就是|还有|另外|再问一下|再问下|再问问|再问|顺便问一下|顺便问下|顺便问|还想问一下|还想问|再一个|再就是)"
)
#: Where one question of a message surely ends: a question mark, a space, or words that add one.
QUESTION_BREAK_PATTERN = re.compile(
    rf"[？?]+{_ADDING}?[，,：:]?|[，,；;。！!\s]*\s[，,；;。！!\s]*|[，,；;。！!]+{_ADDING}[，,：:]?"
)
#: A comma between two questions ("…发展多少户，…打造几条"), trusted in short messages only:
#: a long story's commas separate what it tells.
COMMA_BREAK_PATTERN = re.compile(r"[，,；;。！!：:]+")
#: Most clauses a message part may have for its commas to separate questions.
MAX_COMMA_CLAUSES = 3

#: "X和Y分别是多少", "X跟Y各补多少": two topics sharing one asking tail.
BOTH_PATTERN = re.compile(r"^(.{2,}?)(?:和|跟|与|以及|还有|、)(.{2,}?)(?:分别|各自|各)(?:是|能|都)?(.+)$")
#: What separates the topics of one list ("A、B和C").
TOPIC_SEPARATOR_PATTERN = re.compile(r"和|跟|与|以及|还有|、")
#: "新建的桥加上改的危桥一共多少座": two topics whose figures are asked as one total.
TOTAL_OF_BOTH_PATTERN = re.compile(
    r"^(.{2,}?)(?:加上|再加上|加|和|跟)(.{2,}?)[，,\s]*(?:一共|总共|加起来|加一块|加一起|合计|总计)(.+)$"
)

#: "还没上小学", "不上初中": a stage named only to be denied.
NEGATION_BEFORE_PATTERN = re.compile(r"(没|不|没有|还没|未|不是)(上|读|念|在)?$")


@dataclass(frozen=True)
class Intent:
    """How to answer: `who` names the unit first, `quantity` wants a figure (in `asked_unit`)."""

    who: bool
    quantity: bool
    asked_unit: str | None
    waiver: bool
    elsewhere: bool
    listing: bool = False
    #: A yes/no question; `yes` is how its "yes" is said (有。/可以。/是的。).
    yes_no: bool = False
    yes: str = ""
    #: A waiver asked as "is it free" rather than "do I pay".
    free: bool = False
    #: The figures a yes/no question states for confirmation ("2000块是吧" -> 2000), in its asking
    #: words and anywhere in the message (a story's figure only ever confirms).
    stated: frozenset[float] = frozenset()
    mentioned: frozenset[float] = frozenset()


def read_intent(
    question: str,
    *,
    last_clause: str | None = None,
    asked: str | None = None,
    plan_year: int | None = None,
    marked: bool = False,
) -> Intent:
    """The intent of a normalized question.

    A figure is asked for only when the last asking clause asks it: "跑好几个窗口，能不能一个地方办完"
    tells of windows, and asks about one place. A list is asked when any asking clause asks it
    ("住院哪些项目能打折，打几折" wants every item, with its figure). Another year counts only where it is asked about
    (`asked`, the asking clauses: "去年发大水冲了房子" is a story; a written-out year counts when it is
    not `plan_year`, unless it dates the family's past: "2016年评上的"); another place counts anywhere
    but where someone works or studies ("儿子在沈阳打工" is part of a family's story). A statement
    `marked` with a question mark and no asking word of its own ("一年能免费体检两次？") asks whether
    it is so.
    """
    asking = question if last_clause is None else last_clause
    when = question if asked is None else asked
    at_home = AWAY_PATTERN.sub("", question)
    unit_match = ASKED_UNIT_PATTERN.search(asking)
    asked_unit = None
    if unit_match:
        asked_unit = ASKED_UNIT_ALIASES.get(unit_match.group(1), unit_match.group(1))
    elif MONEY_PATTERN.search(asking):
        asked_unit = "元"
    yes_no = bool(YES_NO_PATTERN.search(asking) or CONFIRM_TAG_PATTERN.match(asking) or marked) and not (
        QUANTITY_PATTERN.search(asking)
    )
    if yes_no and asked_unit is None:
        asked_unit = stated_unit(when)
    return Intent(
        who=bool(WHO_PATTERN.search(question)),
        quantity=bool(QUANTITY_PATTERN.search(asking)),
        asked_unit=asked_unit,
        waiver=bool(WAIVER_PATTERN.search(question)),
        elsewhere=bool(
            ELSEWHERE_PATTERN.search(at_home) or OTHER_PLACE_PATTERN.search(at_home) or other_year(when, plan_year)
        ),
        listing=bool(LISTING_PATTERN.search(when)),
        yes_no=yes_no,
        yes="have" if HAVE_PATTERN.search(asking) else "can" if CAN_PATTERN.search(asking) else "yes",
        free=bool(ASKS_FREE_PATTERN.search(question)),
        stated=stated_figures(when) if yes_no else frozenset(),
        mentioned=stated_figures(question) if yes_no else frozenset(),
    )


def stated_figures(text: str) -> frozenset[float]:
    """The figures `text` states ("3万" -> 30000, "一千二" -> 1200, "减一半" -> 50), for a yes/no that
    checks one."""
    figures = {50.0} if HALF_PATTERN.search(text) else set()
    for match in STATED_FIGURE_PATTERN.finditer(text):
        try:
            value = float(parse_number(match.group(1)))
        except ValueError:
            continue
        figures.add(value * 10000 if match.group(2) else value)
    return frozenset(figures)


def stated_unit(text: str) -> str | None:
    """What the figure a yes/no checks counts: "是不是要改造200户危房" checks a count of 户, not the
    grant per 户; in "一户给5万" the 一户 is "each", and 5万 is checked (元)."""
    for match in STATED_UNIT_PATTERN.finditer(text):
        if match.group(1) not in ("1", "一"):
            return ASKED_UNIT_ALIASES.get(match.group(2), match.group(2))
    return None


def total_count(question: str) -> int:
    """How many people the question says it is about in all ("双胞胎" -> 2), else 0."""
    match = TOTAL_COUNT_PATTERN.search(question)
    if not match:
        return 0
    word = match.group(1) or match.group(2)
    if word is None:
        return 2
    return int(word) if word.isdigit() else COUNT_WORDS[word]


def without_asking_words(question: str) -> str:
    """The question with its "谁负责 / 哪个部门" wording blanked out, leaving its topic.

    "修危房这事归哪个部门管" must be read as 危房, not as the plan's sentence about 各部门单位.
    """
    return WHO_PATTERN.sub(" ", question)


def negated(text: str, start: int) -> bool:
    """Whether the words just before position `start` deny what follows ("还没上小学")."""
    return bool(NEGATION_BEFORE_PATTERN.search(text[max(0, start - 3) : start]))


def count_before(text: str, start: int) -> int:
    """How many people the words just before position `start` count ("两个娃都上" -> 2), else 1."""
    match = COUNT_BEFORE_PATTERN.search(text[max(0, start - 8) : start])
    if not match:
        return 1
    word = next(g for g in match.groups() if g)
    return int(word) if word.isdigit() else COUNT_WORDS[word]


def asking_clauses(clauses: list[str]) -> list[bool]:
    """Which clauses of a message ask something; the rest tell the story around the question.

    A clause of filler alone ("咋整", "急") asks nothing of its own: the question is before it. A bare
    "真的假的" or "是这么回事不" asks about the claim just before it ("初中一年补两千 真的假的").
    """
    asking = [asks(c) for c in clauses]
    for i in range(1, len(clauses)):
        if CONFIRM_TAG_PATTERN.match(normalize(clauses[i])):
            asking[i - 1] = True
    return asking


def asks(clause: str) -> bool:
    """Whether `clause` asks something (filler such as "咋整" alone does not); a closing sigh or
    emoji changes nothing ("挂号费收不收啊😂")."""
    text = normalize(clause)
    if CONFIRM_TAG_PATTERN.match(text):
        return True
    return bool(ASKING_PATTERN.search(TRAILING_SIGH_PATTERN.sub("", text))) and not FILLER_PATTERN.match(text)


def split_questions(message: str) -> list[str]:
    """The questions of a message, in order: parts that ask, each with the story told around it.

    "闺女上高中补多少？还有注射费收不收" -> two questions. A part that asks nothing ("俺家三口人")
    is context for the question after it (or, at the end, for the question before it).
    """
    questions: list[str] = []
    story = ""
    pieces: list[str] = []
    for part in QUESTION_BREAK_PATTERN.split(message):
        commas = [q for piece in COMMA_BREAK_PATTERN.split(part) for q in _enumerated(piece)]
        if len(commas) <= MAX_COMMA_CLAUSES:
            pieces.extend(commas)
            continue
        # A long story's commas separate what it tells, except in the questions it ends with
        # ("…不知道有没有培训，贷款能不能贴息"): each of those is asked, the story told before them.
        trailing = len(list(itertools.takewhile(asks, reversed(commas))))
        if trailing < 2:
            pieces.append(part)
            continue
        head = len(commas) - trailing
        pieces.append("，".join(commas[: head + 1]))
        pieces.extend(commas[head + 1 :])
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if asks(piece):
            questions.append(story + piece)
            story = ""
        else:
            story += piece + "，"
    if story:
        if not questions:
            return [message]
        questions[-1] += "，" + story.rstrip("，")
    return questions


def _enumerated(piece: str) -> list[str]:
    """ "全县脱贫多少人、退出几个贫困村、村集体收入最少得多少": questions listed with 、, each asked
    on its own; a list of topics under one question ("A、B各多少") stays whole."""
    items = piece.split("、")
    if len(items) < 2 or sum(asks(i) for i in items) < 2:
        return [piece]
    return items


def both_topics(question: str) -> list[str]:
    """ "危桥和村组道路分别改造多少" -> ["危桥改造多少", "村组道路改造多少"]; else [question].

    "X加上Y一共多少座" splits the same way; the engine adds the total of the two figures.
    """
    match = BOTH_PATTERN.match(question) or TOTAL_OF_BOTH_PATTERN.match(question)
    if not match:
        return [question]
    first, second, tail = match.groups()
    # "龙头企业、专业合作社、家庭农场各新培育多少": every topic of the list, not two.
    rest = [t for t in TOPIC_SEPARATOR_PATTERN.split(second) if len(t) >= 2] if match.re is BOTH_PATTERN else []
    return [first + tail] + ([t + tail for t in rest] if len(rest) > 1 else [second + tail])


#: Two things set side by side rather than added up ("中职也有吗还是只有普高有", "初中跟高中一样不").
COMPARING_PATTERN = re.compile(r"还是|一样|哪个多|哪个少|区别|不同|差多少|差几|比.{1,6}[多少高低]")


def compares(question: str) -> bool:
    """Whether the message compares what it names instead of counting them up."""
    return bool(COMPARING_PATTERN.search(question)) and not asks_total(question)


def asks_total(question: str) -> bool:
    """Whether the message asks for a total ("一共", "加起来")."""
    return bool(SUM_PATTERN.search(question))


def several(question: str) -> tuple[int, str] | None:
    """ "俺和兄弟两家…一共" -> (2, "户"): how many households or villages a total is asked for."""
    if not (SUM_PATTERN.search(question) or SEVERAL_ASKED_PATTERN.search(question)):
        return None
    match = SEVERAL_PATTERN.search(question)
    if not match:
        return None
    word = match.group(1)
    return (int(word) if word.isdigit() else COUNT_WORDS[word]), SEVERAL_WHAT[match.group(2)]
