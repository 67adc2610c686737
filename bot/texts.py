"""Every user-facing string of the Telegram bot and the sandbox page, in simplified Chinese.

Handlers format these and send them; nothing else in `bot/` writes words a household reads.
Placeholders are `str.format` fields named after what they hold.
"""

from __future__ import annotations

# --- menu (reply-keyboard buttons; handlers match on these exact labels) ------------------------
BUTTON_ASK = "政策咨询"
BUTTON_CHECK = "补贴测算"
BUTTON_CONTACTS = "联系方式"
BUTTON_HELP = "使用帮助"
MENU = [[BUTTON_ASK, BUTTON_CHECK], [BUTTON_CONTACTS, BUTTON_HELP]]
MENU_PLACEHOLDER = "直接输入您的问题，例如：娃上初中一年补多少钱"

#: Commands registered with setMyCommands: (command, description).
COMMANDS = [
    ("start", "开始 / 主菜单"),
    ("check", "补贴测算"),
    ("ask", "政策咨询"),
    ("contacts", "责任单位联系方式"),
    ("cancel", "取消当前操作"),
    ("help", "使用帮助"),
]

# --- /start, help, contacts ------------------------------------------------------------------
WELCOME = (
    "您好，{name}！我是新宾扶贫助手。\n"
    "我按照《新宾满族自治县2018年脱贫攻坚工作实施方案》回答补贴、救助政策问题，"
    "并告诉您该找哪个单位办理。\n\n"
    "• 直接用大白话提问，例如“娃上初中一年补多少钱”\n"
    "• 点“补贴测算”，回答几个问题，算算您家能享受哪些政策\n"
    "• 任何时候发 /cancel 都可以取消当前操作"
)
HELP = (
    "使用方法：\n"
    "1. 直接发文字提问，我会给出方案里的标准、出处和负责单位；\n"
    "2. /check 补贴测算：按提示回答，得出您家可能享受的政策和每年现金补助合计；\n"
    "3. /contacts 查看各项政策的负责单位；\n"
    "4. /cancel 随时取消。\n"
    "以上内容仅依据实施方案，具体以责任单位认定为准。"
)
ASK_PROMPT = "请直接输入您的问题，例如：“低保怎么申请”“危房改造补多少钱”“看病能减免哪些费用”。"
CONTACTS_HEADER = "各项政策的负责单位（第一个为牵头单位）：\n"
CONTACTS_LINE = "• {title}：{units}"
CONTACTS_FOOTER = "\n也可以向所在村的驻村干部或乡镇政府咨询。"

# --- answers ---------------------------------------------------------------------------------
ANSWER = "{answer}"
ANSWER_SOURCE = "\n\n📄 出处（{title}）：{source}"
ANSWER_UNITS = "\n📞 请联系：{units}"
NOT_COVERED = (
    "抱歉，实施方案里没有涉及这个问题，我无法回答。\n"
    "我只能回答方案里的补贴、救助和责任单位等问题，例如“初中生一年补助多少”。"
)
LOW_CONFIDENCE = "\n\n我不太确定您问的是哪一项，您是不是想问："
ALTERNATIVE_BUTTON = "{title}"
ALTERNATIVE_EXPIRED = "这个按钮已失效，请直接输入您的问题。"
TOO_LONG = "您的消息太长了（{length} 字）。请用一两句话说明您想问什么，不超过 {limit} 字。"
NO_TEXT_QUESTION = "您的消息里没有文字。请用文字提问，例如“危房改造补多少钱”。"

# --- anything else ---------------------------------------------------------------------------
NOT_TEXT = "我只能看懂文字消息，暂时看不了图片、语音或贴纸。请用文字告诉我您想问什么。"
UNKNOWN_COMMAND = "没有这个命令。可用命令：/start 主菜单、/check 补贴测算、/cancel 取消、/help 帮助。"
EDITED = "我看到您修改了消息。修改后的内容我不会重新处理，请把问题重新发送一遍。"
GROUP_ONLY_PRIVATE = "为保护个人信息，请私聊我提问或测算：点我的头像，选择“发消息”。"
NOTHING_TO_CANCEL = "当前没有进行中的操作。有问题可以直接提问。"
RATE_LIMITED = "您发送得太快了，请稍等 {seconds} 秒再发。"
ERROR = "抱歉，处理您的消息时出了点问题，请稍后再试。如一直不行，请联系县扶贫办。"
CALLBACK_UNKNOWN = "这个按钮已失效。"

# --- /check (补贴测算) -------------------------------------------------------------------------
BUTTON_BACK = "⬅️ 上一步"
BUTTON_CANCEL = "❌ 取消"
BUTTON_YES = "是"
BUTTON_NO = "否"
CHECK_INTRO = "补贴测算：回答几个问题（随时可以点“上一步”返回或“取消”退出）。"
CHECK_REGISTERED = "您家是建档立卡贫困户（或已脱贫的建档立卡户）吗？"
CHECK_CHILDREN = "家里有几个孩子在上学（含幼儿园）？请选择或输入数字 0–{max}。"
CHECK_STAGE = "第 {number} 个孩子在上什么学？"
STAGE_LABELS = {
    "preschool": "学前（幼儿园）",
    "primary": "小学",
    "junior": "初中",
    "senior": "普通高中",
    "vocational": "中职",
    "college": "高职/本科",
}
CHECK_HOUSING = "您家住房的安全等级是？（不清楚可选“未鉴定/不清楚”）"
HOUSING_LABELS = {"A": "A级", "B": "B级", "C": "C级", "D": "D级（危房）"}
HOUSING_UNKNOWN = "未鉴定/不清楚"
CHECK_ILLNESS = "家里有人患重大疾病吗？"
CHECK_DISABILITY = "家里有残疾人吗？"
DISABILITY_LABELS = {"none": "没有", "disabled": "有残疾人", "severe": "有重度残疾人"}
CHECK_WORK = "家里有劳动能力的人吗（能外出打工或种地）？"
CHECK_WRONG = "没看懂您的回答。请点下面的按钮选择，或点“上一步”“取消”。"
CHECK_TOO_MANY_WRONG = (
    "我连续几次没看懂您的回答。这一步需要从下面的按钮里选一个；"
    "键盘被收起时，点输入框旁的按钮图标就能展开。\n"
    "不想继续的话，点“取消”或发 /cancel 结束测算。"
)
CHECK_NOT_TEXT = "这一步需要文字回答，请点下面的按钮选择。"
CHECK_CANCELLED = "已取消补贴测算。需要时可以随时再点“补贴测算”。"
CHECK_TIMEOUT = "补贴测算长时间没有回复，已自动结束。需要时请重新点“补贴测算”。"
CHECK_IN_PROGRESS = "您正在进行补贴测算，请先回答上面的问题，或点“取消”退出。"
CHECK_RESULT_HEADER = "测算结果（按实施方案）：\n"
CHECK_RESULT_NOTHING = "按您的回答，方案中没有找到对应的补贴项目。"
CHECK_NOT_REGISTERED = (
    "方案中的这些补贴和救助面向建档立卡贫困户。您家如果生活困难，"
    "可以向村委会或乡镇政府申请贫困户识别（每季度开展一次）。"
)
CHECK_ITEM_AMOUNT = "• {who}{item}：{amount} 元/{per}/{period}"
CHECK_ITEM_ONCE = "• {who}{item}：{amount} 元/{per}（一次性）"
CHECK_ITEM_WAIVER = "• {who}{item}：免收"
CHECK_ITEM_REDUCTION = "• {who}{item}：减收 {percent}%"
CHECK_ITEM_OTHER = "• {who}{item}：按规定享受（方案未写金额）"
CHECK_ITEM_MEMBER = "第{number}人 "
CHECK_TOTAL = "\n每年现金补助合计：{total} 元（不含一次性补助和未写金额的项目）"
CHECK_UNITS = "\n请联系：{units}"
CHECK_CAVEAT = "\n\n{caveat}"

# --- sandbox page ----------------------------------------------------------------------------
SANDBOX_ROLE_NAMES = {
    "household": "群众（贫困户）",
    "cadre": "驻村干部",
    "unit": "责任单位",
    "office": "县扶贫办",
}
#: Labels of the sandbox chat page, filled in by its script from `/sandbox/config`.
SANDBOX_PAGE = {
    "title": "新宾扶贫助手 · 沙盒",
    "subtitle": "本地沙盒：不连接 Telegram，与真实机器人同一套程序。",
    "pick_role": "请选择您的身份：",
    "name_label": "称呼",
    "default_name": "张大姐",
    "enter": "进入聊天",
    "placeholder": "输入消息，例如：娃上初中一年补多少钱",
    "send": "发送",
    "switch": "换个身份",
    "sticker": "发贴纸",
    "photo": "发图片",
    "bot_name": "扶贫助手",
    "connection_lost": "与沙盒的连接中断，正在重试…",
    "roles_note": "身份只在沙盒中可选；真实使用时由县扶贫办发放邀请链接。",
}
