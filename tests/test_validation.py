"""One malformed document per validation rule; every problem reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.errors import DocumentInvalid
from knowledge.parser import parse_document


def _line_of(lines: list[str], prefix: str) -> int:
    return next(i for i, text in enumerate(lines) if text.startswith(prefix))


def _write(tmp_path: Path, lines: list[str] | bytes) -> Path:
    path = tmp_path / "doc.txt"
    if isinstance(lines, bytes):
        path.write_bytes(lines)
    else:
        path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(DocumentInvalid) as info:
        parse_document(path)
    return [str(p) for p in info.value.problems]


def test_missing_number(tmp_path: Path, source_lines: list[str]) -> None:
    lines = list(source_lines)
    i = _line_of(lines, "5.")
    del lines[i]
    problems = _problems(_write(tmp_path, lines))
    assert problems == [f"{tmp_path / 'doc.txt'}:{i + 1}: measure 5 is missing"]


def test_duplicated_number(tmp_path: Path, source_lines: list[str]) -> None:
    lines = list(source_lines)
    i = _line_of(lines, "11.")
    lines[i] = "10." + lines[i][3:]
    problems = _problems(_write(tmp_path, lines))
    first = _line_of(lines, "10.") + 1
    assert f"{tmp_path / 'doc.txt'}:{i + 1}: duplicate measure number 10 (first at line {first})" \
        in problems
    assert any("measure 11 is missing" in p for p in problems)


def test_numbers_out_of_order(tmp_path: Path, source_lines: list[str]) -> None:
    lines = list(source_lines)
    a, b = _line_of(lines, "20."), _line_of(lines, "21.")
    lines[a], lines[b] = lines[b], lines[a]
    problems = _problems(_write(tmp_path, lines))
    assert problems == [f"{tmp_path / 'doc.txt'}:{b + 1}: measure 20 out of order (after measure 21)"]


def test_measure_without_responsible_units(tmp_path: Path, source_lines: list[str]) -> None:
    lines = list(source_lines)
    i = _line_of(lines, "33.")
    lines[i] = lines[i][: lines[i].index("(责任单位")]
    problems = _problems(_write(tmp_path, lines))
    assert problems == [
        f"{tmp_path / 'doc.txt'}:{i + 1}: measure 33 has no responsible units '(责任单位:…)' at its end"
    ]


def test_unrecognised_chapter_marker(tmp_path: Path, source_lines: list[str]) -> None:
    lines = list(source_lines)
    i = _line_of(lines, "三、")
    lines[i] = "三三、" + lines[i][2:]
    problems = _problems(_write(tmp_path, lines))
    assert f"{tmp_path / 'doc.txt'}:{i + 1}: unrecognised chapter marker '三三、'" in problems


def test_chapter_out_of_order(tmp_path: Path, source_lines: list[str]) -> None:
    lines = list(source_lines)
    i = _line_of(lines, "三、")
    lines[i] = "五、" + lines[i][2:]
    problems = _problems(_write(tmp_path, lines))
    assert any(p.startswith(f"{tmp_path / 'doc.txt'}:{i + 1}: chapter 五 out of order") for p in problems)


def test_unrecognised_section_marker(tmp_path: Path, source_lines: list[str]) -> None:
    lines = list(source_lines)
    i = _line_of(lines, "(八)")
    lines[i] = "(捌)" + lines[i][3:]
    problems = _problems(_write(tmp_path, lines))
    assert f"{tmp_path / 'doc.txt'}:{i + 1}: unrecognised section marker '(捌)'" in problems


def test_unrecognised_measure_marker(tmp_path: Path, source_lines: list[str]) -> None:
    lines = list(source_lines)
    i = _line_of(lines, "12.")
    lines[i] = "12、" + lines[i][3:]
    problems = _problems(_write(tmp_path, lines))
    assert any(p.startswith(f"{tmp_path / 'doc.txt'}:{i + 1}: unrecognised measure marker")
               for p in problems)


def test_bytes_not_utf8(tmp_path: Path, source_lines: list[str]) -> None:
    lines = list(source_lines)
    i = _line_of(lines, "7.")
    raw = "\n".join(lines).encode("utf-8").split(b"\n")
    raw[i] = raw[i][:10] + "加强".encode("gbk") + raw[i][10:]
    problems = _problems(_write(tmp_path, b"\n".join(raw)))
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'doc.txt'}:{i + 1}: bytes that are not UTF-8")


def test_unknown_department(tmp_path: Path, source_lines: list[str]) -> None:
    lines = list(source_lines)
    i = _line_of(lines, "36.")
    lines[i] = lines[i].replace("(责任单位:区工信局)", "(责任单位:区工信局、宇宙局)")
    problems = _problems(_write(tmp_path, lines))
    assert problems == [f"{tmp_path / 'doc.txt'}:{i + 1}: measure 36: unknown department '宇宙局' "
                        "(add it to knowledge/departments.yml)"]


def test_every_problem_reported_not_only_the_first(tmp_path: Path, source_lines: list[str]) -> None:
    lines = list(source_lines)
    del lines[_line_of(lines, "60.")]
    i = _line_of(lines, "3.")
    lines[i] = lines[i][: lines[i].index("(责任单位")]
    problems = _problems(_write(tmp_path, lines))
    assert len(problems) == 2
    assert "measure 3 has no responsible units" in problems[0]
    assert "measure 60 is missing" in problems[1]


def test_header_without_issue_date(tmp_path: Path, source_lines: list[str]) -> None:
    lines = [t for t in source_lines if t != "2023年3月29日"]
    problems = _problems(_write(tmp_path, lines))
    assert problems == [f"{tmp_path / 'doc.txt'}:1: no issue date (a line like 2023年3月29日) in the header"]
