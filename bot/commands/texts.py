"""Every user-facing string of the `fupin` command line, in one place (Chinese, as the office reads it)."""

from __future__ import annotations

#: Printed to stderr before a domain error's own message.
ERROR = "错误：{message}"
#: A command typed wrong: what was wrong, where its usage is, and click's own words.
USAGE_ERROR = "命令用法不对：{problem}请运行 {command} --help 查看用法。 / {original}"
USAGE_NO_SUCH_OPTION = "没有 {option} 这个选项。"
USAGE_MISSING = "缺少参数 {param}。"
USAGE_NO_SUCH_COMMAND = "没有这个命令。"
USAGE_BAD_VALUE = "参数 {param} 的值不对。"
USAGE_OTHER = "参数不对。"

# --- fupin serve --------------------------------------------------------------------------------
SETTING_INVALID = "环境变量 {variable} 的值不对：{reason} / {variable} is invalid: {reason}"
SERVE_ONLY_HELP = (
    "只运行这些部分：web（网页与管理接口）、bot（接收消息）、delivery（发送通知）；可重复，或用逗号分隔。默认全部运行"
)
SERVE_UNKNOWN_PART = (
    "--only 不认识“{name}”：可选 web、bot、delivery（可重复 --only，或用逗号分隔）。"
    " / --only knows web, bot and delivery (repeat --only or separate them with commas), not “{name}”."
)
SERVE_NO_PART = "--only 至少要写一个部分：web、bot 或 delivery。 / --only needs at least one of web, bot, delivery."
SERVE_SANDBOX_PARTS = (
    "沙盒模式（未设置 FUPIN_TELEGRAM_TOKEN）不能只运行 {parts}：模拟的 Telegram 只存在于本进程的 web 部分，"
    "bot 和 delivery 只能和它一起运行。请去掉 --only（全部运行），或用 --only web 只开网页；"
    "要分开运行，请设置 FUPIN_TELEGRAM_TOKEN。"
    " / Sandbox mode (no FUPIN_TELEGRAM_TOKEN) cannot run {parts} alone: the emulated Telegram lives in this"
    " process's web part, so bot and delivery run only together with it. Drop --only (run everything) or use"
    " --only web for the pages alone; set FUPIN_TELEGRAM_TOKEN to run the parts apart."
)

# --- fupin places -------------------------------------------------------------------------------
PLACES_HELP = "乡镇与村：导入村庄名单，查看列表。"
PLACES_IMPORT_HELP = "从 CSV 文件导入村庄名单（表头 township,village）。每一行都正确才会写入；重复导入不会产生重复。"
PLACES_IMPORT_FILE_HELP = "村庄名单 CSV 文件（UTF-8 或 GBK 编码）"
PLACES_IMPORT_DONE = "导入完成：新增 {created} 个村，已存在 {existing} 个村。"
PLACES_FILE_UNREADABLE = "无法读取文件 {path}：{reason}"
PLACES_FILE_NOT_FOUND = "找不到文件 {path}"
PLACES_LIST_HELP = "列出全县乡镇及已导入的村。"
PLACES_LIST_TOWNSHIP_HELP = "只列出这个乡镇的村"
PLACES_TOWNSHIP_LINE = "{code} {name}（{count} 个村）"
PLACES_VILLAGE_LINE = "    {name}"
PLACES_NO_VILLAGES = "（尚未导入村庄名单：fupin places import 文件.csv）"

# --- fupin users --------------------------------------------------------------------------------
USERS_HELP = "用户与角色：生成邀请链接，查看已注册的用户。"
USERS_INVITE_HELP = "生成一次性邀请链接，对方打开后即以该角色注册。"
USERS_ROLE_HELP = "角色：cadre（驻村干部）、township（乡镇干部）、unit（责任单位）、office（县扶贫办）"
USERS_VILLAGE_HELP = "驻村干部负责的村，可重复；村名重名时写“乡镇/村名”"
USERS_TOWNSHIP_HELP = "乡镇干部所在乡镇"
USERS_UNIT_HELP = "责任单位名称，须为实施方案中列出的单位，如 县教育局"
USERS_JSON_HELP = "以 JSON 输出（code、link、role、expires_at）"
INVITE_CREATED = (
    "已生成{role}邀请{binding}，{expires} 前有效（北京时间），只能使用一次。请把下面的链接发给对方：\n{link}"
)
INVITE_BINDING = "（{what}）"
USERS_LIST_HELP = "列出已注册的用户及其角色。"
USERS_NONE = "还没有已注册的用户。"
USERS_LINE = "#{id} {name}（Telegram {telegram_id}）{status}：{roles}"
USERS_INACTIVE = "【已停用】"
USERS_NO_ROLE = "无角色"
ROLE_WITH_BINDING = "{role}（{binding}）"
LIST_SEPARATOR = "、"

# --- fupin export -------------------------------------------------------------------------------
EXPORT_HELP = "导出 Excel：progress（目标进度）、tasks（事项清单）、households（贫困户名册）。"
EXPORT_KIND_HELP = "导出什么：progress、tasks 或 households"
EXPORT_FORMAT_HELP = "文件格式：xlsx（Excel）或 csv（UTF-8，Excel 可直接打开）"
EXPORT_OUTPUT_HELP = "输出文件路径；默认当前目录下的“名称-日期.扩展名”"
EXPORT_FULL_HELP = "贫困户名册导出完整身份证号和姓名（默认脱敏）；此操作记入审计日志"
EXPORT_DONE = "已导出 {path}（{rows} 行）"
EXPORT_FULL_WARNING = "注意：文件含完整身份证号和姓名，请妥善保管，用后删除。"
EXPORT_WRITE_FAILED = "无法写入 {path}：{reason}"

# --- fupin ask / fupin route --------------------------------------------------------------------
ASK_HELP = "政策问答：用大白话提问，答复方案中的数字、出处和责任单位。"
ASK_QUESTION_HELP = "问题，如“娃上初中一年补多少钱”"
ROUTE_HELP = "事项分派：按方案规定找出牵头单位和参与单位。"
ROUTE_TEXT_HELP = "事项描述，如“村里的桥被大水冲坏了”"
JSON_HELP = "以 JSON 输出"
BATCH_HELP = "批量：文件每行一条，按同样顺序每行输出一个 JSON 对象"
KB_HELP = "知识库 JSON 或方案文本；省略则用内置方案"
NEED_INPUT = "请给出一条内容，或用 --batch 文件。"
BATCH_NOT_FOUND = "找不到批量文件 {path}"
ANSWER_ALTERNATIVES = "您是不是想问：{questions}"
ROUTE_LINE = "牵头单位：{lead}\n参与单位：{others}\n所属措施：{measure}"
ROUTE_NONE = "方案中没有明确对应的措施，请交县扶贫办分办。"
NONE = "无"

# --- fupin progress / fupin audit ---------------------------------------------------------------
PROGRESS_HELP = "目标进度：实施方案每项任务指标的目标与已完成量（含分乡镇），据驻村干部上报，已退回的不计。"
PROGRESS_JSON_HELP = (
    '以 JSON 输出：{"indicators": [{measure, indicator, unit, target, done, by_township}], '
    '"superseded": [同上，现行方案已没有的目标，target 为 0]}'
)
PROGRESS_TITLE = "目标进度（据驻村干部上报，已退回的不计）："
PROGRESS_MEASURE = "{id} {title}"
PROGRESS_LINE = "  {label}：{done} / {target} {unit}{at_least}（{percent}%）"
PROGRESS_AT_LEAST = "以上"
PROGRESS_VILLAGES_LINE = "  {label}：{done} / {target} {unit}达到每村 {each} {each_unit}{at_least}（{percent}%）"
PROGRESS_TOWNSHIPS = "    分乡镇：{townships}"
PROGRESS_TOWNSHIP = "{name} {done}"
PROGRESS_SUPERSEDED = "上一版方案的措施（现行方案已没有这些目标，以下是此前按原措施上报的数量）："
PROGRESS_SUPERSEDED_LINE = "  {measure} {label}：已上报 {done} {unit}"
AUDIT_HELP = "审计日志：按时间顺序列出每一次变更（谁、何时、之前、之后）。"
AUDIT_SINCE_HELP = "只列出此时刻以来的记录：日期 YYYY-MM-DD（北京时间当日零点起），或 ISO 时间如 2026-11-28T09:30"
AUDIT_JSON_HELP = "以 JSON 输出（id、at、actor、action、subject、before、after；时间为 UTC）"
AUDIT_BAD_DATE = "无法识别的日期“{value}”。请写成 YYYY-MM-DD（如 2026-11-28），或 ISO 时间（如 2026-11-28T09:30）。"
AUDIT_LINE = "{at} {actor} {action} {subject} {before} → {after}"
AUDIT_NOTHING = "—"
AUDIT_EMPTY = "没有审计记录。"
AUDIT_EMPTY_SINCE = "{since} 以来没有审计记录。"

# --- fupin households ---------------------------------------------------------------------------
HOUSEHOLDS_HELP = "建档立卡贫困户：导入县扶贫办的贫困户名单，查看在册户（姓名、身份证号脱敏显示）。"
HOUSEHOLDS_IMPORT_HELP = (
    "从 Excel（.xlsx）或 CSV 导入贫困户名单。表头：户主姓名、身份证号、乡镇、村、人口数、致贫原因、状态"
    "（也认 户主、证件号码、家庭人口 等写法）。每一行都正确才会写入；按身份证号更新，重复导入不会产生重复。"
)
HOUSEHOLDS_IMPORT_FILE_HELP = "贫困户名单文件：.xlsx，或 CSV（UTF-8 或 GBK 编码）"
HOUSEHOLDS_IMPORT_DONE = "导入完成：新增 {created} 户，更新 {updated} 户，无变化 {unchanged} 户。"
HOUSEHOLDS_LIST_HELP = "列出在册的建档立卡户，姓名和身份证号脱敏显示。"
HOUSEHOLDS_LIST_VILLAGE_HELP = "只列出这个村的户，可重复；村名重名时写“乡镇/村名”"
HOUSEHOLDS_LINE = "{id_number} {name} {village} {members}人 致贫原因：{cause} {status}"
HOUSEHOLDS_TOTAL = "共 {count} 户。"
HOUSEHOLDS_NONE = "（还没有贫困户记录：fupin households import 名单.xlsx）"

# --- fupin questions / fupin kb reload ----------------------------------------------------------
QUESTIONS_HELP = (
    "群众问了什么：近 30 天未答上或把握不大的问题（已隐去姓名、身份证号、电话），按相似程度归组；"
    "给条目添加审定的群众说法。"
)
QUESTIONS_LIST_HELP = "按相似程度分组列出近 30 天未答上或把握不大的问题，问得最多的在前。"
QUESTIONS_JSON_HELP = "以 JSON 输出（wording、texts、count、last_asked、measure、matched、confidence）"
QUESTIONS_EMPTY = "近 30 天没有未答上或把握不大的问题。"
QUESTIONS_GROUP = "[{number}] {wording}（{count} 次，最近 {last}）→ {answered}"
QUESTIONS_MEMBER = "      {text}"
QUESTIONS_NOT_COVERED = "未答上"
QUESTIONS_ANSWERED = "答以措施 {measure}（把握 {confidence}）"
QUESTIONS_ENTRIES_HELP = "列出实施方案的条目及其编号（添加说法时用），可按关键词筛选。"
QUESTIONS_ENTRIES_SEARCH_HELP = "只列出编号或内容含此关键词的条目，如 危房"
QUESTIONS_ENTRY_LINE = "{key}\n      {statement}"
QUESTIONS_ATTACH_HELP = "把群众的一种说法（不含数字、金额、单位）审定给一个条目；重新加载后生效（fupin kb reload）。"
QUESTIONS_PHRASE_HELP = "群众的说法，如 房子漏雨"
QUESTIONS_ENTRY_HELP = "条目编号，见 fupin questions entries，如 m06300403/benefit/D级危房改造补助"
QUESTIONS_ATTACHED = "已添加说法“{phrase}” → {entry}。运行 fupin kb reload（或重启）后，机器人即按此作答。"
QUESTIONS_PHRASES_HELP = "列出已审定的群众说法及其对应条目。"
QUESTIONS_PHRASE_LINE = "{phrase} → {entry}"
QUESTIONS_NO_PHRASES = "尚无审定的群众说法。"
QUESTIONS_DETACH_HELP = "撤回一条审定的说法；重新加载后生效（fupin kb reload）。"
QUESTIONS_DETACHED = "已撤回说法“{phrase}”（原对应 {entry}）。运行 fupin kb reload（或重启）后生效。"
KB_RELOAD_HELP = "让运行中的机器人按已审定的群众说法重新加载问答引擎（半分钟内生效）。"
KB_RELOAD_DONE = "已请求重新加载（{phrases} 条审定说法）；运行中的机器人将在 {seconds} 秒内生效。"
ASK_PHRASES_HELP = "与运行中的机器人一致地回答：用数据库中正在执行的方案、其他年份的方案和县扶贫办审定的群众说法"

# --- fupin kb diff ------------------------------------------------------------------------------
KB_DIFF_HELP = "比较两份方案（文本或知识库 JSON）：措施、责任单位和数字的增删改，启用新方案前查看。"
KB_DIFF_OLD_HELP = "现行方案（文本或知识库 JSON）"
KB_DIFF_NEW_HELP = "新方案（文本或知识库 JSON）"
KB_DIFF_NONE = "两份方案的措施、责任单位和数字完全相同。"
KB_DIFF_SUMMARY = "共 {count} 处变化。"
KB_DIFF_LINES = {
    "measure_added": "新增措施：{measure}（责任单位：{new}）",
    "measure_removed": "删除措施：{measure}（原责任单位：{old}）",
    "measure_renamed": "措施改名：{old} → {new}",
    "units_changed": "责任单位变化（{measure}）：{old} → {new}",
    "figure_added": "新增（{measure}）：{new}",
    "figure_removed": "删除（{measure}）：{old}",
    "figure_changed": "变化（{measure}）：{old} → {new}",
}

# --- fupin kb build -----------------------------------------------------------------------------
KB_BUILD_HELP = "由方案文本构建知识库（目标、措施、责任单位、补助标准、工作节奏、分乡镇任务），并列出未能归入的内容。"
KB_BUILD_SOURCE_HELP = "方案文本文件（UTF-8）"
KB_BUILD_OUTPUT_HELP = "输出的知识库 JSON 文件；省略则打印 JSON（摘要和警告打印到标准错误）"
KB_BUILD_STRICT_HELP = "有任何警告即失败（退出码 1），不写出知识库"
KB_BUILT = (
    "已构建知识库：{measures} 项措施、{goals} 个总体目标、{targets} 个任务指标、{benefits} 项扶持政策、"
    "{township_targets} 条分乡镇任务；警告 {warnings} 条{output}"
)
KB_BUILT_OUTPUT = " -> {path}"
KB_WARNINGS_HEAD = "以下内容未能归入知识库，请对照方案原文核对："
KB_WARNING_LINE = "  第 {line} 行【{kind}】{text}"
#: What each kind of build warning means (policy_kb.report.WarningKind), as the office reads it.
KB_WARNING_KINDS: dict[str, str] = {
    "no_responsibility": "没有责任单位，未归入任何措施",
    "heading": "标题无法识别（编号不连续或标题过长）",
    "responsibility": "责任单位无法识别",
    "annex": "附件表格行无法读取或合计不符",
    "unplaced_figure": "数字未归入任何任务指标或扶持政策",
}
KB_STRICT_FAILED = "严格模式：有 {warnings} 条警告，未写出知识库。"
KB_WRITE_FAILED = "无法写入 {path}：{reason}"

# --- fupin kb add / plans / activate / rollback -------------------------------------------------
KB_ADD_HELP = "添加一份新方案（如明年的方案）：构建并保存，列出警告和与现行方案的差异；暂不启用。"
KB_ADDED = (
    "已添加为第 {id} 号方案（{year} 年，共 {changes} 处变化），尚未启用。核对无误后运行 fupin kb activate {id} 启用。"
)
KB_REBUILD_HELP = "用当前版本的构建程序重新构建一份已添加的方案（升级后读得更准），措施编号不变，并列出与原先的差异。"
KB_REBUILT = "已重建第 {id} 号方案：{changes} 处变化；若它正在执行，运行中的机器人将在半分钟内按新结果作答。"
KB_PLANS_HELP = "列出已添加的方案，标出正在执行的一份。"
KB_PLANS_NONE = "尚未添加方案：正在执行内置的方案。添加：fupin kb add 方案.txt"
KB_PLAN_LINE = "第 {id} 号  {year} 年  {doc_number}  {title}  警告 {warnings} 条{state}"
KB_PLAN_IN_FORCE = "  【执行中】"
KB_PLAN_ID_HELP = "方案编号（fupin kb plans 列出）"
KB_ACTIVATE_HELP = "启用一份已添加的方案；原方案停止执行（可用 fupin kb rollback 退回）。"
KB_ACTIVATED = "已启用第 {id} 号方案（{year} 年：{title}）；运行中的机器人将在半分钟内按新方案作答。"
KB_ROLLBACK_HELP = "退回到上一份执行的方案。"
KB_ROLLED_BACK = "已退回到第 {id} 号方案（{year} 年：{title}）；运行中的机器人将在半分钟内按它作答。"
KB_ROLLED_BACK_PACKAGED = "已退回到内置的方案；运行中的机器人将在半分钟内按它作答。"

# --- fupin units -----------------------------------------------------------------------------------
UNITS_HELP = "单位通讯录：各责任单位的电话、地址和办公时间；群众收到的答复会附上。"
UNITS_LIST_HELP = "列出现行方案的各责任单位及其联系方式。"
UNITS_SET_HELP = "填写或更新一个单位的联系方式（电话或地址至少一项）；运行中的机器人将在半分钟内使用。"
UNITS_CLEAR_HELP = "删除一个单位的联系方式。"
UNITS_UNIT_HELP = "单位名称，与方案写法一致，例如：县人社局"
UNITS_PHONE_HELP = "电话，例如：024-55012345"
UNITS_ADDRESS_HELP = "地址，例如：新宾镇永陵街1号"
UNITS_HOURS_HELP = "办公时间，例如：周一至周五 8:30-17:00"
UNITS_LINE = "{unit}  电话 {phone}  地址 {address}  办公时间 {hours}"
UNITS_LINE_EMPTY = "{unit}  （尚未填写联系方式）"
UNITS_SET_DONE = "已更新“{unit}”的联系方式；运行中的机器人将在半分钟内在答复中附上。"
UNITS_CLEAR_DONE = "已删除“{unit}”的联系方式。"

# --- fupin db -----------------------------------------------------------------------------------
DB_HELP = "数据库：升级表结构、查看版本、备份与恢复，以及（开发用）编写新的迁移。"
DB_UPGRADE_HELP = (
    "把数据库升级到本程序的版本（应用全部迁移），并写入全县乡镇；数据库文件不存在时新建。"
    "升级已有数据前请先备份：fupin db backup 文件。"
)
DB_CREATED = "已新建数据库 {database}，版本 {after}。"
DB_INITIALISED = "已在数据库 {database} 中建好全部表，版本 {after}。"
DB_UPGRADED = "数据库 {database} 已从版本 {before} 升级到 {after}。"
DB_UP_TO_DATE = "数据库 {database} 已是最新版本 {after}，无需升级。"
DB_TOWNSHIPS_ADDED = "已写入 {count} 个乡镇。"
DB_CURRENT_HELP = "显示数据库的版本，以及是否为本程序的最新版本（不是最新时退出码为 1）。"
DB_CURRENT_DATABASE = "数据库：{database}"
DB_CURRENT_REVISION = "数据库版本：{current}"
DB_HEAD_REVISION = "程序版本：{head}"
DB_NO_REVISION = "无"
DB_CURRENT_OK = "数据库已是最新版本。"
DB_REVISION_HELP = (
    "（开发用）编写下一个迁移文件，写入 services/migrations/versions/。写好后检查其中的操作，"
    "用 fupin db upgrade 试一遍，再提交。"
)
DB_REVISION_MESSAGE_HELP = '迁移的说明，写在文件开头，如 "Households get a phone number"'
DB_REVISION_NAME_HELP = (
    "迁移名（小写英文字母、数字、下划线），接在编号后作为版本号和文件名，如 household_phone；默认取说明的前几个英文词"
)
DB_REVISION_AUTOGENERATE_HELP = (
    "按模型（services/models.py）与所配置数据库的差异生成操作；该数据库须已是最新版本。生成的操作务必逐行检查"
)
DB_REVISION_WRITTEN = "已写入迁移 {path}（版本 {revision}）。请检查其中的操作，运行 fupin db upgrade 试用后再提交。"
DB_BACKUP_HELP = (
    "把数据库备份到一个文件，服务运行时也可以备份。SQLite：一致的数据库副本（SQLite 备份接口）；"
    "PostgreSQL：pg_dump 的自定义格式（需要安装 PostgreSQL 客户端）。"
)
DB_BACKUP_FILE_HELP = "备份文件路径；已存在的文件会被替换"
DB_BACKED_UP = "已把数据库 {database} 备份到 {path}（{size}）。"
DB_RESTORE_HELP = (
    "用 fupin db backup 写出的备份替换数据库：数据库里现有的数据全部丢失。"
    "请先停止 fupin serve，再加 --yes 确认。PostgreSQL 需要 pg_restore。"
)
DB_RESTORE_FILE_HELP = "备份文件（fupin db backup 写出的）"
DB_RESTORE_YES_HELP = "确认：用备份替换数据库中的全部数据"
DB_RESTORE_CONFIRM = (
    "将用备份替换数据库，数据库里现有的全部数据都会被替换，无法撤销：\n"
    "  备份：{path}{backup}\n"
    "  数据库：{database}{target}\n"
    "请先停止 fupin serve（以及其他使用这个数据库的程序），需要的话先备份现在的数据库，再加 --yes 重新运行。"
)
DB_RESTORE_BACKUP_REVISION = "（版本 {revision}）"
DB_RESTORE_TARGET_REVISION = "（现在的版本 {revision}）"
DB_RESTORE_TARGET_MISSING = "（尚不存在，将新建）"
DB_RESTORED = "已用备份 {path} 恢复数据库 {database}。"
DB_RESTORED_RESTART = "如果 fupin serve 在恢复时仍在运行，请重启它。"
