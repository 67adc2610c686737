"""Every string of the HTTP face (pages, dashboard, API errors), in simplified Chinese.

The sandbox chat page's labels stay with the bot's in `bot.texts` (it plays the bot's roles).
"""

from __future__ import annotations

HOME = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>新宾扶贫助手</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.6">
<h1>新宾扶贫助手</h1>
<p>新宾满族自治县《2018 年脱贫攻坚工作实施方案》的 Telegram 助手：</p>
<ul>
<li>群众：用大白话询问能享受哪些补贴、补多少、找哪个单位；</li>
<li>驻村干部：上报目标进度和户情变动；</li>
<li>责任单位：接收按方案规定分派的事项并办理反馈；</li>
<li>县扶贫办：发布通知、掌握各项目标进度。</li>
</ul>
<p><a href="/dashboard">工作看板（县扶贫办）</a> · <a href="/docs">管理接口文档</a></p>
</body></html>
"""

# --- admin API errors ------------------------------------------------------------------------
#: `WWW-Authenticate` realm of the admin API (RFC 6750).
AUTH_REALM = "fupin"
#: A request that does not validate: one line per field, `{field}` is the field's path.
VALIDATION_FAILED = "请求有误：{problems}"
FIELD_MISSING = "缺少字段“{field}”"
FIELD_NOT_IN_CHOICES = "字段“{field}”的值不在可选范围内（可选：{expected}）"
FIELD_NOT_INTEGER = "字段“{field}”应为整数"
FIELD_NOT_NUMBER = "字段“{field}”应为数字"
FIELD_NOT_BOOL = "字段“{field}”应为 true 或 false"
FIELD_NOT_DATE = "字段“{field}”应为日期（YYYY-MM-DD）"
FIELD_NOT_LIST = "字段“{field}”应为列表"
FIELD_TOO_SHORT = "字段“{field}”太短或为空"
FIELD_TOO_LONG = "字段“{field}”太长"
FIELD_TOO_SMALL = "字段“{field}”的值太小"
FIELD_TOO_LARGE = "字段“{field}”的值太大"
FIELD_INVALID = "字段“{field}”有误：{reason}"
#: Field name for the request body as a whole.
BODY = "请求体"

# --- dashboard -------------------------------------------------------------------------------
#: Labels of the dashboard page, filled in by its script from `/dashboard/config`.
DASHBOARD = {
    "title": "新宾县脱贫攻坚 · 工作看板",
    "subtitle": "县扶贫办：各项目标进度、事项办理、户情审核和通知送达情况。",
    "sign_in": "登录",
    "sign_out": "退出",
    "token_label": "令牌",
    "token_placeholder": "管理令牌，或在机器人中发送 /dashboard 获得的令牌",
    "token_hint": "令牌只保存在本浏览器标签页中，关闭标签页即失效。",
    "bad_token": "令牌无效或已过期，请重新获取。",
    "forbidden": "此令牌没有访问权限（仅限县扶贫办）。",
    "load_failed": "数据加载失败：{status}",
    "loading": "正在加载…",
    "refresh": "刷新",
    "generated_at": "数据时间：{at}",
    "progress": "目标进度",
    "progress_note": "按驻村干部已上报、未被退回的数量统计。",
    "no_targets": "方案中没有可统计的目标。",
    "done_of_target": "{done} / {target} {unit}",
    "villages_of_target": "{done} / {target} 个村达到（每村 {each} {unit}{more}）",
    "at_least": "以上",
    "by_township": "分乡镇",
    "no_reports": "尚无上报",
    "superseded": "上一版方案的措施",
    "superseded_note": "现行方案已没有这些目标（措施或指标改名、删去），这里是此前按原措施上报的数量。",
    "superseded_done": "已上报 {done} {unit}",
    "items": "事项办理（按牵头单位）",
    "unit": "单位",
    "open": "未办结",
    "new": "待接收",
    "accepted": "已接收",
    "overdue": "已超期",
    "done": "已办结",
    "returned": "已退回",
    "no_items": "尚无事项。",
    "overdue_items": "超期事项",
    "overdue_note": "已过办理期限仍未办结的事项，超期最久的在前。",
    "no_overdue": "没有超期事项。",
    "item_title": "事项",
    "item_village": "村",
    "item_unit": "牵头单位",
    "item_due": "期限",
    "item_late_days": "超期天数",
    "quiet_villages": "长时间未上报的村",
    "quiet_note": "有驻村干部、但近 30 天没有任何上报的村，最久未报的在前。",
    "no_quiet": "各村近 30 天都有上报。",
    "quiet_township": "乡镇",
    "quiet_village": "村",
    "quiet_last": "最近一次上报",
    "quiet_never": "从未上报",
    "changes": "户情变动审核（两公示一公告）",
    "stage": "环节",
    "count": "件数",
    "no_changes": "没有待审核的户情变动。",
    "broadcasts": "最近的通知",
    "broadcast_text": "内容",
    "audience": "对象",
    "sent_at": "时间",
    "delivered": "已送达",
    "failed": "失败",
    "pending": "待发送",
    "no_broadcasts": "尚无通知。",
    "exports": "导出 Excel",
    "export_progress": "目标进度",
    "export_tasks": "事项清单",
    "export_households": "贫困户名册（脱敏）",
    "export_xlsx": "Excel",
    "export_csv": "CSV",
    "downloading": "正在导出…",
    "questions": "群众问了什么（近 30 天未答上或把握不大）",
    "questions_note": (
        "已隐去姓名、身份证号和电话；相似的问法归为一组。把一组的说法审定给实施方案的某个条目后，"
        "机器人即按该条目作答。说法里不能有数字、金额或单位。"
    ),
    "no_questions": "近 30 天没有未答上或把握不大的问题。",
    "wording": "群众的问法",
    "times": "次数",
    "answered": "当时的回答",
    "not_covered": "未答上",
    "answered_measure": "措施 {measure}（把握 {confidence}）",
    "phrase": "审定的说法",
    "entry": "对应条目",
    "attach": "添加并生效",
    "attached": "已添加“{phrase}”，机器人已按此作答（共 {phrases} 条审定说法）。",
    "plans": "实施方案",
    "plans_note": (
        "上传县里新印发的方案（纯文本，UTF-8），先看预览：未能归入的内容（含行号）和与现行方案的差异；"
        "核对无误后再启用。启用和退回都记入审计日志，机器人随即按启用的方案作答。"
    ),
    "no_plans": "尚未上传方案：正在执行内置的方案。",
    "plan_id": "编号",
    "plan_year": "年份",
    "plan_doc": "文号",
    "plan_title": "方案",
    "plan_warnings": "警告",
    "plan_state": "状态",
    "plan_in_force": "执行中",
    "plan_activate": "启用",
    "plan_upload": "上传新方案",
    "plan_preview": "上传并预览",
    "plan_rollback": "退回上一份方案",
    "plan_no_file": "请先选择方案文本文件。",
    "plan_added": "已上传第 {id} 号方案（{year} 年）：{measures} 项措施、{targets} 个任务指标、{benefits} 项扶持政策，"
    "警告 {warnings} 条，与现行方案有 {changes} 处差异。尚未启用。",
    "plan_warning": "第 {line} 行【{kind}】{text}",
    "plan_activated": "已启用第 {id} 号方案（{year} 年），机器人已按它作答。",
    "plan_rolled_back": "已退回；机器人已按上一份方案作答。",
    "plan_warning_kinds": {
        "no_responsibility": "没有责任单位，未归入任何措施",
        "heading": "标题无法识别",
        "responsibility": "责任单位无法识别",
        "annex": "附件表格行无法读取或合计不符",
        "unplaced_figure": "数字未归入任何任务指标或扶持政策",
    },
    "directory": "单位通讯录",
    "directory_note": (
        "方案只写了责任单位，没有写联系方式。在这里填写各单位的电话、地址和办公时间后，群众收到的每条答复都会附上。"
    ),
    "directory_phone": "电话",
    "directory_address": "地址",
    "directory_hours": "办公时间",
    "directory_unit": "单位",
    "directory_missing": "（未填写）",
    "directory_save": "保存",
    "directory_clear": "删除",
    "directory_saved": "已保存“{unit}”的联系方式，机器人答复中已附上。",
    "directory_cleared": "已删除“{unit}”的联系方式。",
    "plan_changes": {
        "measure_added": "新增措施：{measure}（责任单位：{new}）",
        "measure_removed": "删除措施：{measure}（原责任单位：{old}）",
        "measure_renamed": "措施改名：{old} → {new}",
        "units_changed": "责任单位变化（{measure}）：{old} → {new}",
        "figure_added": "新增（{measure}）：{new}",
        "figure_removed": "删除（{measure}）：{old}",
        "figure_changed": "变化（{measure}）：{old} → {new}",
    },
}

# --- start-up lines of `fupin serve` (logged once the server listens) -------------------------
STARTUP_CHAT_PAGE = "沙盒聊天页面：{url}"
STARTUP_DASHBOARD = "工作看板（县扶贫办）：{url}"
STARTUP_DATABASE = "数据库：{database}"
STOPPED = "已停止。"

# --- /metrics --------------------------------------------------------------------------------
METRICS_TOKEN_WRONG = "/metrics 需要 FUPIN_METRICS_TOKEN：请在请求头写 Authorization: Bearer <令牌>。"
METRICS_LOOPBACK_ONLY = (
    "/metrics 只对本机直接访问开放（经过反向代理的请求也不行）。"
    "要从别的机器采集，请设置 FUPIN_METRICS_TOKEN 并在请求头带上它。"
)
