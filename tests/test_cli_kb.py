"""The `policybot kb` commands through click's runner, plus one real console-script run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from api.cli import main
from tests.conftest import ROOT, SOURCE, PinToday


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_show_44_json() -> None:
    code, out, _ = run("kb", "show", "44", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["departments"] == ["区金融局"]
    assert "2023-06-30" in [d["date"] for d in data["dates"]]
    assert (data["chapter"]["number"], data["chapter"]["title"]) == (4, "支持实体经济发展")
    assert data["section"]["title"] == "强化金融支撑保障作用"
    assert set(data) >= {"doc_id", "number", "chapter", "section", "text", "departments",
                         "dates", "validity"}


def test_show_50_departments() -> None:
    data = json.loads(run("kb", "show", "50", "--json")[1])
    assert data["departments"] == ["区商务局", "区财政局"]


def test_show_text_mode_with_validity(today: PinToday) -> None:
    today("2026-11-30")
    code, out, _ = run("kb", "show", "40")
    assert code == 0
    assert "第40条" in out and "目前已到期" in out


def test_show_unknown_measure_and_document() -> None:
    code, _, err = run("kb", "show", "99")
    assert code == 3 and err.strip() == "error: no measure 99 in hongqi-2023-measures"
    code, _, err = run("kb", "show", "5", "--doc", "nope")
    assert code == 3 and "unknown document: nope" in err


def test_departments_json() -> None:
    data = json.loads(run("kb", "departments", "--json")[1])
    assert 50 in data["区商务局"]
    assert data["区税务局"] == [20, 40]
    assert sum(len(v) for v in data.values()) > 75


def test_list_filters(today: PinToday) -> None:
    today("2026-11-30")
    data = json.loads(run("kb", "list", "--department", "金融部门", "--json")[1])
    numbers = [m["number"] for m in data]
    assert 44 in numbers and 50 not in numbers
    data = json.loads(run("kb", "list", "--chapter", "5", "--json")[1])
    assert [m["number"] for m in data] == list(range(50, 60))
    data = json.loads(run("kb", "list", "--in-force", "--json")[1])
    numbers = [m["number"] for m in data]
    assert 40 not in numbers and 44 not in numbers and 50 in numbers


def test_list_errors() -> None:
    code, _, err = run("kb", "list", "--department", "宇宙局")
    assert code == 3 and "unknown department: 宇宙局" in err
    code, _, err = run("kb", "list", "--chapter", "9")
    assert code == 3 and "no chapter 9" in err


def test_validate_ok_and_rejected(tmp_path: Path) -> None:
    code, out, _ = run("kb", "validate", str(SOURCE))
    assert code == 0 and "75 measures" in out
    bad = tmp_path / "bad.txt"
    text = SOURCE.read_text(encoding="utf-8").replace("(责任单位:区总工会)", "")
    bad.write_text(text, encoding="utf-8")
    code, out, _ = run("kb", "validate", str(bad))
    assert code == 1
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("8."))
    assert out.strip().splitlines() == [
        f"{bad}:{line}: measure 8 has no responsible units '(责任单位:…)' at its end"
    ]


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).parent / "policybot"
    proc = subprocess.run([str(exe), "kb", "show", "44", "--json"], capture_output=True,
                          text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["number"] == 44
