"""Rules as checked data: sidecars, eligibility rules, the department table, the terms and
the question bank are validated with PATH:LINE problems, all in one pass, through
validate_tree (what a publish calls) and `policybot kb validate PATH`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from knowledge.departments import DepartmentTable
from knowledge.eligibility import Check, Outcome, RuleBook
from knowledge.errors import DocumentInvalid
from knowledge.rulefiles import OPERATORS_BY_TYPE
from knowledge.validation import validate_tree
from tests.kbtrees import KNOWLEDGE, NEW, OLD, seed_tree, two_document_tree


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def line(path: Path, text: str) -> int:
    """1-based line of the first line of `path` containing `text`."""
    return next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text in row)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return two_document_tree(tmp_path / "knowledge")


def test_the_shipped_knowledge_and_the_fixture_are_valid(tmp_path: Path, tree: Path) -> None:
    assert validate_tree(KNOWLEDGE) == []
    assert validate_tree(tree) == []
    code, out, _ = run("kb", "validate", str(KNOWLEDGE))
    assert code == 0 and "1 document(s): hongqi-2023-measures (75 measures)" in out
    assert "29 eligibility rules" in out and "108 terms" in out
    code, out, _ = run("kb", "validate", str(tree / "sources" / f"{NEW}.txt"))
    assert code == 0, out
    assert "short name 《红旗区稳经济措施调整(2024)》" in out
    assert f"supersedes {OLD}: 第40条 -> 第1条, 第44条 -> 第3条" in out


# -- sidecars ------------------------------------------------------------------------------

def test_a_broken_sidecar_is_reported_with_file_and_line(tree: Path) -> None:
    meta = tree / "sources" / f"{NEW}.meta.yml"
    edit(meta, "    44: 3", "    99: 3")
    edit(meta, "title: 红旗区延续优化稳经济政策措施", "title: 红旗区稳经济政策措施")
    code, out, err = run("kb", "validate", str(tree / "sources" / f"{NEW}.txt"))
    assert code == 1
    assert out.strip().splitlines() == [
        f"{meta}:{line(meta, 'title:')}: title 红旗区稳经济政策措施 does not match the text's "
        "header (《红旗区延续优化稳经济政策措施》)",
        f"{meta}:{line(meta, '99: 3')}: supersedes {OLD} 第99条, which that document does not have",
    ]
    assert "2 problem(s); document rejected" in err
    # The sidecar can be named instead of its text, and the tree as a whole says the same.
    assert run("kb", "validate", str(meta))[1] == out
    assert [str(p) for p in validate_tree(tree)] == out.strip().splitlines()


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("    44: 3", "    44: 9", f"{OLD} 第44条 is replaced by 第9条, which this document does not have"),
    (f"  {OLD}:\n    40: 1\n    44: 3", "  hongqi-2019-measures: all",
     "supersedes 'hongqi-2019-measures', which is not a document of this knowledge base"),
    ("issue_date: 2024-02-26", "issue_date: 2024-02-27",
     "issue_date 2024-02-27 does not match the text's header (2024-02-26)"),
    ("id: hongqi-2024-adjustments", "id: hongqi-2024", "id 'hongqi-2024' is not the file's name "
                                                       "'hongqi-2024-adjustments'"),
    ("short_name: 红旗区稳经济措施调整(2024)", "short_name: 红旗区稳经济措施(2023)",
     "short name 《红旗区稳经济措施(2023)》 is also hongqi-2023-measures's; citations would not "
     "tell the two apart"),
    ("short_name:", "shortname:", "unknown field 'shortname'"),
    ("    40: 1", "    40: first", f"supersedes {OLD}: 40: 'first' is not old number: new number"),
])
def test_sidecar_rules(tree: Path, old: str, new: str, expected: str) -> None:
    meta = tree / "sources" / f"{NEW}.meta.yml"
    edit(meta, old, new)
    problems = [(p.path, p.message) for p in validate_tree(tree)]
    assert any(path == str(meta) and message.startswith(expected) for path, message in problems), problems


def test_a_sidecar_without_its_text_and_a_later_document_superseded(tree: Path) -> None:
    orphan = tree / "sources" / "gone.meta.yml"
    orphan.write_text("short_name: x\n", encoding="utf-8")
    old_meta = tree / "sources" / f"{OLD}.meta.yml"
    old_meta.write_text(old_meta.read_text(encoding="utf-8") + f"supersedes:\n  {NEW}: all\n",
                        encoding="utf-8")
    problems = [str(p) for p in validate_tree(tree)]
    assert f"{orphan}:1: sidecar without its document gone.txt" in problems
    assert f"{old_meta}:{line(old_meta, NEW)}: supersedes '{NEW}', which was issued later (2024-02-26)" \
        in problems


def test_documents_that_supersede_each_other(tree: Path) -> None:
    sources = tree / "sources"
    (sources / "hongqi-2024-copy.txt").write_bytes((sources / f"{NEW}.txt").read_bytes())
    (sources / "hongqi-2024-copy.meta.yml").write_text(
        (sources / f"{NEW}.meta.yml").read_text(encoding="utf-8")
        .replace(f"id: {NEW}", "id: hongqi-2024-copy").replace("调整(2024)", "调整(2024副本)")
        .replace(f"  {OLD}:\n    40: 1\n    44: 3", f"  {NEW}:\n    2: 2"), encoding="utf-8")
    edit(sources / f"{NEW}.meta.yml", "supersedes:\n", "supersedes:\n  hongqi-2024-copy:\n    1: 1\n")
    problems = [p.message for p in validate_tree(tree)]
    assert any(m.startswith("documents supersede each other in a circle: ") for m in problems), problems


# -- eligibility rules -----------------------------------------------------------------------

BROKEN_RULES = """\
doc_id: hongqi-2023-measures
facts:
  company_size:
    type: text
    question: 贵公司规模多大?
  sector:
    type: choice
    question: 哪个行业?
measures:
  44:
    summary: 贷款延期
    conditions:
      - id: borrower
        text: 小微企业
        fact: enterprise_type
        op: is
        value: 小微企业
      - id: turnover
        text: 营业额
        fact: turnover_10k
        op: gt
        value: 10
      - id: due
        text: 到期日
        fact: loan_due_date
        op: between
        value: [2023-01-01]
    benefits:
      - text: 没有条件
      - when: {fact: enterprise_type, op: eq, value: 大企业}
        text: 不在选项里
  99:
    summary: 没有这一条
    conditions:
      - {id: a, text: a, fact: has_layoffs, op: "false"}
"""


def test_eligibility_rule_problems_all_at_once(tmp_path: Path) -> None:
    tree = seed_tree(tmp_path / "knowledge")
    rules = tree / "eligibility" / "extra.yml"
    rules.write_text(BROKEN_RULES, encoding="utf-8")
    (tree / "eligibility" / "nope.yml").write_text("doc_id: nope\nmeasures:\n  1:\n    summary: x\n"
                                                   "    conditions:\n      - {id: a, text: a, "
                                                   "fact: has_layoffs, op: 'true'}\n", encoding="utf-8")
    problems = {str(p) for p in validate_tree(tree)}
    shipped = tree / "eligibility" / f"{OLD}.yml"
    twice = f"rule for measure 44 of {OLD} is defined twice"
    expected = {
        f"{shipped}:{line(shipped, '  44:')}: {twice} (first at {rules}:10)",
        f"{rules}:4: fact 'company_size': unknown type 'text' (expected one of boolean, choice, "
        "date, integer, number)",
        f"{rules}:6: fact 'sector': a choice needs choices [a, b, …]",
        f"{rules}:16: unknown op 'is' (expected one of after, before, between, eq, false, ge, gt, "
        "in, le, lt, not_in, on_or_before, true)",
        f"{rules}:20: unknown fact 'turnover_10k' (define it under facts:)",
        f"{rules}:26: op 'between' does not apply to date fact 'loan_due_date'",
        f"{rules}:29: rule for measure 44: malformed benefit (when is 'all' or {{fact, op, value}})",
        f"{rules}:30: '大企业' is not one of the choices of fact 'enterprise_type'",
        f"{rules}:32: rule for measure 99: no measure 99 in hongqi-2023-measures",
        f"{tree / 'eligibility' / 'nope.yml'}:1: unknown document: nope",
    }
    assert expected <= problems, sorted(problems - expected)
    assert len(problems) == len(expected), sorted(problems - expected)
    with pytest.raises(DocumentInvalid):
        RuleBook.load(tree / "eligibility")
    # Checked alone, the file is taken as the last of its tree: the repeated rule is its own.
    code, out, _ = run("kb", "validate", str(rules))
    assert code == 1
    assert set(out.strip().splitlines()) == {p for p in expected if p.startswith(f"{rules}:")} | {
        f"{rules}:10: {twice} (first at {shipped}:{line(shipped, '  44:')})"}


BROKEN_CUES = """\
doc_id: hongqi-2023-measures
facts:
  size:
    type: choice
    choices: [小, 大]
    question: 规模?
    cues:
      小: [小微, "小+|企业"]
      中: [中型]
      大: [大型, 小微]
  paid:
    type: boolean
    question: 交了吗?
    says_yes: [交了]
    says_no: [交了]
    cues: [交]
  turnover:
    type: number
    unit: 个
    question: 营业额?
    cues: [营业额!营业]
measures:
  8:
    summary: 测试
    conditions:
      - {id: a, text: a, fact: size, op: eq, value: 小}
    benefits:
      - when: all
        text: 奖励
        reward: {fact: paid, per: 0, gives: 10, unit: 万元}
"""


def test_cue_and_reward_problems(tmp_path: Path) -> None:
    """How people state a fact is data checked like the rules: cues well formed, in the
    shape the fact's type reads, never stating two things; a reward computed from a
    number fact."""
    tree = seed_tree(tmp_path / "knowledge")
    rules = tree / "eligibility" / "cues.yml"
    rules.write_text(BROKEN_CUES, encoding="utf-8")
    problems = {str(p) for p in validate_tree(tree)}
    twice = f"rule for measure 8 of {OLD} is defined twice"
    shipped = tree / "eligibility" / f"{OLD}.yml"
    expected = {
        f"{rules}:8: fact 'size': cue '小+|企业' has an empty word (around '+' or '|') or an "
        "exception (after '!') that does not contain its word",
        f"{rules}:9: fact 'size': cues for '中', which is not one of its choices",
        f"{rules}:10: fact 'size': '小微' is in both cues of '小' and cues of '大'",
        f"{rules}:15: fact 'paid': '交了' is in both says_yes and says_no",
        f"{rules}:16: fact 'paid': a boolean fact has no cues (a boolean fact has says_yes and "
        "says_no)",
        f"{rules}:19: fact 'turnover': a number fact needs a unit of money (元, 万元, 亿元, 美元, "
        "万美元, 亿美元)",
        f"{rules}:21: fact 'turnover': cue '营业额!营业' has an empty word (around '+' or '|') or "
        "an exception (after '!') that does not contain its word",
        f"{rules}:30: rule for measure 8: reward fact 'paid' must be a defined integer or number fact",
        f"{rules}:30: rule for measure 8: reward per must be a positive number",
        f"{shipped}:{line(shipped, '  8:')}: {twice} (first at {rules}:23)",
    }
    assert expected <= problems, sorted(problems - expected)
    assert len(problems) == len(expected), sorted(problems - expected)


# One sample fact value per type, and a value each operator compares it with.
SAMPLE = {"boolean": True, "integer": 2, "number": 2.5, "date": dt.date(2023, 6, 1), "choice": "a"}
COMPARED = {"true": None, "false": None, "between": [1, 3], "before": "2024-01-01",
            "on_or_before": "2024-01-01", "after": "2020-01-01"}


@pytest.mark.parametrize(("kind", "op"),
                         sorted((k, op) for k, ops in OPERATORS_BY_TYPE.items() for op in ops))
def test_every_operator_the_validator_accepts_is_evaluated(kind: str, op: str) -> None:
    actual = SAMPLE[kind]
    value = COMPARED.get(op, [actual] if op in ("in", "not_in") else actual)
    assert Check("x", op, value).outcome({"x": actual}) is not Outcome.UNKNOWN


# -- department table, terms, question bank ------------------------------------------------------

def test_department_table_problems(tmp_path: Path) -> None:
    tree = seed_tree(tmp_path / "knowledge")
    table = tree / "departments.yml"
    edit(table, "财政部门, 区财政]", "财政部门, 区财政, 财政局]")
    edit(table, "商务部门, 区商务]", "商务部门, 区商务, 财政]")
    code, out, _ = run("kb", "validate", str(table))
    assert code == 1
    assert out.strip().splitlines() == [
        f"{table}:{line(table, '区财政局:')}: duplicate alias '财政局' of 区财政局 (first at line "
        f"{line(table, '区财政局:')})",
        f"{table}:{line(table, '区商务局:')}: alias '财政' names both 区财政局 (line "
        f"{line(table, '区财政局:')}) and 区商务局",
    ]
    with pytest.raises(DocumentInvalid):
        DepartmentTable.load(table)


def test_a_department_the_table_loses_is_reported_in_the_documents(tmp_path: Path) -> None:
    tree = seed_tree(tmp_path / "knowledge")
    table = tree / "departments.yml"
    edit(table, "区总工会: [总工会, 工会]\n", "")
    code, out, _ = run("kb", "validate", str(table))
    assert code == 1 and "measure 8: unknown department '区总工会'" in out


def test_terms_problems(tmp_path: Path) -> None:
    tree = seed_tree(tmp_path / "knowledge")
    terms = tree / "terms.txt"
    terms.write_text(terms.read_text(encoding="utf-8") + "稳岗返还 20 n extra\n# 注释\n保交楼 30 n\n"
                     "留抵退税 n 20\n", encoding="utf-8")
    code, out, _ = run("kb", "validate", str(terms))
    assert code == 1
    n = len(terms.read_text(encoding="utf-8").splitlines())
    assert out.strip().splitlines() == [
        f"{terms}:{n - 3}: malformed term line '稳岗返还 20 n extra' (expected: word [frequency] [tag], "
        "e.g. '六税两费 20 n')",
        f"{terms}:{n - 2}: a comment line would be read as a term by jieba; terms.txt holds terms only",
        f"{terms}:{n - 1}: duplicate term '保交楼' (first at line {line(terms, '保交楼')})",
        f"{terms}:{n}: malformed term line '留抵退税 n 20' (expected: word [frequency] [tag], "
        "e.g. '六税两费 20 n')",
    ]


def test_question_bank_problems(tree: Path) -> None:
    bank = tree / "questions" / f"{NEW}.yml"
    edit(bank, '  5:\n', '  9:\n    - "第九条是什么？"\n  5:\n    - ""\n'
                         '    - "小微企业贷款延期最晚能延到什么时候？"\n')
    (tree / "questions" / "other.yml").write_text("doc_id: hongqi-2099\nquestions:\n  1: [\"?\"]\n",
                                                  encoding="utf-8")
    problems = [str(p) for p in validate_tree(tree)]
    first = line(bank, "小微企业贷款延期最晚")
    empty = line(bank, '- ""')
    assert problems == [
        f"{bank}:{line(bank, '  9:')}: question bank entry 9: no measure 9 in {NEW}",
        f"{bank}:{empty}: question bank entry 5: empty question",
        f"{bank}:{empty + 1}: duplicate question '小微企业贷款延期最晚能延到什么时候？' "
        f"(first at {bank}:{first})",
        f"{tree / 'questions' / 'other.yml'}:1: unknown document: hongqi-2099",
    ]


def test_a_broken_tree_lists_every_file_in_one_pass(tmp_path: Path) -> None:
    tree = two_document_tree(tmp_path / "knowledge")
    edit(tree / "sources" / f"{NEW}.meta.yml", "    44: 3", "    99: 3")
    edit(tree / "eligibility" / f"{NEW}.yml", "op: on_or_before", "op: until")
    edit(tree / "departments.yml", "区商务局: [商务局,", "区商务局: [财政局, 商务局,")
    edit(tree / "terms.txt", "保交楼 20 n", "保交楼 20 n x")
    edit(tree / "questions" / f"{NEW}.yml", "  5:\n", "  6:\n")
    code, out, err = run("kb", "validate", str(tree))
    assert code == 1
    files = {row.split(":")[0] for row in out.strip().splitlines()}
    assert files == {str(tree / f) for f in (f"sources/{NEW}.meta.yml", f"eligibility/{NEW}.yml",
                                             "departments.yml", "terms.txt", f"questions/{NEW}.yml")}
    assert "tree rejected" in err


def test_not_a_knowledge_file_is_a_usage_error(tmp_path: Path) -> None:
    other = tmp_path / "notes.md"
    other.write_text("x", encoding="utf-8")
    code, _, err = run("kb", "validate", str(other))
    assert code == 2 and "not a knowledge file" in err
    code, _, err = run("kb", "validate", str(tmp_path))
    assert code == 2 and "sources/" in err


def test_a_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    tree = seed_tree(tmp_path / "knowledge")
    rules = tree / "eligibility" / "broken.yml"
    rules.write_text("doc_id: hongqi-2023-measures\nmeasures:\n  44: [\n", encoding="utf-8")
    problems = [str(p) for p in validate_tree(tree)]
    assert len(problems) == 1 and problems[0].startswith(f"{rules}:4: not valid YAML")


# -- classification ------------------------------------------------------------------------

def test_the_shipped_classification_covers_every_measure() -> None:
    book = RuleBook.load(KNOWLEDGE / "eligibility")
    kinds = {n: k.kind for (doc, n), k in book.kinds.items() if doc == OLD}
    assert sorted(kinds) == list(range(1, 76))
    assert {n for n, k in kinds.items() if k == "rule"} == {n for (_, n) in book.rules}
    assert kinds[72] == "government" and kinds[59] == "open" and kinds[50] == "rule"
    assert all(book.kinds[(OLD, n)].note for n, k in kinds.items() if k != "rule")


def test_classification_problems_with_their_lines(tmp_path: Path) -> None:
    tree = seed_tree(tmp_path / "knowledge")
    shipped = tree / "eligibility" / f"{OLD}.yml"
    edit(shipped, "  4: {kind: rule}", "  4: {kind: open}")
    edit(shipped, '  3: {kind: government, note: "促消费综合考评,政府部门工作任务"}',
         "  3: {kind: rule}")
    edit(shipped, "  6: {kind: rule}\n", "")
    edit(shipped, '  5: {kind: government, note: "文旅市场防疫要求和景区管理,政府部门工作任务"}',
         "  5: {kind: benefit, note: x}")
    edit(shipped, '  12: {kind: government, note: "商业街区建设和促消费活动,政府部门工作任务"}',
         "  12: {kind: government}\n  99: {kind: government, note: x}")
    at = shipped.read_text(encoding="utf-8").splitlines().index("classification:") + 1
    problems = {str(p) for p in validate_tree(tree)}
    assert problems == {
        f"{shipped}:{line(shipped, '  3: {kind: rule}')}: measure 3 is classified as rule but has "
        "no rule under measures:",
        f"{shipped}:{line(shipped, '  4: {kind: open}')}: measure 4 has a rule "
        f"({shipped}:{line(shipped, '  4:')}) but is classified as open",
        f"{shipped}:{line(shipped, '  4: {kind: open}')}: classification of measure 4: a open "
        "measure needs a note saying what it is",
        f"{shipped}:{line(shipped, '  5: {kind')}: classification of measure 5: unknown kind "
        "'benefit' (expected one of rule, open, government)",
        f"{shipped}:{line(shipped, '  12: {kind')}: classification of measure 12: a government "
        "measure needs a note saying what it is",
        f"{shipped}:{at}: measure 6 has a rule ({shipped}:{line(shipped, '  6:')}) but no "
        "classification",
        f"{shipped}:{at}: measures of {OLD} not classified: 6",
        f"{shipped}:{at}: classified measures 99 are not in {OLD}",
    }
