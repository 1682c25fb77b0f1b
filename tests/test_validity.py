import datetime as dt

import pytest

from knowledge.catalog import Catalog
from knowledge.models import ValidityStatus
from knowledge.validity import describe_validity, validity_of
from tests.conftest import PinToday


@pytest.mark.parametrize(
    ("number", "day", "status"),
    [
        (40, dt.date(2024, 12, 31), ValidityStatus.IN_FORCE),
        (40, dt.date(2025, 1, 1), ValidityStatus.EXPIRED),
        (44, dt.date(2023, 6, 30), ValidityStatus.IN_FORCE),
        (44, dt.date(2023, 7, 1), ValidityStatus.EXPIRED),
        (6, dt.date(2024, 3, 31), ValidityStatus.IN_FORCE),
        (6, dt.date(2024, 4, 1), ValidityStatus.EXPIRED),
        (49, dt.date(2023, 7, 1), ValidityStatus.EXPIRED),
        (50, dt.date(2026, 11, 30), ValidityStatus.NO_END_DATE),
    ],
)
def test_validity_on_a_day(catalog: Catalog, number: int, day: dt.date,
                           status: ValidityStatus) -> None:
    assert validity_of(catalog.measure(number), day).status is status


def test_expired_sentence_names_the_end(catalog: Catalog) -> None:
    text = describe_validity(validity_of(catalog.measure(40), dt.date(2026, 11, 30)))
    assert text == "该措施执行至2024年12月31日,目前已到期。"


def test_target_years_in_the_past_are_noted(catalog: Catalog) -> None:
    validity = validity_of(catalog.measure(42), dt.date(2026, 11, 30))
    assert validity.status is ValidityStatus.NO_END_DATE
    assert "2023年" in validity.note


def test_today_comes_from_env(catalog: Catalog, today: PinToday) -> None:
    today("2023-05-01")
    assert validity_of(catalog.measure(44)).status is ValidityStatus.IN_FORCE
    today("2026-11-30")
    assert validity_of(catalog.measure(44)).status is ValidityStatus.EXPIRED
