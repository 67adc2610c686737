"""Settings read from FUPIN_* environment variables, validated once and cached."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, NonNegativeInt, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Default database: a SQLite file in the working directory, so `make run` needs no server.
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./fupin.db"

#: Official Bot API base; a self-hosted Bot API server or the sandbox emulator replaces it.
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org/bot"


class Settings(BaseSettings):
    """Everything the program reads from its environment.

    Secrets are `SecretStr` so that they never show up in a log line or a repr.
    """

    model_config = SettingsConfigDict(env_prefix="FUPIN_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    telegram_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    #: Username of the bot, used to build `https://t.me/<bot>?start=<code>` invite links.
    bot_username: str = "XinbinFupinBot"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    admin_token: SecretStr | None = None
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
    #: Messages a second the outbox worker sends overall (Telegram allows about 30); when several
    #: processes drain one PostgreSQL outbox, give each its share (30 / processes).
    outbox_rate: float = Field(default=30.0, gt=0)
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

    @model_validator(mode="after")
    def _enforce_production_secrets(self) -> Settings:
        """Refuse to run in production with a webhook but no secret, or with no admin token."""
        if self.environment == "production":
            if self.webhook_url and self.webhook_secret is None:
                raise ValueError("FUPIN_WEBHOOK_SECRET must be set when FUPIN_WEBHOOK_URL is set in production")
            if self.admin_token is None:
                raise ValueError("FUPIN_ADMIN_TOKEN must be set in production")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process's settings; tests call `get_settings.cache_clear()` after changing the environment."""
    return Settings()
