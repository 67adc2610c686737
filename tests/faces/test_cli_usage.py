"""A command typed wrong, as a county IT person at a terminal would meet it: a Chinese line saying
what was wrong and where the usage is, never a traceback."""

from __future__ import annotations

import pytest

from bot.cli import USAGE_EXIT, main


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        pytest.param(["kb", "build", "plan.txt", "--out", "kb.json"], "没有 --out 这个选项", id="未知选项"),
        pytest.param(["kb", "build"], "缺少参数 source", id="缺少参数"),
        pytest.param(["nosuch"], "没有这个命令", id="未知命令"),
        pytest.param(["serve", "--port", "abc"], "参数 port 的值不对", id="参数值不对"),
    ],
)
def test_a_command_typed_wrong_says_what_was_wrong(
    argv: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(argv)
    assert problem in capsys.readouterr().err


def test_a_command_typed_wrong_points_to_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    main(["kb", "build", "plan.txt", "--out", "kb.json"])
    assert "fupin kb build --help" in capsys.readouterr().err


def test_a_command_typed_wrong_shows_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    main(["kb", "build", "plan.txt", "--out", "kb.json"])
    assert "Traceback" not in capsys.readouterr().err


def test_a_command_typed_wrong_exits_with_the_usage_status() -> None:
    assert main(["kb", "build"]) == USAGE_EXIT
