"""`fupin kb build` and `fupin kb export`, as a person at a terminal uses them."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from bot.cli import main

PLAN = Path(str(resources.files("policy_kb").joinpath("sources/xinbin-2018-plan.txt")))


#: Each test builds into a cache of its own, so none reads another's (or the user's) cached plan.
pytestmark = pytest.mark.usefixtures("cache_home")


def test_build_writes_the_knowledge_base(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kb.json"
    assert main(["kb", "build", str(PLAN), "-o", str(out)]) == 0
    assert "19 项措施" in capsys.readouterr().out
    data = json.loads(out.read_text("utf-8"))
    assert data["source"]["doc_number"] == "新脱贫发[2018]2号"
    assert "新宾县" in out.read_text("utf-8")  # Chinese as is, not \\u escapes
    assert len(data["measures"]) == 19


def test_build_without_output_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "build", str(PLAN)]) == 0
    assert json.loads(capsys.readouterr().out)["source"]["date"] == "2018-04-02"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "找不到方案文本文件", id="文件不存在"),
        pytest.param("某县方案\n\n一、目标\n全县脱贫 10 人。\n", "没有找到任何责任单位行", id="没有责任单位行"),
    ],
)
def test_build_refuses_bad_input_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    source = tmp_path / "plan.txt"
    if content is not None:
        source.write_text(content, encoding="utf-8")
    assert main(["kb", "build", str(source), "-o", str(tmp_path / "kb.json")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "kb.json").exists()


def _export(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["kb", "export", *args]) == 0
    out = capsys.readouterr().out
    assert "\\u" not in out
    assert out.startswith("{\n  ")  # readable: ensure_ascii=False, indented
    data: dict[str, object] = json.loads(out)
    return data


def test_export_prints_the_packaged_knowledge_base(capsys: pytest.CaptureFixture[str]) -> None:
    data = _export(capsys)
    assert data["goals"] == [
        {
            "indicator": "全县脱贫",
            "quantity": 1246,
            "unit": "人",
            "sentence": "全县脱贫 1246 人，退出贫困村 10 个。",
        },
        {
            "indicator": "退出贫困村",
            "quantity": 10,
            "unit": "个",
            "sentence": "全县脱贫 1246 人，退出贫困村 10 个。",
        },
    ]
    measures = {m["id"]: m for m in data["measures"]}  # type: ignore[attr-defined]
    roads = measures["mc0623e77"]
    assert (roads["lead_unit"], roads["units"]) == ("县交通局", ["县交通局", "县财政局"])
    assert {"indicator": "拓宽硬化乡村道路", "quantity": 21.5, "unit": "公里"}.items() <= roads["targets"][0].items()
    junior = next(b for b in measures["mf2da9ece"]["benefits"] if b["item"] == "初中生活补贴")
    assert (junior["amount_yuan"], junior["per"], junior["period"]) == (1250, "生", "年")
    assert isinstance(junior["amount_yuan"], int)  # 1250, not 1250.0
    assert {"name": "月调度", "frequency": "monthly", "measure": "m33aa1d0c"}.items() <= data["cadences"][1].items()  # type: ignore[index]


def test_export_reads_a_built_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kb.json"
    assert main(["kb", "build", str(PLAN), "-o", str(out)]) == 0
    capsys.readouterr()
    assert _export(capsys, "--kb", str(out)) == json.loads(out.read_text("utf-8"))


def test_export_of_a_missing_file_fails_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "export", "--kb", str(tmp_path / "missing.json")]) == 2
    assert "找不到知识库文件" in capsys.readouterr().err


#: An invented plan whose 保障措施（一） has no responsibility statement (line 9).
UNPLACED_PLAN = (
    "松岭县扶贫开发领导小组\n\n松岭县2021年巩固脱贫成果实施方案\n\n一、工作措施\n\n"
    "1、产业帮扶。扶持贫困户养蜂 200 箱。\n\n（责任单位：县林草局、各乡镇）\n\n"
    "二、保障措施\n\n（一）加强领导。县级领导每月进村不少于 2 次。\n\n"
    "（二）强化督查。实行季督查。\n\n（责任单位：县委督查室）\n\n"
    "松岭县扶贫开发领导小组\n\n2021年2月8日\n"
)


def test_build_prints_each_warning_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "plan.txt"
    source.write_text(UNPLACED_PLAN, encoding="utf-8")
    assert main(["kb", "build", str(source), "-o", str(tmp_path / "kb.json")]) == 0
    assert "第 13 行【没有责任单位，未归入任何措施】（一）加强领导" in capsys.readouterr().out


def test_build_summary_counts_the_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "plan.txt"
    source.write_text(UNPLACED_PLAN, encoding="utf-8")
    assert main(["kb", "build", str(source), "-o", str(tmp_path / "kb.json")]) == 0
    assert "警告 1 条" in capsys.readouterr().out


def test_strict_build_fails_on_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "plan.txt"
    source.write_text(UNPLACED_PLAN, encoding="utf-8")
    assert main(["kb", "build", str(source), "--strict", "-o", str(tmp_path / "kb.json")]) == 1
    assert "严格模式" in capsys.readouterr().err


def test_strict_build_writes_nothing_on_a_warning(tmp_path: Path) -> None:
    source = tmp_path / "plan.txt"
    source.write_text(UNPLACED_PLAN, encoding="utf-8")
    main(["kb", "build", str(source), "--strict", "-o", str(tmp_path / "kb.json")])
    assert not (tmp_path / "kb.json").exists()


def test_strict_build_of_a_clean_plan_succeeds(tmp_path: Path) -> None:
    assert main(["kb", "build", str(PLAN), "--strict", "-o", str(tmp_path / "kb.json")]) == 0
