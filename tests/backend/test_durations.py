"""The one filter every page shows a length of time with."""

import pytest
from django.template import Context, Template

from backend.templatetags.durations import duration


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (180, "3 h"),
        (150, "2 h 30 min"),
        (65, "1 h 5 min"),
        (6, "6 min"),
        (0, "0 min"),
        (60 * 1234, "1,234 h"),
        (None, ""),
        ("", ""),
    ],
)
def test_a_duration_reads_as_people_say_it(minutes: object, shown: str) -> None:
    assert duration(minutes) == shown


def test_the_filter_loads_in_a_template() -> None:
    template = Template("{% load durations %}{{ m|duration }}")
    assert template.render(Context({"m": 90})) == "1 h 30 min"
