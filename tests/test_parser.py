import datetime as dt

from knowledge.catalog import Catalog
from knowledge.models import DateRole

# One measure per chapter at least, with their expected normalised departments.
EXPECTED_DEPARTMENTS = {
    1: ["区财政局", "区商务局"],
    4: ["区教体文旅局", "区财政局"],
    8: ["区总工会"],
    9: ["区商务局", "区服务业发展中心", "区教体文旅局", "区财政局"],
    13: ["区发改委"],
    24: ["红旗区人民法院", "区城建局"],
    26: ["红旗区先进制造业开发区"],
    33: ["区金融局", "区财政局", "区科技局", "新东投资公司"],
    38: ["区发改委", "国土二分局", "规划一分局", "红旗区先进制造业开发区"],
    40: ["区税务局"],
    44: ["区金融局"],
    50: ["区商务局", "区财政局"],
    52: ["区商务局", "区财政局", "区教体文旅局"],
    68: ["区民政局", "区财政局", "区人社局", "区残联"],
    74: ["区应急局", "区城管局", "区工信局", "区城建局", "区交通运输局", "区消防大队"],
    75: ["区金融局", "区城建局", "红旗公安分局", "区信访局"],
}


def test_all_75_measures_with_contiguous_numbers(catalog: Catalog) -> None:
    numbers = [m.number for m in catalog.measures]
    assert numbers == list(range(1, 76))


def test_document_metadata_from_header(catalog: Catalog) -> None:
    info = catalog.document().info
    assert info.doc_id == "hongqi-2023-measures"
    assert info.issue_date == dt.date(2023, 3, 29)
    assert info.issuer == "红旗区人民政府"
    assert info.title == "红旗区大力提振市场信心促进经济稳定向好政策措施"


def test_chapters_and_sections(catalog: Catalog) -> None:
    chapters = {m.chapter.number: m.chapter.title for m in catalog.measures}
    assert sorted(chapters) == [1, 2, 3, 4, 5, 6]
    assert chapters[5] == "着力稳定外资外贸"
    m44 = catalog.measure(44)
    assert (m44.chapter.numeral, m44.section.number, m44.section.numeral) == ("四", 13, "十三")
    assert m44.section.title == "强化金融支撑保障作用"
    assert sorted({m.section.number for m in catalog.measures}) == list(range(1, 21))


def test_organisational_chapter_is_not_measures(catalog: Catalog) -> None:
    assert all("提高政治站位" not in m.text for m in catalog.measures)
    assert catalog.measure(75).text.endswith("诉求。")
    assert all(m.chapter.number <= 6 for m in catalog.measures)


def test_departments_normalised(catalog: Catalog) -> None:
    chapters_seen = set()
    for number, expected in EXPECTED_DEPARTMENTS.items():
        measure = catalog.measure(number)
        assert measure.departments == expected, number
        chapters_seen.add(measure.chapter.number)
    assert chapters_seen == {1, 2, 3, 4, 5, 6}
    assert catalog.measure(74).departments_note == "等负有安全管理职责的部门"


def test_text_excludes_responsible_tail(catalog: Catalog) -> None:
    for measure in catalog.measures:
        assert "责任单位" not in measure.text
    assert catalog.measure(13).text.endswith("不断扩大有效投资。")


def _dates(catalog: Catalog, number: int) -> list[tuple[DateRole, dt.date]]:
    return [(d.role, d.date) for d in catalog.measure(number).dates]


def test_dates_with_roles(catalog: Catalog) -> None:
    assert _dates(catalog, 6) == [(DateRole.DEADLINE, dt.date(2024, 3, 31))]
    assert _dates(catalog, 40) == [
        (DateRole.PERIOD_START, dt.date(2022, 1, 1)),
        (DateRole.PERIOD_END, dt.date(2024, 12, 31)),
    ]
    assert _dates(catalog, 44) == [
        (DateRole.DUE_BEFORE, dt.date(2023, 3, 31)),
        (DateRole.DEADLINE, dt.date(2023, 6, 30)),
    ]
    assert _dates(catalog, 49) == [(DateRole.DEADLINE, dt.date(2023, 6, 30))]
    assert _dates(catalog, 42) == [(DateRole.TARGET_YEAR, dt.date(2023, 12, 31))]
    assert (DateRole.TARGET_YEAR, dt.date(2023, 12, 31)) in _dates(catalog, 27)
    assert (DateRole.REFERENCE_YEAR, dt.date(2022, 12, 31)) in _dates(catalog, 43)


def test_amounts_as_found(catalog: Catalog) -> None:
    texts = {n: [a.text for a in catalog.measure(n).amounts] for n in (8, 42, 50, 58)}
    assert "500元/人次" in texts[8]
    assert "40%" in texts[42] and "30%" in texts[42]
    assert "300万美元" in texts[50] and "80%" in texts[50] and "50%" in texts[50]
    assert "每100万美元申请上级奖励10万元" in texts[58]
    cap = next(a for a in catalog.measure(58).amounts if a.text == "1000万元")
    assert cap.qualifier == "最高不超过" and cap.value == 1000
    export = next(a for a in catalog.measure(50).amounts if a.text == "300万美元")
    assert export.qualifier == "以下"
    assert next(a for a in catalog.measure(8).amounts).qualifier == "不超过"
