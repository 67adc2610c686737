"""Text of the HTTP face's pages, in simplified Chinese."""

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
</body></html>
"""
