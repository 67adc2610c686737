"""HTTP faces of the emulator: the Bot API a PTB `Application` talks to, and the sandbox API
a chat page or a test uses to play users.

Both are plain `APIRouter`s so the main app can mount them in its own process and port
(`app.include_router(create_emulator_router(state), prefix="/telegram")`); the bot is then
pointed at `http://HOST:PORT/telegram/bot`. `create_emulator_app` serves them standalone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, ParamSpec, TypeVar

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from emulator.errors import UNAUTHORIZED, ApiError
from emulator.methods import Call, Described, call_method
from emulator.models import JSON, BotAccount
from emulator.params import parse_body
from emulator.state import EmulatorState
from emulator.webhook import WebhookSender

#: where the sandbox (client-side) API lives unless the caller says otherwise
SANDBOX_PREFIX = "/sandbox/api"
#: longest a client long poll (`GET messages?wait=`) may hold a request
MAX_CLIENT_WAIT = 30.0

P = ParamSpec("P")
R = TypeVar("R")


def create_bot_api_router(state: EmulatorState, *, webhooks: WebhookSender | None = None) -> APIRouter:
    """The Bot API side: `/bot{token}/{method}` and `/file/bot{token}/{path}`.

    The router's lifespan stops webhook delivery and wakes long polls on shutdown.
    """
    sender = webhooks or WebhookSender(state)

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            state.close()
            await sender.aclose()

    router = APIRouter(lifespan=lifespan)

    @router.api_route("/bot{token}/{method}", methods=["GET", "POST"], include_in_schema=False)
    async def bot_api(request: Request, token: str, method: str) -> JSONResponse:
        bot = state.bot_by_token(token)
        # The way there: the request reaches "Telegram" half a round trip after it left.
        if state.round_trip:
            await asyncio.sleep(state.round_trip / 2)
        error: ApiError | None = None
        try:
            if bot is None:
                raise UNAUTHORIZED
            params = parse_body(
                request.headers.get("content-type", ""), await request.body(), dict(request.query_params)
            )
            result = await call_method(method, Call(state=state, bot=bot, params=params, webhooks=sender))
        except ApiError as exc:
            error = exc
        # And back: the answer reaches the bot half a round trip after it was decided.
        if state.round_trip:
            await asyncio.sleep(state.round_trip / 2)
        if error is not None:
            return JSONResponse(error.payload(), status_code=error.status)
        if isinstance(result, Described):
            return JSONResponse({"ok": True, "result": result.result, "description": result.description})
        return JSONResponse({"ok": True, "result": result})

    @router.get("/file/bot{token}/{file_path:path}", include_in_schema=False)
    async def download(token: str, file_path: str) -> Response:
        stored = state.file_by_path(file_path) if state.bot_by_token(token) else None
        if stored is None:
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404)
        return Response(stored.content or b"", media_type=stored.mime_type or "application/octet-stream")

    return router


class NewUser(BaseModel):
    """`POST users`: a user to create; `role` is a free label for the chat page."""

    first_name: str
    username: str | None = None
    last_name: str | None = None
    role: str | None = None
    user_id: int | None = None
    language_code: str = "zh-hans"


class NewGroup(BaseModel):
    """`POST groups`: a group with its members."""

    title: str
    member_ids: list[int] = Field(default_factory=list)
    supergroup: bool = False


class SendBody(BaseModel):
    """`POST send`: one of `text` (commands included), `sticker` (an emoji) or `photo`."""

    user_id: int
    chat_id: int | None = None
    text: str | None = None
    sticker: str | None = None
    photo: bool = False
    caption: str | None = None
    reply_to_message_id: int | None = None
    bot: str | None = None


class EditBody(BaseModel):
    """`POST edit`: a user edits their own text message."""

    user_id: int
    message_id: int
    text: str
    chat_id: int | None = None
    bot: str | None = None


class PressBody(BaseModel):
    """`POST press`: a user presses the inline button with `data` under `message_id`."""

    user_id: int
    message_id: int
    data: str
    chat_id: int | None = None
    bot: str | None = None


class BlockBody(BaseModel):
    """`POST block`: a user blocks (or unblocks) the bot."""

    user_id: int
    blocked: bool = True
    bot: str | None = None


class FloodBody(BaseModel):
    """`POST flood`: switch Telegram's flood limits on or off."""

    enabled: bool


def create_sandbox_router(state: EmulatorState, *, prefix: str = SANDBOX_PREFIX) -> APIRouter:
    """The client side: create users, act as them, read what the bot sent, switch limits."""
    router = APIRouter(prefix=prefix, tags=["sandbox"])

    def bot_named(username: str | None) -> BotAccount:
        try:
            return state.resolve_bot(username)
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from None

    def acting(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a state change, turning its errors into HTTP errors for the client."""
        try:
            return func(*args, **kwargs)
        except ApiError as exc:
            raise HTTPException(400, exc.description) from None
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from None
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None

    @router.get("/bots")
    async def list_bots() -> list[JSON]:
        return [bot.get_me() for bot in state.bots.values()]

    @router.post("/users")
    async def create_user(body: NewUser) -> JSON:
        return state.add_user(**body.model_dump()).to_client()

    @router.get("/users")
    async def list_users() -> list[JSON]:
        return [user.to_client() for user in state.users.values()]

    @router.get("/users/{user_id}")
    async def get_user(user_id: int) -> JSON:
        return acting(state.user, user_id).to_client()

    @router.post("/groups")
    async def create_group(body: NewGroup) -> JSON:
        group = acting(state.add_group, body.title, body.member_ids, supergroup=body.supergroup)
        return {**group.to_telegram(), "member_ids": group.member_ids}

    @router.post("/send")
    async def send(body: SendBody) -> JSON:
        bot = bot_named(body.bot)
        record = acting(
            state.user_send,
            bot,
            body.user_id,
            chat_id=body.chat_id,
            text=body.text,
            sticker=body.sticker,
            photo=body.photo,
            caption=body.caption,
            reply_to_message_id=body.reply_to_message_id,
        )
        return {"message": record.to_client(), "update_id": bot.next_update_id - 1}

    @router.post("/edit")
    async def edit(body: EditBody) -> JSON:
        bot = bot_named(body.bot)
        record = acting(
            state.user_edit,
            bot,
            body.user_id,
            message_id=body.message_id,
            text=body.text,
            chat_id=body.chat_id,
        )
        return {"message": record.to_client(), "update_id": bot.next_update_id - 1}

    @router.post("/press")
    async def press(body: PressBody) -> JSON:
        bot = bot_named(body.bot)
        callback = acting(
            state.user_press,
            bot,
            body.user_id,
            message_id=body.message_id,
            data=body.data,
            chat_id=body.chat_id,
        )
        return {"callback": callback.to_client(), "update_id": bot.next_update_id - 1}

    @router.get("/callbacks/{callback_query_id}")
    async def get_callback(callback_query_id: str) -> JSON:
        callback = state.callbacks.get(callback_query_id)
        if callback is None:
            raise HTTPException(404, f"no callback query {callback_query_id}")
        return callback.to_client()

    @router.get("/messages")
    async def messages(chat_id: int, after: int = 0, wait: float = 0.0, bot: str | None = None) -> JSON:
        """Changes in a chat after cursor `after`; with `wait`, hold until one happens."""
        account = bot_named(bot)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(wait, 0.0), MAX_CLIENT_WAIT)
        while True:
            remaining = deadline - loop.time()
            if state.conversation(account, chat_id).seq > after or remaining <= 0 or state.closed:
                return state.client_view(account, chat_id, after=after)
            await state.changed.wait(remaining)

    @router.post("/block")
    async def block(body: BlockBody) -> JSON:
        return acting(state.set_blocked, bot_named(body.bot), body.user_id, body.blocked).to_client()

    @router.post("/flood")
    async def flood(body: FloodBody) -> JSON:
        state.flood.enabled = body.enabled
        return {"enabled": state.flood.enabled}

    @router.get("/stats")
    async def stats() -> JSON:
        return state.stats.to_client(flood_enabled=state.flood.enabled)

    return router


def create_emulator_router(
    state: EmulatorState, *, webhooks: WebhookSender | None = None, sandbox_prefix: str = SANDBOX_PREFIX
) -> APIRouter:
    """Bot API and sandbox API in one router, to include in another app under a prefix."""
    router = APIRouter()
    router.include_router(create_bot_api_router(state, webhooks=webhooks))
    router.include_router(create_sandbox_router(state, prefix=sandbox_prefix))
    return router


def create_emulator_app(state: EmulatorState | None = None, *, webhooks: WebhookSender | None = None) -> FastAPI:
    """A standalone emulator app; `app.state.emulator` holds its `EmulatorState`."""
    state = state or EmulatorState()
    app = FastAPI(title="Telegram Bot API emulator", docs_url=None, redoc_url=None)
    app.include_router(create_emulator_router(state, webhooks=webhooks))
    app.state.emulator = state
    return app
