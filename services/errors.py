"""Domain errors: one base whose message is Chinese and safe to show to the person who caused it.

Each face maps these once — the bot replies with `message`, the HTTP app picks a status code by
class, the CLI prints `message` and picks an exit status. Messages never carry a household's
personal data, so a face may show or log them as they are.
"""

from __future__ import annotations

from collections.abc import Sequence


class FupinError(Exception):
    """Base of every error the domain raises on purpose."""

    #: Shown when a subclass is raised without a message of its own.
    default_message = "操作未能完成。"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(FupinError):
    """Something the caller named does not exist."""

    default_message = "没有找到要找的记录。"


class InvalidInput(FupinError):
    """The caller's input is wrong; `choices` lists the valid values when there is a fixed set.

    `problems` holds one line per problem when a whole batch (e.g. a CSV file) was checked.
    """

    default_message = "输入有误。"

    def __init__(
        self,
        message: str | None = None,
        *,
        choices: Sequence[str] = (),
        problems: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.choices = tuple(choices)
        self.problems = tuple(problems)


def problems_error(title: str, problems: Sequence[str], *, shown: int) -> InvalidInput:
    """A batch refused as a whole: how many problems `title` (e.g. 村庄名单) has, the first `shown` of them.

    The error's `problems` holds every line.
    """
    lines = list(problems[:shown])
    if len(problems) > shown:
        lines.append(f"……另有 {len(problems) - shown} 处错误")
    message = f"{title}有 {len(problems)} 处错误，未导入任何数据：\n" + "\n".join(lines)
    return InvalidInput(message, problems=problems)


class Unauthorized(FupinError):
    """No credentials, or credentials that prove nothing (unknown, forged or expired token)."""

    default_message = "请先登录：令牌缺失、无效或已过期。"


class Forbidden(FupinError):
    """The caller's role does not allow this."""

    default_message = "您没有权限进行此操作。"


class Conflict(FupinError):
    """The request clashes with what is already recorded."""

    default_message = "与已有记录冲突。"


class InviteError(FupinError):
    """An invite code cannot be redeemed; the subclass says why."""

    default_message = "邀请码无效。"


class InviteNotFound(InviteError):
    """No invite has this code (mistyped or never issued)."""

    default_message = "邀请码不存在，请核对后重试，或向县扶贫办索取新的邀请链接。"


class InviteExpired(InviteError):
    """The invite's validity period is over."""

    default_message = "邀请码已过期，请向县扶贫办索取新的邀请链接。"


class InviteUsed(InviteError):
    """The invite was already redeemed by someone else; codes are single-use."""

    default_message = "邀请码已被使用，每个邀请码只能使用一次。请向县扶贫办索取新的邀请链接。"


class DatabaseNotReady(FupinError):
    """The database cannot be worked on as it is: missing, unreachable, or not at the program's schema."""

    default_message = "数据库尚未升级到当前版本，请先运行 fupin db upgrade。"


class BackupFailed(FupinError):
    """A backup or a restore could not be made (a program missing or failing); the message says what to do."""

    default_message = "备份或恢复未能完成。"
