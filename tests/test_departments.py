import pytest

from knowledge.departments import DepartmentTable, default_table
from knowledge.errors import UnknownDepartment


@pytest.mark.parametrize("said", ["商务局", "商务部门", "区商务局", "商务", " 区 商务局 "])
def test_aliases_map_to_one_name(said: str) -> None:
    assert default_table().resolve(said) == "区商务局"


def test_alias_inside_a_phrase() -> None:
    assert default_table().find("区里的金融局那边") == "区金融局"


def test_unknown_department_raises() -> None:
    with pytest.raises(UnknownDepartment):
        default_table().resolve("宇宙局")


def test_ambiguous_alias_is_rejected() -> None:
    with pytest.raises(ValueError, match="names both"):
        DepartmentTable({"区甲局": ["甲"], "区乙局": ["甲"]})


def test_responsible_list_inherits_district_prefix() -> None:
    parsed = default_table().parse_responsible("区财政局、商务局、残联")
    assert parsed.names == ["区财政局", "区商务局", "区残联"]
    assert parsed.unknown == []


def test_catch_all_suffix_kept_as_note() -> None:
    parsed = default_table().parse_responsible("区应急局、消防大队等负有安全管理职责的部门")
    assert parsed.names == ["区应急局", "区消防大队"]
    assert parsed.note == "等负有安全管理职责的部门"
