"""Settings read from FUPIN_* environment variables, validated once and cached."""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, NonNegativeInt, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Name of the default SQLite database file (see `default_database_path`).
DEFAULT_DATABASE_FILE = "fupin.db"

#: Official Bot API base; a self-hosted Bot API server or the sandbox emulator replaces it.
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org/bot"

# Why the program refuses to start, in Chinese and English: the operator reading them may be either.
NO_TOKEN_IN_PRODUCTION = (
    "生产环境必须设置 FUPIN_TELEGRAM_TOKEN；没有令牌只能以沙盒模式在本机开发时运行。"
    " / FUPIN_TELEGRAM_TOKEN must be set in production; without it only the local development sandbox runs."
)
NO_ADMIN_TOKEN_IN_PRODUCTION = "生产环境必须设置 FUPIN_ADMIN_TOKEN。 / FUPIN_ADMIN_TOKEN must be set in production."
NO_WEBHOOK_SECRET = (
    "设置了 FUPIN_WEBHOOK_URL 就必须设置 FUPIN_WEBHOOK_SECRET，否则任何人都能冒充 Telegram 发来消息。"
    " / FUPIN_WEBHOOK_SECRET must be set whenever FUPIN_WEBHOOK_URL is: without it anyone can post updates."
)
SANDBOX_NOT_LOOPBACK = (
    "沙盒模式（未设置 FUPIN_TELEGRAM_TOKEN）只能监听本机地址（127.0.0.1、::1 或 localhost），不能监听 {host}："
    "沙盒里任何人都能生成邀请、查看名册。"
    " / Sandbox mode (no FUPIN_TELEGRAM_TOKEN) listens on loopback only (127.0.0.1, ::1 or localhost),"
    " not on {host}: in the sandbox anyone can mint invites and read the roster."
)


def checkout_folder() -> Path | None:
    """The source checkout the program runs from (`make run` installs it editable), or None.

    None means an installed package (a wheel in site-packages), which has no folder of its own to
    keep data in.
    """
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def default_database_path() -> Path:
    """Where the database lives when `FUPIN_DATABASE_URL` is not set: one place, whatever the folder.

    In a checkout, `fupin.db` at its top, where `make run` has always put it (so an existing
    database stays in use) and where whoever looks after the installation looks for its files.
    An installed package uses the user's data folder, `$XDG_DATA_HOME/fupin/` (by default
    `~/.local/share/fupin/`), the place Linux programs keep their data.
    """
    checkout = checkout_folder()
    if checkout is not None:
        return checkout / DEFAULT_DATABASE_FILE
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "fupin" / DEFAULT_DATABASE_FILE


def default_database_url() -> str:
    """`sqlite+aiosqlite:///` and `default_database_path()`, so `make run` needs no database server."""
    return f"sqlite+aiosqlite:///{default_database_path()}"


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite database URL names, as written; None for other databases and in-memory SQLite.

    Read from the text rather than with SQLAlchemy, which settings do not otherwise need.
    """
    scheme, separator, rest = url.partition("://")
    if not separator or scheme.split("+")[0] != "sqlite":
        return None
    path = rest.removeprefix("/").partition("?")[0]
    return None if path in {"", ":memory:"} else Path(path)


def env_files() -> tuple[Path, ...]:
    """The `.env` files read: the checkout's, then the working directory's (which wins)."""
    checkout = checkout_folder()
    return (checkout / ".env", Path(".env")) if checkout is not None else (Path(".env"),)


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:  # a host name other than localhost may resolve anywhere
        return False


class Settings(BaseSettings):
    """Everything the program reads from its environment.

    Secrets are `SecretStr` so that they never show up in a log line or a repr.
    """

    model_config = SettingsConfigDict(env_prefix="FUPIN_", env_file=env_files(), extra="ignore")

    environment: Literal["development", "production"] = "development"
    #: A relative SQLite path is taken from the working directory, as every relative path given to
    #: a program is, and made absolute here: the whole process then means one file, and messages
    #: name it in full.
    database_url: str = Field(default_factory=default_database_url)
    telegram_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    #: Username of the bot, used to build `https://t.me/<bot>?start=<code>` invite links.
    bot_username: str = "XinbinFupinBot"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    admin_token: SecretStr | None = None
    #: When set, `/metrics` answers only `Authorization: Bearer <this>`; unset, only requests from
    #: this machine that came through no proxy.
    metrics_token: SecretStr | None = None
    #: Signs the dashboard tokens the bot hands office users (`/dashboard`); default: derived from
    #: the admin token. Changing it (or the admin token) revokes every token handed out.
    dashboard_secret: SecretStr | None = None
    #: Hours a dashboard token handed to an office user stays valid.
    dashboard_token_hours: int = 12
    #: Address of this server as office users' browsers reach it, for the `/dashboard` link;
    #: default `http://<host>:<port>`.
    public_url: str | None = None
    #: Days an invite code stays valid.
    invite_ttl_days: int = 7
    #: Working days (Chinese calendar) a unit has to handle a progress report's item.
    due_days_report: int = Field(default=5, ge=0)
    #: Working days the office has to handle a household change's item.
    due_days_household_change: int = Field(default=10, ge=0)
    #: Hours within which a second item on the same thing in the same village is offered for merging.
    merge_window_hours: int = Field(default=24, ge=0)
    #: Minutes between the bot's checks for overdue items (first check at start-up); each overdue item
    #: reminds its unit once a day and is escalated to the office once.
    overdue_check_minutes: float = Field(default=60, gt=0)
    #: Seconds between the bot's checks for conversations past their 30-minute deadline (also run
    #: at start-up): how late at most a timeout is noticed.
    conversation_sweep_seconds: float = Field(default=30, gt=0)
    #: Messages a second this process sends in all, replies and outbox together (Telegram allows
    #: about 30); when several processes serve one bot, give each its share (30 / processes).
    send_rate: float = Field(default=30.0, gt=0)
    #: The part of `send_rate` the outbox (notices, broadcasts) may take. Below it on purpose:
    #: replies to people come first and always have the rest, even while a broadcast goes out.
    outbox_rate: float = Field(default=20.0, gt=0)
    #: Network attempts before an outgoing message is given up (a 429 is not counted).
    outbox_max_attempts: int = Field(default=5, ge=1)
    #: Days before a deadline its reminders go out, 0 being the day itself (env: `[7,1,0]`).
    reminder_offsets: list[NonNegativeInt] = Field(default=[7, 1, 0])
    #: Hour of the day (Beijing time) from which the day's deadline reminders go out.
    reminder_hour: int = Field(default=9, ge=0, le=23)
    #: Remind of the plan's recurring duties (每季度识别, 月调度, 季督查, 年考核) as well as registered deadlines.
    plan_reminders: bool = True
    host: str = "127.0.0.1"
    port: int = 8080

    @property
    def sandbox(self) -> bool:
        """No token means sandbox mode: the built-in Bot API emulator stands in for Telegram."""
        return self.telegram_token is None

    @property
    def base_url(self) -> str:
        """Where browsers reach this server: `public_url`, else `http://<host>:<port>`.

        A wildcard host (all addresses) is shown as 127.0.0.1, an address a browser can open.
        """
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in {"", "0.0.0.0", "::"} else self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @field_validator("database_url")
    @classmethod
    def _absolute_sqlite_path(cls, url: str) -> str:
        path = sqlite_path(url)
        if path is None or path.is_absolute():
            return url
        scheme, _, rest = url.partition("://")
        query = rest.partition("?")[2]
        return f"{scheme}:///{Path.cwd() / path}" + (f"?{query}" if query else "")

    @model_validator(mode="after")
    def _refuse_unsafe_setups(self) -> Settings:
        """Refuse the set-ups that would let strangers in (see the messages above).

        Production without a token would otherwise start the sandbox, whose chat page and invites
        are open to whoever reaches the port; a webhook without a secret takes updates from anyone.
        """
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(NO_WEBHOOK_SECRET)
        if self.environment == "production":
            if self.telegram_token is None:
                raise ValueError(NO_TOKEN_IN_PRODUCTION)
            if self.admin_token is None:
                raise ValueError(NO_ADMIN_TOKEN_IN_PRODUCTION)
        if self.sandbox and not is_loopback(self.host):
            raise ValueError(SANDBOX_NOT_LOOPBACK.format(host=self.host))
        return self


@lru_cache
def get_settings() -> Settings:
    """The process's settings; tests call `get_settings.cache_clear()` after changing the environment."""
    return Settings()
