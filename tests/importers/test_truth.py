"""The seed appendices read as a careful person read them (``../shared/seeds/truth.json``), field by field."""

from __future__ import annotations

import pytest

from tests.importers import truth


@pytest.fixture(scope="module")
def compared():
    if not truth.TRUTH.exists():
        pytest.skip(f"{truth.TRUTH} is absent (../shared is outside the project)")
    return truth.compare()


def test_the_share_of_fields_that_agree(compared):
    counts, differences = compared
    # the README reports the share: python -m tests.importers.truth
    assert truth.share(counts) >= 0.99, "\n".join(differences)


def test_every_seed_has_every_task_and_indicator(compared):
    counts, _ = compared
    assert all(count["task_count ok"] == 1 for count in counts.values())
    assert counts["004_4bf868cb18751383.txt"]["target_value ok"] == 11


def test_the_fields_that_must_never_be_wrong_on_the_first_users_plan(compared):
    """A wrong date blames an agency that is on time: 004's due dates and kinds agree but for listed rows."""
    _, differences = compared
    dates = [d for d in differences if d.startswith("004") and " due_dates:" in d.split("\n")[0]]
    # 004 II.1 ("Thường xuyên: đảm bảo theo Kế hoạch …") was read as the cited plan's date before issue 8
    assert dates == [], dates
