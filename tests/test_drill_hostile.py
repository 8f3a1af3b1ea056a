"""The hostile drill (drills/hostile.py) at small scale: every file of the corpus handled as
EXPORTS.md says, with its reason recorded, through a real `anju run` and a real sensor tick.

The sample is shortened to 3 months and the two million-row files are left out, to keep this to a
few minutes; `anju drill hostile --scale small` runs them (see the README).
"""

from __future__ import annotations

import pytest

from drills import corpus, hostile
from tests.conftest import SHORT_MONTHS, SMALL_SEED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> hostile.Report:
    home = tmp_path_factory.mktemp("hostile")
    result = hostile.run_drill(home, scale="small", seed=SMALL_SEED, months=SHORT_MONTHS, huge=False)
    hostile.print_report(result)  # shown with -s, and in the failure report otherwise
    return result


def test_the_corpus_is_large_and_covers_every_outcome(report):
    assert len(report.results) >= 30
    assert {r.case.expected for r in report.results} == {corpus.QUARANTINED, corpus.LOADED_WITH_REJECTS, corpus.LOADED, corpus.DUPLICATE}
    assert any(r.case.batch == 2 for r in report.results), "no file arrives for the sensor"


def test_every_file_has_its_outcome_and_reason(report):
    wrong = [(r.case.source, r.case.name, r.case.expected, r.actual, r.reason) for r in report.results
             if r.actual != r.case.expected or r.case.reason not in r.reason or (r.case.expected != corpus.LOADED and not r.reason)]
    assert wrong == []
    assert [r.case.name for r in report.results if r.arrivals != 1] == []  # each read once, none missed


def test_rows_loaded_and_the_extra_checks(report):
    """Rows loaded as expected; text as written; formulas neutralised in the extracts; a link not
    followed; nothing run from a file name; a duplicate not counted twice."""
    assert {r.case.name: r.problems for r in report.results if r.problems} == {}


def test_the_run_the_sensors_the_archive_and_the_sample_files(report):
    assert report.failures == []
    assert any(note.startswith("sensors: 6 evaluated") for note in report.notes), report.notes
