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
ANSWER_SOURCE = "\n\n📄 出处（{plan}“{title}”）：{source}"
ANSWER_UNITS = "\n📞 请联系：{lead}{partners}"
ANSWER_PARTNERS = "（{units}参与）"
#: A unit's entry in the office's directory, under an answer that names it.
CONTACT_LINE = "\n☎️ {unit}：{details}"
CONTACT_PHONE = "电话 {phone}"
CONTACT_ADDRESS = "地址 {address}"
CONTACT_HOURS = "办公时间 {hours}"
CONTACT_SEPARATOR = "；"
CONTACTS_DIRECTORY_HEADER = "\n\n各单位联系方式："
#: Each of several questions in one message, numbered in the order asked.
ANSWER_NUMBERED = "{number}. {text}"
LOW_CONFIDENCE = "\n\n我不太确定您问的是哪一项，您是不是想问："
ALTERNATIVE_BUTTON = "{question}？"
ALTERNATIVE_EXPIRED = "这个按钮已失效，请直接输入您的问题。"
TOO_LONG = "您的消息太长了（{length} 字）。请用一两句话说明您想问什么，不超过 {limit} 字。"

# --- anything else ---------------------------------------------------------------------------
NOT_TEXT = "我只能看懂文字消息，暂时看不了图片、语音或贴纸。请用文字告诉我您想问什么。"
UNKNOWN_COMMAND = "没有这个命令。可用命令：/start 主菜单、/check 补贴测算、/cancel 取消、/help 帮助。"
EDITED = "我看到您修改了消息。修改后的内容我不会重新处理，请把问题重新发送一遍。"
GROUP_ONLY_PRIVATE = "为保护个人信息，请私聊我提问或测算：点我的头像，选择“发消息”。"
NOTHING_TO_CANCEL = "当前没有进行中的操作。有问题可以直接提问。"
RATE_LIMITED = "您发送得太快了，请稍等 {seconds} 秒再发。"
#: Ends a text Telegram could not take whole (over 4,096 characters; a caption over 1,024).
TRUNCATED = "……（内容过长，以下从略）"
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

# --- roles and registration (cadres, townships, units, office) -------------------------------
BUTTON_REPORT = "进度上报"
BUTTON_HOUSEHOLD_CHANGE = "户情变动"
BUTTON_MY_REPORTS = "我的上报"
BUTTON_TASKS = "待办任务"
BUTTON_PENDING_CHANGES = "待审核户情"
BUTTON_BROADCAST = "发布通知"
BUTTON_DASHBOARD = "工作看板"
#: Reply-keyboard menu of each role (keys are `RoleKind` values); households keep `MENU`.
ROLE_MENUS = {
    "cadre": [[BUTTON_REPORT, BUTTON_HOUSEHOLD_CHANGE], [BUTTON_MY_REPORTS, BUTTON_PENDING_CHANGES], [BUTTON_HELP]],
    "township": [[BUTTON_PENDING_CHANGES, BUTTON_TASKS], [BUTTON_HELP]],
    "unit": [[BUTTON_TASKS, BUTTON_HELP]],
    "office": [[BUTTON_BROADCAST, BUTTON_PENDING_CHANGES], [BUTTON_DASHBOARD, BUTTON_TASKS], [BUTTON_HELP]],
}
ROLE_MENU_PLACEHOLDER = "请点下面的菜单按钮"
#: Extra commands shown (per chat) to a registered role, after the households' `COMMANDS`.
ROLE_COMMANDS = {
    "cadre": [("report", "进度上报"), ("household", "户情变动"), ("myreports", "我的上报"), ("pending", "待审核户情")],
    "township": [("pending", "待审核户情"), ("tasks", "待办任务")],
    "unit": [("tasks", "待办任务")],
    "office": [
        ("pending", "待审核户情"),
        ("tasks", "待办任务"),
        ("dashboard", "工作看板"),
        ("broadcast", "发布通知"),
        ("deadline", "登记截止事项"),
    ],
}
#: What each role may do, named when a command is refused.
ROLE_CAN_DO = {
    "household": "政策咨询、补贴测算、查看联系方式",
    "cadre": "进度上报、户情变动、查看我的上报",
    "township": "审核户情、查看待办任务",
    "unit": "查看和办理待办任务（接收、办结、退回）",
    "office": "发布通知、审核户情、查看工作看板和待办任务",
}
ROLE_WELCOME = {
    "cadre": (
        "您好，{name}！您已登记为驻村干部（{binding}）。\n"
        "可以点“进度上报”报送扶贫项目进度，点“户情变动”报送贫困户变化。"
    ),
    "township": "您好，{name}！您已登记为乡镇干部（{binding}）。\n待审核的户情和本乡镇参与的事项会发给您。",
    "unit": "您好，{name}！您已登记为责任单位工作人员（{binding}）。\n分派给本单位的事项会发给您，点“待办任务”查看。",
    "office": "您好，{name}！您已登记为县扶贫办工作人员。\n可以发布通知、审核户情、查看工作看板。",
}
ROLE_HELP = {
    "cadre": (
        "驻村干部使用方法：\n"
        "1. 进度上报（/report）：选项目、指标、村，填数量，可附照片和说明，确认后报送责任单位；\n"
        "2. 户情变动（/household）：报送纳入、退出、返贫等变化；村级评议、村公示后发 /pending 点“通过”；\n"
        "3. 我的上报（/myreports）：查看报送的事项办到哪一步；\n"
        "4. /cancel 随时取消。也可以像群众一样直接提问政策。"
    ),
    "township": (
        "乡镇干部使用方法：\n1. 待审核户情（/pending）：审核本乡镇的户情变动；\n"
        "2. 待办任务（/tasks）：本乡镇参与的事项。"
    ),
    "unit": (
        "责任单位使用方法：\n待办任务（/tasks）列出本单位未办结的事项，按“接收”“办结”“退回”处理；"
        "超期未办会提醒并报县扶贫办。"
    ),
    "office": (
        "县扶贫办使用方法：\n1. 发布通知（/broadcast）：写通知、选对象和时间，核对后发送；\n"
        "2. 登记截止事项（/deadline）：填事项和截止日期、选提醒对象，核对后登记，到期前自动提醒；\n"
        "3. 待审核户情（/pending）、工作看板（/dashboard）、待办任务（/tasks）。"
    ),
}
INVITE_WRONG = "这个邀请链接用不了：{reason}\n您仍可以像群众一样提问政策。"
NOT_ALLOWED = "“{what}”只对{roles}开放。\n您可以使用：{can_do}。"
NOT_ALLOWED_CALLBACK = "您没有权限处理这个事项。"

# --- /report (进度上报) -------------------------------------------------------------------------
REPORT_INTRO = "进度上报：按提示逐项选择和填写，随时可以点“上一步”返回或“取消”退出。"
REPORT_NO_MEASURES = "实施方案里没有可上报的目标任务。"
REPORT_NO_VILLAGE = "您的驻村干部登记没有绑定村，无法上报。请联系县扶贫办重新发放邀请链接。"
REPORT_MEASURE = "请选择上报的工作措施："
REPORT_MEASURE_GONE = "实施方案已更新，您先前选的措施或指标已不在现行方案中，请重新选择。"
REPORT_MEASURE_BUTTON = "{title}（{lead}）"
REPORT_INDICATOR = "请选择指标（方案目标 · 全县还差多少）："
REPORT_INDICATOR_BUTTON = "{name}（{unit}）"
REPORT_INDICATOR_LINE = "• {name}：目标 {target}{unit}，还差 {remaining}{unit}"
REPORT_INDICATOR_LINE_VILLAGE = "• {name}：每村目标 {target}{unit}（按村计算）"
REPORT_VILLAGE = "是哪个村的进度？"
REPORT_QUANTITY = "“{name}”完成了多少{unit}？请输入数字，例如 {example}。"
REPORT_QUANTITY_REMAINING = "（全县目标还差 {remaining}{unit}）"
REPORT_QUANTITY_REMAINING_VILLAGE = "（本村距每村目标还差 {remaining}{unit}）"
REPORT_OVER = "您填的 {quantity}{unit} 超过了全县目标剩余的 {remaining}{unit}。确认没填错吗？"
REPORT_OVER_VILLAGE = "您填的 {quantity}{unit} 超过了本村距每村目标剩余的 {remaining}{unit}。确认没填错吗？"
BUTTON_OVER_YES = "确认无误"
BUTTON_OVER_NO = "重新填写"
REPORT_PHOTO = "可以发一张现场照片（可选），不发请点“跳过”。"
REPORT_NOTE = "有需要说明的吗？请输入说明（200 字以内），没有请点“跳过”。"
REPORT_NOTE_TOO_LONG = "说明最多 {limit} 字，现在有 {length} 字，请精简后重新输入。"
REPORT_SUMMARY = (
    "请核对上报内容：\n"
    "• 措施：{measure}\n"
    "• 指标：{indicator}\n"
    "• 村：{village}\n"
    "• 数量：{quantity}{unit}\n"
    "• 照片：{photo}\n"
    "• 说明：{note}\n"
    "无误请点“确认”，要改点“修改”，不报了点“取消”。"
)
REPORT_PHOTO_YES = "已附 1 张"
REPORT_NONE = "无"
REPORT_EDIT = "要修改哪一项？"
#: Labels of the 修改 menu, by draft field.
REPORT_FIELDS = {
    "measure": "措施和指标",
    "village": "村",
    "quantity": "数量",
    "photo": "照片",
    "note": "说明",
}
REPORT_DUPLICATE = (
    "{village}近期已有同一指标的事项 #{number}（{title}，{state}）。\n把这次上报合并到已有事项，还是另建新事项？"
)
BUTTON_MERGE = "合并到已有事项"
BUTTON_NEW_ITEM = "另建新事项"
REPORT_SUBMITTED = (
    "已上报，事项编号 #{number}：{title}（{village}）。\n已转{unit}办理，办理期限 {due}；办理进展会通知您。"
)
REPORT_MERGED = "已上报，并合并到事项 #{number}：{title}（{village}），由{unit}办理。"
#: What a merged report adds, as the lead unit reads it.
REPORT_ADDED = "{name} {quantity} {unit}"
REPORT_ALREADY = "这次上报已经记录过了（事项 #{number}），不会重复上报。"
REPORT_REFUSED = "没能上报：{reason}\n请点“修改”改正，或点“取消”退出。"
REPORT_WRONG = "没看懂您的回答。请点下面的按钮选择，或点“上一步”“取消”。"
REPORT_NOT_A_PHOTO = "这一步需要一张照片。请发照片，或点“跳过”。"
REPORT_TOO_MANY_WRONG = (
    "这一步连续几次没有成功。请按提示回答；键盘被收起时，点输入框旁的按钮图标就能展开。\n"
    "不想继续的话，点“取消”或发 /cancel 结束上报。"
)
REPORT_CANCELLED = "已取消进度上报。"
REPORT_TIMEOUT = "进度上报长时间没有回复，已自动结束。需要时请重新点“进度上报”。"
REPORT_IN_PROGRESS = "您正在进行进度上报，请先回答上面的问题，或点“取消”退出。"

# --- the task loop: items routed to units (/tasks, 接收/办结/退回, reminders) --------------------
BUTTON_ACCEPT = "接收"
BUTTON_CLOSE = "办结"
BUTTON_RETURN = "退回"
ITEM_CARD = (
    "📋 事项 #{number}（{kind}）\n"
    "{title}\n"
    "村：{village}\n"
    "上报人：{reporter}{notes}\n"
    "牵头单位：{owner}{others}\n"
    "办理期限：{due}\n"
    "状态：{state}"
)
ITEM_OTHERS = "；参与：{names}"
ITEM_NOTE = "\n备注：{note}"
ITEM_PHOTO = "📷 事项 #{number}（{title}）的现场照片，上报人：{reporter}"
ITEM_NEW_LEAD = "有新的事项分派给{unit}，请处理：\n\n{card}"
ITEM_NEW_COPY = "抄送（仅供知悉，由{unit}牵头办理）：\n\n{card}"
ITEM_MERGED_LEAD = "事项 #{number}（{title}，{village}）合并了一份新的上报：{added}。"
ITEM_ACTED = "\n\n✔️ {who} {state}"
ITEM_REPORTER = "您上报的事项 #{number}（{title}）：{unit} {state}"
ITEM_REPORTER_REASON = "{line}\n退回原因：{reason}"
ITEM_DONE_ALREADY = "事项 #{number} 已经处理过了，这个按钮无需再按。"
ITEM_RETURN_REASON = "请写明退回事项 #{number}（{title}）的原因，上报人会看到："
ITEM_RETURN_CANCELLED = "已取消退回，事项 #{number} 保持原状。"
ITEM_RETURN_DONE = "事项 #{number} 已退回，已通知上报人。"
ITEM_RETURN_WRONG = "{reason}\n请重新输入退回原因，或点“取消”。"
ITEM_RETURN_NOT_TEXT = "请用文字写明退回原因，或点“取消”。"
ITEM_REFUSED = "{reason}\n您可以使用：{can_do}。"
ITEM_GONE = "这个事项已不存在。"
TASKS_HEADER = "待办事项共 {count} 项（按办理期限排序）："
TASKS_MORE = "另有 {count} 项未列出，请先处理以上事项。"
TASKS_NONE = "目前没有待办事项。"
TASKS_OVERDUE = "⚠️ 已超期"
MY_REPORTS_HEADER = "您最近上报的事项："
MY_REPORTS_LINE = "• #{number} {title}（{village}）：{unit} {state}{reason}"
MY_REPORTS_REASON = "，退回原因：{reason}"
MY_REPORTS_NONE = "您还没有上报过事项。点“进度上报”开始。"
#: Characters of a return reason shown in 我的上报 (the whole reason came with the returned card).
MY_REPORTS_REASON_SHOWN = 80
MY_REPORTS_MORE = "…另有 {count} 项未列出。"
REMIND_UNIT = "⏰ 事项已超过办理期限（{due}），请尽快处理：\n\n{card}"
ESCALATE_OFFICE = "⚠️ 超期事项：{unit}未在办理期限 {due} 前办结事项 #{number}。\n\n{card}"

# --- /household (户情变动) and /pending (待审核户情) ------------------------------------------
#: 身份证号 appear only masked (2104**********1234); the cadre's own message with it is deleted.
HOUSEHOLD_INTRO = (
    "户情变动：按提示逐项填写，随时可以点“上一步”返回或“取消”退出。\n"
    "为保护隐私，您发的身份证号会被删除，之后只显示前 4 位和后 4 位。"
)
HOUSEHOLD_KIND = "请选择变动类别："
HOUSEHOLD_VILLAGE = "是哪个村的户？"
HOUSEHOLD_ID_NUMBER = "请输入户主的 18 位居民身份证号："
HOUSEHOLD_ID_RECEIVED = "已收到身份证号 {id_number}（您发的原消息已删除）。"
HOUSEHOLD_ID_REFUSED = "{reason}（为保护隐私，您发的原消息已删除。）"
HOUSEHOLD_FOUND = (
    "花名册中已有这一户：户主 {head}，{members} 人，{village}，{status}。\n"
    "户主姓名和人口没有变化的话，点“沿用登记信息”即可。"
)
HOUSEHOLD_HEAD = "请输入户主姓名："
HOUSEHOLD_MEMBERS = "这户现在有几口人？请输入 1–{max} 的整数，如 3 或 三。"
HOUSEHOLD_CAUSE = "主要致贫原因是？"
HOUSEHOLD_NOTE = "还有需要说明的情况吗？直接输入说明（不超过 {max} 字）；没有请点“跳过”。"
HOUSEHOLD_NOTE_TOO_LONG = "说明太长了（{length} 字），最多 {max} 字，请精简后重新输入。"
BUTTON_KEEP = "沿用登记信息"
BUTTON_SKIP = "跳过"
BUTTON_CONFIRM = "✅ 确认"
BUTTON_EDIT = "✏️ 修改"
HOUSEHOLD_SUMMARY = (
    "请核对户情变动：\n"
    "类别：{kind}\n"
    "村：{village}\n"
    "身份证号：{id_number}\n"
    "户主：{head}\n"
    "人口：{members} 人"
    "{cause}{note}\n\n"
    "无误请点“确认”报送；要改正请点“修改”；不报了请点“取消”。"
)
HOUSEHOLD_SUMMARY_CAUSE = "\n致贫原因：{cause}"
HOUSEHOLD_SUMMARY_NOTE = "\n说明：{note}"
HOUSEHOLD_EDIT = "要修改哪一项？"
#: Buttons of the 修改 step, one per field (keys are the draft's fields).
HOUSEHOLD_FIELDS = {
    "kind": "类别",
    "village_id": "村",
    "id_masked": "身份证号",
    "head_name": "户主姓名",
    "members": "人口",
    "cause": "致贫原因",
    "note": "说明",
}
HOUSEHOLD_ID_AGAIN = (
    "为保护个人信息，身份证号只在报送前临时记住，不随草稿保存；系统中途重启过，请再输入一次身份证号，其余内容都已保留。"
)
HOUSEHOLD_NOT_CADRE_VILLAGE = "您还没有绑定村，无法报送户情变动。请联系县扶贫办重新发放驻村干部邀请。"
HOUSEHOLD_WRONG = "没看懂您的回答。请点下面的按钮选择，或点“上一步”“取消”。"
HOUSEHOLD_WRONG_KIND = "没有这个变动类别。请从下面的按钮里选一个。"
HOUSEHOLD_WRONG_VILLAGE = "这不是您驻的村。请从下面的按钮里选一个村。"
HOUSEHOLD_WRONG_CAUSE = "没有这个致贫原因。请从下面的按钮里选一个。"
HOUSEHOLD_NOTHING_TO_KEEP = "花名册里没有这一户的登记信息可沿用，请直接输入。"
HOUSEHOLD_NOT_TEXT = "这一步需要文字回答，请输入文字或点下面的按钮。"
HOUSEHOLD_TOO_MANY_WRONG = (
    "这一步已经连续几次没能通过。请按下面的提示重新输入；"
    "键盘被收起时，点输入框旁的按钮图标就能展开。\n"
    "不想继续的话，点“取消”或发 /cancel 结束，不会报送任何内容。"
)
HOUSEHOLD_SUBMITTED = (
    "已报送（编号 {number}）：{head} {kind}，{village}，当前阶段：{stage}。\n县扶贫办和乡镇会收到；每进一步都会通知您。"
)
#: Added to the receipt when the stage the change waits in is the reporting cadre's own.
HOUSEHOLD_YOUR_STAGE = "\n“{stage}”由您组织：完成后发 /pending（待审核户情），点“通过”或“不通过”。"
HOUSEHOLD_REFUSED = "没能报送：{reason}\n请点“修改”改正，或点“取消”。"
HOUSEHOLD_CANCELLED = "已取消户情变动，没有报送任何内容。"
HOUSEHOLD_TIMEOUT = "户情变动长时间没有回复，已自动结束，没有报送。需要时请重新点“户情变动”。"
HOUSEHOLD_IN_PROGRESS = "您正在填写户情变动，请先回答上面的问题，或点“取消”退出。"

PENDING_NONE = "{scope}目前没有待审核的户情变动。"
PENDING_HEADER = "待审核户情（{scope}）：共 {count} 户。"
PENDING_SCOPE_COUNTY = "全县"
PENDING_STAGE = "【{stage}】{count} 户"
PENDING_LINE = "{number} {kind} {head}，{members} 人，{village}，{id_number}"
PENDING_MORE = "……另有 {count} 户未列出，处理完上面的再发 /pending 查看。"
BUTTON_ADVANCE = "{number} 通过，进入{stage}"
BUTTON_REJECT = "{number} 不通过"
PENDING_ADVANCED = "{number} {head} {kind}：已进入 {stage}"
#: Sent to the people whose turn a change's new stage is.
PENDING_YOUR_TURN = "待审核户情：{number} {head} {kind}（{village}），当前阶段“{stage}”，请发 /pending 处理。"
PENDING_REJECT_REASON = "请输入 {number} {head} {kind} 不通过的原因（会告知报送的驻村干部），或点“取消”："
PENDING_REJECT_CANCELLED = "已取消，这户仍待审核。"
PENDING_REJECTED = "{number} {head} {kind}：不通过，原因已告知报送的驻村干部。"
PENDING_REJECT_IN_PROGRESS = "请先输入不通过的原因，或点“取消”。"
PENDING_REJECT_TIMEOUT = "长时间没有收到不通过的原因，已取消，这户仍待审核。"
#: What the reporting cadre is told at each step of 两公示一公告.
CHANGE_STEP_NOTICE = "{head} {kind}：已进入 {stage}（编号 {number}，{village}）"
CHANGE_REJECTED_NOTICE = "{head} {kind}：未通过（编号 {number}，{village}）。原因：{reason}"

# --- /dashboard (工作看板, office) -------------------------------------------------------------
DASHBOARD_LINK = (
    "工作看板：{url}\n"
    "点上面的链接即可登录（{expires} 前有效，北京时间）。\n"
    "如需手动登录，令牌是：\n{token}\n"
    "令牌相当于您的账号，请勿转发。"
)

# --- /broadcast (发布通知), /deadline (登记截止事项), delivery reports, reminders — office -------
BROADCAST_ASK_TEXT = "发布通知：请输入通知内容（下一步选择发给谁，确认前可以预览）。"
BROADCAST_ASK_AUDIENCE = "发给谁？"
#: Audience buttons, in the order shown (keys are `AudienceKind` values).
AUDIENCE_BUTTONS = {
    "all": "全部",
    "cadres": "全部驻村干部",
    "township": "某个乡镇",
    "units": "各责任单位",
    "households": "群众",
}
BROADCAST_ASK_TOWNSHIP = "发给哪个乡镇？请选择："
BROADCAST_ASK_WHEN = "什么时候发？点“现在发送”，或输入日期和时间（北京时间），例如 12月1日 9:00、2026-12-01 09:00。"
BROADCAST_TIME_PAST = "这个时间已经过去了，请输入将来的时间，或点“现在发送”。"
BUTTON_SEND_NOW = "现在发送"
BUTTON_CONFIRM_SEND = "确认发送"
BROADCAST_PREVIEW = "请确认：\n发给：{audience}（目前 {count} 人）\n时间：{when}\n内容：\n{text}"
BROADCAST_NOW = "现在"
BROADCAST_NOBODY = "“{audience}”目前没有可以接收通知的人，请换一个范围。"
BROADCAST_QUEUED = "已开始发送，共 {count} 人。发送完毕后会把送达情况发给您。"
BROADCAST_SCHEDULED = "已安排在 {when}（北京时间）发送。发送完毕后会把送达情况发给您。"
BROADCAST_CHOOSE = "请点下面的按钮选择。"
BROADCAST_CONFIRM_OR_CANCEL = "请点“确认发送”，或点“上一步”修改、“取消”放弃。"
BROADCAST_CANCELLED = "已取消，通知没有发出。"
BROADCAST_TIMEOUT = "发布通知长时间没有回复，已自动结束，通知没有发出。"
BROADCAST_IN_PROGRESS = "您正在发布通知，请先完成上面的步骤，或点“取消”退出。"
BROADCAST_REPORT = (
    "通知送达情况（{audience}，共 {recipients} 人）：\n"
    "✅ 已送达 {delivered} 人\n"
    "❌ 未送达 {failed} 人{reasons}\n\n"
    "通知：{excerpt}"
)
BROADCAST_REPORT_REASON = "\n• {reason}（{count} 人）：{names}"
#: Names listed under each reason of a delivery report; the rest are counted.
BROADCAST_REPORT_NAMES = 30
MORE_PEOPLE = "…另有 {count} 人，详见工作看板"
#: Characters of a notice shown in its preview (the whole notice is sent).
BROADCAST_PREVIEW_SHOWN = 1500
BROADCAST_PREVIEW_CUT = "……（全文共 {length} 字，这里只显示开头；确认后发送全文）"
#: Characters of the notice quoted in its delivery report.
BROADCAST_EXCERPT = 40
DEADLINE_WHAT = "登记截止事项"
DEADLINE_ASK_TITLE = "登记截止事项：请输入事项名称，例如“上报第四季度贫困户识别结果”。"
DEADLINE_BAD_TITLE = "请输入事项名称（不超过 {limit} 字）。"
DEADLINE_ASK_DATE = "截止日期是哪天？例如 12月20日、2026-12-20。"
DEADLINE_ASK_AUDIENCE = "提醒谁？"
DEADLINE_SAVED = (
    "已登记：{title}，截止 {date}，提醒 {audience}。\n将在截止前 {offsets} 天提醒（北京时间 {hour} 点起发送）。"
)
DEADLINE_SUMMARY = (
    "请核对截止事项：\n事项：{title}\n截止日期：{date}\n提醒对象：{audience}（目前 {count} 人）\n"
    "提醒时间：截止前 {offsets} 天，北京时间 {hour} 点起\n确认无误请点“确认登记”。"
)
BUTTON_CONFIRM_DEADLINE = "确认登记"
DEADLINE_CONFIRM_OR_CANCEL = "请点“确认登记”，或点“上一步”修改、“取消”放弃。"
DEADLINE_CANCELLED = "已取消，没有登记。"
DEADLINE_TIMEOUT = "登记截止事项长时间没有回复，已自动结束。"
DEADLINE_IN_PROGRESS = "您正在登记截止事项，请先完成上面的步骤，或点“取消”退出。"
REMINDER_DEADLINE = "⏰ 截止提醒：{title}\n截止日期：{date}（{left}）"
REMINDER_CADENCE = "⏰ 工作提醒：{title}\n日期：{date}（{left}）\n依据实施方案：{sentence}"
REMINDER_DAYS_LEFT = "还有 {days} 天"
REMINDER_TODAY = "就是今天"

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
    "menu": "菜单",
    "menu_empty": "机器人还没有设置命令菜单。",
    "pick_role_first": "请先在上面选择您的身份。",
    "restarted": "沙盒重新启动过，之前的身份已失效，请重新选择身份。",
    "send_failed": "没有发出去（{status}），请稍后再试；一直不行就刷新页面。",
    "press_failed": "按钮没有反应（{status}），请稍后再试。",
    "roles_note": "身份只在沙盒中可选；真实使用时由县扶贫办发放邀请链接。",
}
