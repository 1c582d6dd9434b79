"""Properties of the importer: arbitrary input only ever yields a clean report and writes nothing;
a generated valid file imports exactly its rows."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medreg.core.actor import Actor
from medreg.core.models import User
from medreg.core.scoping import scope_for
from medreg.registry.importing import COLUMNS, ImportReport, Kind, Limits, import_file
from tests.registry.test_importing_fixtures import counts, csv_bytes, enterprise_row, table, xlsx_bytes

DB_SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
LIMITS = Limits(max_bytes=100_000, max_rows=50)
_serials = itertools.count(1000)
kinds = st.sampled_from(list(Kind))


def run(user: User, kind: Kind, data: bytes, filename: str) -> ImportReport:
    return import_file(kind, data, filename=filename, actor=Actor(user=user), scope=scope_for(user), limits=LIMITS)


def assert_clean_refusal_or_exact_write(report: ImportReport, before: dict[str, int]) -> None:
    if report.accepted:
        assert counts()["AuditRecord"] == before["AuditRecord"] + report.created
        return
    assert report.error_count >= len(report.errors) >= 1
    assert all(e.field and e.code and e.message for e in report.errors)
    assert report.status in (400, 409, 413)
    assert counts() == before


@DB_SETTINGS
@given(kind=kinds, data=st.binary(max_size=3000), filename=st.sampled_from(["f.csv", "f.xlsx", "f"]))
def test_arbitrary_bytes_give_a_report_and_never_raise(
    provincial_user: User, kind: Kind, data: bytes, filename: str
) -> None:
    before = counts()
    assert_clean_refusal_or_exact_write(run(provincial_user, kind, data, filename), before)


@DB_SETTINGS
@given(kind=kinds, data=st.binary(max_size=2000))
def test_arbitrary_bytes_behind_a_zip_signature_give_a_report(provincial_user: User, kind: Kind, data: bytes) -> None:
    before = counts()
    assert_clean_refusal_or_exact_write(run(provincial_user, kind, b"PK\x03\x04" + data, "f.xlsx"), before)


cells = st.text(max_size=30)


@DB_SETTINGS
@given(kind=kinds, data=st.data())
def test_arbitrary_csv_text_under_a_valid_header_gives_a_report(
    provincial_user: User, kind: Kind, data: st.DataObject
) -> None:
    header = data.draw(
        st.lists(st.sampled_from(COLUMNS[kind].names), min_size=1, unique=True).map(list), label="header"
    )
    rows = data.draw(st.lists(st.lists(cells, max_size=len(header) + 1), max_size=5), label="rows")
    before = counts()
    assert_clean_refusal_or_exact_write(run(provincial_user, kind, csv_bytes([header, *rows]), "f.csv"), before)


@DB_SETTINGS
@given(text=st.text(max_size=500))
def test_arbitrary_text_as_csv_gives_a_report(provincial_user: User, text: str) -> None:
    before = counts()
    assert_clean_refusal_or_exact_write(run(provincial_user, Kind.ENTERPRISES, text.encode("utf-8"), "f.csv"), before)


@DB_SETTINGS
@given(
    n=st.integers(min_value=0, max_value=12), as_xlsx=st.booleans(), encoding=st.sampled_from(["utf-8-sig", "gb18030"])
)
def test_a_generated_valid_file_imports_exactly_its_rows(
    provincial_user: User, n: int, as_xlsx: bool, encoding: str
) -> None:
    # given n valid enterprises never seen before
    rows = table(Kind.ENTERPRISES, [enterprise_row(next(_serials)) for _ in range(n)])
    data = xlsx_bytes(rows) if as_xlsx else csv_bytes(rows, encoding)
    before = counts()
    # when
    report = run(provincial_user, Kind.ENTERPRISES, data, "f.xlsx" if as_xlsx else "f.csv")
    # then
    assert (report.errors, report.created) == ([], n)
    after = counts()
    assert (after["Enterprise"], after["AuditRecord"]) == (before["Enterprise"] + n, before["AuditRecord"] + n)
