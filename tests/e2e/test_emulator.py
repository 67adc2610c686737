"""The Bot API emulator against an unmodified python-telegram-bot, over a real socket."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ReplyKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from emulator import (
    EmulatorClient,
    EmulatorState,
    FloodControl,
    RunningEmulator,
    create_emulator_router,
    running_emulator,
    serve_app,
)
from tests.emulator_support import emulator_builder, running_application

REPORT_BYTES = "指标,数量\n硬化村组道路,3.5\n".encode()


# -- a tiny bot, defined here so that these tests depend on nothing but PTB ---------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    code = context.args[0] if context.args else "无"
    keyboard = ReplyKeyboardMarkup([["政策问答", "补助测算"], ["我的任务"]], resize_keyboard=True)
    await update.effective_message.reply_text(f"欢迎！邀请码：{code}", reply_markup=keyboard)


async def task(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("接收", callback_data="task:1:accept"),
                InlineKeyboardButton("退回", callback_data="task:1:return"),
            ]
        ]
    )
    await update.effective_message.reply_html("<b>新任务</b>：硬化村组道路 3.5 公里", reply_markup=buttons)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    await query.answer("已接收" if query.data.endswith("accept") else "已退回")
    await query.edit_message_text(f"任务状态：{query.data.rsplit(':', 1)[-1]}")


async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    sent = await update.effective_message.reply_document(
        InputFile(REPORT_BYTES, filename="进度表.csv"), caption="本周进度"
    )
    assert sent.document is not None
    downloaded = await (await context.bot.get_file(sent.document.file_id)).download_as_bytearray()
    await update.effective_message.reply_text(f"下载校验：{bytes(downloaded) == REPORT_BYTES}")


async def sticker(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    assert update.effective_message.sticker is not None
    await update.effective_message.reply_text(f"收到贴纸 {update.effective_message.sticker.emoji}")


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(f"收到照片 {len(message.photo)} 种尺寸，说明：{message.caption}")


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.edited_message is not None
    await update.edited_message.reply_text(f"已更正为：{update.edited_message.text}")


def build_echo_bot(emu: RunningEmulator, **builder: Any) -> Any:
    """The test bot, wired as sandbox mode wires the real one (token + base URLs)."""
    chain = emulator_builder(emu)
    for name, value in builder.items():
        chain = getattr(chain, name)(value)
    application = chain.build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("task", task))
    application.add_handler(CommandHandler("report", report))
    application.add_handler(CallbackQueryHandler(pressed, pattern=r"^task:"))
    application.add_handler(MessageHandler(filters.Sticker.ALL, sticker))
    application.add_handler(MessageHandler(filters.PHOTO, photo))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, edited))
    return application


@pytest.fixture
async def emu() -> AsyncIterator[RunningEmulator]:
    async with running_emulator() as running:
        yield running


@pytest.fixture
async def client(emu: RunningEmulator) -> AsyncIterator[EmulatorClient]:
    async with emu.client() as sandbox:
        yield sandbox


@pytest.fixture
async def polling_bot(emu: RunningEmulator) -> AsyncIterator[None]:
    async with running_application(build_echo_bot(emu)):
        yield


# -- polling --------------------------------------------------------------------------------------


async def test_start_deep_link_gets_reply_keyboard(client: EmulatorClient, polling_bot: None) -> None:
    user = await client.create_user("王秀兰", username="wang_xl", role="household")
    sent = await client.send_text(user, "/start abc123")
    assert sent["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

    reply = await client.wait_for_bot_message(user["id"])

    assert reply["text"] == "欢迎！邀请码：abc123"
    assert reply["reply_to_message_id"] is None  # PTB quotes only in groups by default
    assert reply["reply_markup"]["keyboard"][0] == [{"text": "政策问答"}, {"text": "补助测算"}]
    assert await client.keyboard(user["id"]) == reply["reply_markup"]
    # Telegram echoes only inline keyboards in the Message it returns to the bot.
    assert "reply_markup" not in reply["message"]


async def test_inline_button_press_edits_and_answers(client: EmulatorClient, polling_bot: None) -> None:
    user = await client.create_user("李军", role="unit")
    await client.send_text(user, "/task")
    card = await client.wait_for_bot_message(user["id"])
    assert card["text"] == "新任务：硬化村组道路 3.5 公里"
    assert card["entities"] == [{"type": "bold", "offset": 0, "length": 3}]
    assert card["raw_text"].startswith("<b>新任务</b>")

    press = await client.press(user, card, "task:1:accept")
    answer = await client.wait_for_callback_answer(press)
    edited = await client.wait_for(user["id"], lambda m: m["message_id"] == card["message_id"] and m["edited"])

    assert answer["text"] == "已接收"
    assert edited["text"] == "任务状态：accept"
    assert edited["reply_markup"] is None  # editMessageText without markup drops the buttons
    with pytest.raises(Exception, match="no inline button"):
        await client.press(user, card, "task:1:return")


async def test_sticker_photo_and_edit_reach_the_bot(client: EmulatorClient, polling_bot: None) -> None:
    user = await client.create_user("赵四")
    await client.send_sticker(user, "👍")
    assert (await client.wait_for_bot_message(user["id"]))["text"] == "收到贴纸 👍"
    await client.send_photo(user, caption="新修的路")
    assert (await client.wait_for_bot_message(user["id"]))["text"] == "收到照片 3 种尺寸，说明：新修的路"
    typo = await client.send_text(user, "道路 3.4 公里")
    await client.edit_text(user, typo, "道路 3.5 公里")
    assert (await client.wait_for_bot_message(user["id"]))["text"] == "已更正为：道路 3.5 公里"


async def test_document_upload_keeps_name_size_and_bytes(client: EmulatorClient, polling_bot: None) -> None:
    user = await client.create_user("驻村干部", role="cadre")
    await client.send_text(user, "/report")
    document = await client.wait_for_bot_message(user["id"])
    check = await client.wait_for_bot_message(user["id"])

    assert document["kind"] == "document"
    assert document["message"]["document"]["file_name"] == "进度表.csv"
    assert document["message"]["document"]["file_size"] == len(REPORT_BYTES)
    assert document["caption"] == "本周进度"
    assert check["text"] == "下载校验：True"


async def test_group_command_addressed_to_the_bot(client: EmulatorClient, polling_bot: None) -> None:
    cadre, head = await client.create_user("干部甲"), await client.create_user("村主任")
    group = await client.create_group("红升乡工作群", [cadre, head])
    sent = await client.send_text(head, "/start@XinbinFupinBot", chat_id=group["id"])
    reply = await client.wait_for_bot_message(group["id"])
    assert group["id"] < 0
    assert reply["text"] == "欢迎！邀请码：无"
    assert reply["reply_to_message_id"] == sent["message_id"]


# -- raw Bot API behaviour ------------------------------------------------------------------------


async def test_long_poll_returns_on_arrival_and_offset_confirms(emu: RunningEmulator) -> None:
    user = emu.state.add_user("张三")
    url = f"{emu.api_url}{emu.token}/getUpdates"
    async with httpx.AsyncClient(trust_env=False) as http:
        poll = asyncio.create_task(http.post(url, data={"timeout": "5"}))
        await asyncio.sleep(0.1)
        emu.state.user_send(emu.bot, user.id, text="你好")
        response = await asyncio.wait_for(poll, timeout=1.0)
        updates = response.json()["result"]
        assert [u["message"]["text"] for u in updates] == ["你好"]

        offset = updates[-1]["update_id"] + 1
        again = await http.post(url, json={"offset": offset, "timeout": 0})
        assert again.json() == {"ok": True, "result": []}

        emu.state.user_send(emu.bot, user.id, text="只要按钮")
        only_buttons = await http.post(url, data={"offset": str(offset), "allowed_updates": '["callback_query"]'})
        assert only_buttons.json()["result"] == []
        assert len(emu.bot.updates) == 0  # filtered-out updates are dropped, as Telegram does


async def test_errors_have_telegram_shapes(emu: RunningEmulator) -> None:
    async with httpx.AsyncClient(trust_env=False) as http:
        unknown = await http.post(f"{emu.api_url}{emu.token}/sendTelepathy")
        wrong = await http.post(f"{emu.api_url}123:wrong/getMe")
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    assert (wrong.status_code, wrong.json()) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )

    with pytest.raises(InvalidToken):
        async with Bot("123:wrong", base_url=emu.api_url):  # shut down again when initialising fails
            pass
    async with Bot(emu.token, base_url=emu.api_url, base_file_url=emu.file_url) as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("sendTelepathy")


async def test_housekeeping_methods_round_trip(emu: RunningEmulator) -> None:
    user = emu.state.add_user("王五", username="wangwu")
    async with Bot(emu.token, base_url=emu.api_url, base_file_url=emu.file_url) as bot:
        me = await bot.get_me()
        assert (me.username, me.is_bot, me.id) == ("XinbinFupinBot", True, emu.bot.id)
        await bot.set_my_commands([("start", "开始"), ("ask", "政策问答")])
        assert [c.command for c in await bot.get_my_commands()] == ["start", "ask"]
        await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()
        assert await bot.set_chat_menu_button()
        chat = await bot.get_chat(user.id)
        assert (chat.type, chat.username) == ("private", "wangwu")
        assert await bot.send_chat_action(user.id, "typing")

        sent = await bot.send_message(user.id, "原文")
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("原文", chat_id=user.id, message_id=sent.message_id)
        with pytest.raises(BadRequest, match="(?i)can't parse entities"):
            await bot.send_message(user.id, "3 < 5 <x>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(999, "无人")
        assert await bot.delete_message(user.id, sent.message_id)
        with pytest.raises(BadRequest, match="(?i)message to delete not found"):
            await bot.delete_message(user.id, sent.message_id)
        assert (await bot.get_webhook_info()).url == ""
        assert await bot.close()


async def test_router_mounts_inside_another_app_under_a_prefix() -> None:
    state = EmulatorState()
    state.add_bot("77:mounted")
    main_app = FastAPI()
    main_app.include_router(create_emulator_router(state), prefix="/telegram")
    jpeg = b"\xff\xd8\xff\xe0 not really a jpeg"
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("查看", callback_data="see")]])
    async with serve_app(main_app) as url, EmulatorClient(f"{url}/telegram") as client:
        user = await client.create_user("挂载测试")
        api, files = f"{url}/telegram/bot", f"{url}/telegram/file/bot"
        async with Bot("77:mounted", base_url=api, base_file_url=files) as bot:
            sent = await bot.send_photo(
                user["id"], jpeg, caption="<i>现场</i>照片", parse_mode="HTML", reply_markup=buttons
            )
            await bot.edit_message_reply_markup(user["id"], sent.message_id, reply_markup=None)
            downloaded = await (await bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()
        records = await client.messages(user["id"])

    assert sent.caption == "现场照片"
    assert sent.caption_entities[0].type == "italic"
    assert bytes(downloaded) == jpeg
    assert (records[-1]["kind"], records[-1]["edited"], records[-1]["reply_markup"]) == ("photo", True, None)
    assert state.closed  # the router's lifespan ran inside the host app


# -- webhook --------------------------------------------------------------------------------------


async def test_webhook_delivers_with_secret_and_retries_refusals(emu: RunningEmulator, client: EmulatorClient) -> None:
    secret = "fupin-sandbox-secret"
    arrivals: Counter[int] = Counter()
    application = build_echo_bot(emu, updater=None)
    receiver = FastAPI()

    @receiver.post("/telegram/webhook")
    async def webhook(request: Request) -> Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != secret:
            return Response(status_code=403)
        data = await request.json()
        arrivals[data["update_id"]] += 1
        if arrivals[data["update_id"]] == 1:
            return Response(status_code=500)  # first attempt refused: Telegram must retry
        await application.update_queue.put(Update.de_json(data, application.bot))
        return Response(status_code=200)

    async with serve_app(receiver) as receiver_url, running_application(application, polling=False):
        assert await application.bot.set_webhook(f"{receiver_url}/telegram/webhook", secret_token=secret)
        with pytest.raises(Conflict):
            await application.bot.get_updates()

        user = await client.create_user("刘备")
        sent = await client.send_text(user, "/start webhook")
        reply = await client.wait_for_bot_message(user["id"])
        info = await application.bot.get_webhook_info()
        await application.bot.delete_webhook()

    assert reply["text"] == "欢迎！邀请码：webhook"
    assert list(arrivals.values()) == [2]
    assert sent["message_id"] == 1
    assert info.last_error_message is not None
    assert "500" in info.last_error_message
    assert info.pending_update_count == 0


# -- flood limits and blocked users -------------------------------------------------------------


class FrozenClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_flood_limits_answer_429_and_count_deliveries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 23 behaviour: retry_after is a timedelta
    clock = FrozenClock()
    async with running_emulator(flood=True, clock=clock) as emu, emu.client() as client:
        users = [emu.state.add_user(f"户主{i}") for i in range(40)]
        refused: list[int] = []
        async with Bot(emu.token, base_url=emu.api_url) as bot:
            for user in users:
                try:
                    await bot.send_message(user.id, "请于本周五前提交进度")
                except RetryAfter as exc:
                    assert exc.retry_after == dtm.timedelta(seconds=1)
                    refused.append(user.id)
            assert len(refused) == 10
            with pytest.raises(RetryAfter):  # 30 a second across chats
                await bot.send_message(users[0].id, "再发一次")

            clock.now += 1.0
            for user_id in refused:
                await bot.send_message(user_id, "请于本周五前提交进度")

        stats = await client.stats()
    assert stats["too_many_requests"] == 11
    assert stats["delivered_by_chat"] == {str(u.id): 1 for u in users}


def test_one_private_chat_takes_a_burst_of_ten_then_one_a_second() -> None:
    clock = FrozenClock()
    flood = FloodControl(enabled=True, clock=clock)
    for _ in range(10):
        assert flood.check(1, 42, is_group=False) is None
        flood.record(1, 42, is_group=False)
    assert flood.check(1, 42, is_group=False) == 1
    clock.now += 1.0
    assert flood.check(1, 42, is_group=False) is None


async def test_a_round_trip_delay_holds_every_request_there_and_back() -> None:
    async with running_emulator(round_trip=0.3) as emu:
        user = emu.state.add_user("张大姐")
        async with Bot(emu.token, base_url=emu.api_url) as bot:
            loop = asyncio.get_running_loop()
            began = loop.time()
            await bot.send_message(user.id, "您好")
            took = loop.time() - began
    assert took >= 0.3


async def test_telegrams_size_limits_are_refused_as_telegram_refuses_them(emu: RunningEmulator) -> None:
    user = emu.state.add_user("李会计")
    async with Bot(emu.token, base_url=emu.api_url) as bot:
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(user.id, "长" * 4097)
        with pytest.raises(BadRequest, match="Message caption is too long"):
            await bot.send_document(user.id, InputFile(b"x", filename="a.txt"), caption="长" * 1025)
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(
                user.id,
                "按钮",
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("问", callback_data="长" * 22)]]),
            )
        card = await bot.send_message(
            user.id, "事项", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("接收", callback_data="ok")]])
        )
        press = emu.state.user_press(emu.bot, user.id, message_id=card.message_id, data="ok")
        with pytest.raises(BadRequest, match="Message_too_long"):
            await bot.answer_callback_query(press.id, text="长" * 201)


def test_group_limit_is_twenty_per_minute() -> None:
    clock = FrozenClock()
    flood = FloodControl(enabled=True, clock=clock)
    for _ in range(20):
        assert flood.check(1, -42, is_group=True) is None
        flood.record(1, -42, is_group=True)
        clock.now += 1.0  # stay under the 30/s global limit and show the minute window matters
    assert flood.check(1, -42, is_group=True) == 40  # the first message leaves the window at 1060
    clock.now += 40
    assert flood.check(1, -42, is_group=True) is None


# -- answering button presses ------------------------------------------------------------------

QUERY_TOO_OLD = "(?i)query is too old and response timeout expired or query ID is invalid"


async def _press_card(client: EmulatorClient, bot: Bot) -> dict[str, Any]:
    """A user presses 接收 on a card the bot sent; returns the press."""
    user = await client.create_user("李军", role="unit")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("接收", callback_data="task:1:accept")]])
    card = await bot.send_message(user["id"], "新任务", reply_markup=markup)
    return await client.press(user, card.message_id, "task:1:accept")


async def test_a_press_is_answered_once() -> None:
    async with running_emulator() as emu, emu.client() as client, Bot(emu.token, base_url=emu.api_url) as bot:
        press = await _press_card(client, bot)
        await bot.answer_callback_query(press["callback_query_id"], text="已接收")
        with pytest.raises(BadRequest, match=QUERY_TOO_OLD):
            await bot.answer_callback_query(press["callback_query_id"], text="再答一次")
        shown = await client.wait_for_callback_answer(press)
    assert shown["text"] == "已接收"


async def test_a_press_answered_in_time_is_shown() -> None:
    clock = FrozenClock()
    async with (
        running_emulator(clock=clock) as emu,
        emu.client() as client,
        Bot(emu.token, base_url=emu.api_url) as bot,
    ):
        press = await _press_card(client, bot)
        clock.now += 9.9
        assert await bot.answer_callback_query(press["callback_query_id"]) is True


async def test_a_press_answered_after_ten_seconds_is_refused_and_not_shown() -> None:
    clock = FrozenClock()
    async with (
        running_emulator(clock=clock) as emu,
        emu.client() as client,
        Bot(emu.token, base_url=emu.api_url) as bot,
    ):
        press = await _press_card(client, bot)
        clock.now += 10.0
        with pytest.raises(BadRequest, match=QUERY_TOO_OLD):
            await bot.answer_callback_query(press["callback_query_id"], text="已接收")
        assert emu.state.callbacks[press["callback_query_id"]].answered is False


async def test_a_timeout_of_zero_refuses_every_answer_as_after_downtime() -> None:
    async with running_emulator() as emu, emu.client() as client, Bot(emu.token, base_url=emu.api_url) as bot:
        emu.state.callback_timeout = 0
        press = await _press_card(client, bot)
        with pytest.raises(BadRequest, match=QUERY_TOO_OLD):
            await bot.answer_callback_query(press["callback_query_id"])


def test_the_timeout_is_configurable() -> None:
    clock = FrozenClock()
    state = EmulatorState(clock=clock, callback_timeout=30)
    bot = state.add_bot("42:direct")
    user = state.add_user("直接")
    card = state.bot_send(
        bot, user.id, {"text": "新任务"}, reply_markup={"inline_keyboard": [[{"text": "接收", "callback_data": "a"}]]}
    )
    press = state.user_press(bot, user.id, message_id=card.message_id, data="a")
    clock.now += 29
    state.answer_callback(bot, press.id, text=None, show_alert=False, url=None)
    assert press.answered is True


async def test_blocked_user_gives_forbidden(emu: RunningEmulator, client: EmulatorClient) -> None:
    user = await client.create_user("不想收消息的人")
    await client.block(user)
    async with Bot(emu.token, base_url=emu.api_url) as bot:
        with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
            await bot.send_message(user["id"], "通知")
        await client.block(user, blocked=False)
        await bot.send_message(user["id"], "通知")
    stats = await client.stats()
    assert (stats["forbidden"], stats["delivered"]) == (1, 1)


def test_state_is_usable_without_http() -> None:
    state = EmulatorState()
    bot = state.add_bot("42:direct")
    user = state.add_user("直接")
    state.user_send(bot, user.id, text="/start")
    assert state.take_updates(bot, offset=None, limit=10)[0]["message"]["text"] == "/start"
