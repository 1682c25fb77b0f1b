"""Several documents, each with its identity: sidecars, citations that name the document,
第N条 resolved across documents, documents named in questions, superseded measures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from knowledge.catalog import Catalog
from knowledge.departments import DepartmentTable
from knowledge.errors import MeasureNotFound
from knowledge.mentions import named_documents, named_measures
from knowledge.models import ValidityStatus
from knowledge.parser import parse_document
from knowledge.validity import describe_validity, validity_badge, validity_of
from tests.conftest import SOURCE
from tests.kbtrees import NEW, OLD, two_document_tree

TABLE = DepartmentTable.load()


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    tree = two_document_tree(tmp_path_factory.mktemp("two") / "knowledge")
    return Catalog.load(tree / "sources", TABLE)


def test_the_shipped_sidecar_gives_the_short_name() -> None:
    info = parse_document(SOURCE, TABLE).info
    assert (info.doc_id, info.short_name, info.issuer) == (OLD, "红旗区稳经济措施(2023)", "红旗区人民政府")
    assert info.title == "红旗区大力提振市场信心促进经济稳定向好政策措施"
    assert info.issue_date == dt.date(2023, 3, 29)
    assert info.meta_path.endswith("hongqi-2023-measures.meta.yml")


def test_a_text_without_sidecar_keeps_its_header_identity(tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_bytes(SOURCE.read_bytes())
    info = parse_document(copy, TABLE).info
    assert info.short_name == "" and info.name == info.title and info.meta_path == ""


def test_one_document_cites_as_before(catalog: Catalog) -> None:
    assert not catalog.several
    measure = catalog.measure(44)
    assert measure.citation == "第44条" and measure.document_name == ""
    assert catalog.ref(measure) == 44 and catalog.by_ref(44) == measure
    assert catalog.namesakes(measure) == [] and catalog.successor(measure) is None
    with pytest.raises(MeasureNotFound, match="no measure 99 in hongqi-2023-measures"):
        catalog.measure(99)


def test_two_documents_cite_their_document(two: Catalog) -> None:
    assert two.several and [d.info.doc_id for d in two.documents] == [NEW, OLD]
    assert two.measure(5, OLD).citation == "《红旗区稳经济措施(2023)》第5条"
    assert two.measure(5, NEW).citation == "《红旗区稳经济措施调整(2024)》第5条"
    assert two.ref(two.measure(5, OLD)) == f"{OLD}#5"
    assert two.by_ref(f"{OLD}#5") == two.measure(5, OLD)


def test_a_bare_number_resolves_to_the_newest_document_that_has_it(two: Catalog) -> None:
    assert two.measure(3).doc_id == NEW
    assert two.measure(44).doc_id == OLD  # only the 2023 document has a 第44条
    assert [m.doc_id for m in two.namesakes(two.measure(3))] == [OLD]
    with pytest.raises(MeasureNotFound, match="^no measure 99$"):
        two.measure(99)


def test_a_superseded_measure_points_at_its_successor(two: Catalog) -> None:
    old = two.measure(44, OLD)
    assert old.superseded_by is not None
    assert (old.superseded_by.doc_id, old.superseded_by.number) == (NEW, 3)
    assert old.superseded_by.citation == "《红旗区稳经济措施调整(2024)》第3条"
    assert two.successor(old) == two.measure(3, NEW)
    validity = validity_of(old, dt.date(2026, 11, 30))
    assert validity.status is ValidityStatus.SUPERSEDED and not validity.in_force
    assert validity_badge(validity) == "已被取代"
    assert describe_validity(validity) == ("该措施已于2024年2月26日被《红旗区稳经济措施调整(2024)》"
                                           "第3条取代,请以新规定为准。")
    # Before the new document was issued the old measure was what applied.
    assert validity_of(old, dt.date(2023, 5, 1)).status is ValidityStatus.IN_FORCE
    assert two.measure(45, OLD).superseded_by is None


def test_a_whole_document_can_be_superseded(tmp_path: Path) -> None:
    tree = two_document_tree(tmp_path / "knowledge")
    meta = tree / "sources" / f"{NEW}.meta.yml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("    40: 1\n    44: 3\n", "")
                    .replace(f"  {OLD}:\n", f"  {OLD}: all\n"), encoding="utf-8")
    two = Catalog.load(tree / "sources", TABLE)
    old = two.measure(10, OLD)
    assert old.superseded_by is not None and old.superseded_by.number is None
    assert two.successor(old) is None and two.is_replaced(two.document(OLD))
    assert describe_validity(validity_of(old, dt.date(2026, 1, 1))).startswith(
        "该措施所在文件已于2024年2月26日被《红旗区稳经济措施调整(2024)》取代")
    assert two.measure(44).doc_id == OLD  # still the only 第44条


@pytest.mark.parametrize(("question", "doc_id", "number"), [
    ("2023年文件第44条", OLD, 44),
    ("2023年的文件第3条讲什么", OLD, 3),
    ("《红旗区稳经济措施(2023)》第3条", OLD, 3),
    ("红旗区稳经济措施（2023）第3条", OLD, 3),
    ("红旗区大力提振市场信心促进经济稳定向好政策措施第3条", OLD, 3),
    ("2024版第3条", NEW, 3),
    ("第3条", NEW, 3),
    ("第四十四条", OLD, 44),
])
def test_a_question_can_name_the_document(two: Catalog, question: str, doc_id: str, number: int) -> None:
    found, missing = named_measures(question, two)
    assert [(m.doc_id, m.number) for m in found] == [(doc_id, number)] and missing == []


def test_a_date_is_not_a_document_year(two: Catalog) -> None:
    assert named_documents("贷款2023年3月31日前到期", two) == []
    found, missing = named_measures("《红旗区稳经济措施调整(2024)》第44条", two)
    assert found == [] and missing == [44]
