"""The importer: every kind in every format, exact error reports, and nothing written on refusal."""

import datetime as dt
import io
import zipfile

import pytest

from medreg.core.actor import Actor
from medreg.core.errors import PermissionDenied
from medreg.core.models import Role, User
from medreg.core.scoping import scope_for
from medreg.registry.importing import MAX_REPORTED_ERRORS, ImportReport, Kind, Limits, import_file
from medreg.registry.models import DeviceIdentifier, Drug, Enterprise, PackageLevel
from tests import factories
from tests.registry.test_importing_fixtures import (
    NANJING,
    cosmetic_row,
    counts,
    csv_bytes,
    device_row,
    drug_row,
    enterprise_row,
    licence_row,
    table,
    uscc,
    xlsx_bytes,
)

ROWS = {
    Kind.LICENCES: licence_row,
    Kind.DRUGS: drug_row,
    Kind.DEVICES: device_row,
    Kind.COSMETICS: cosmetic_row,
}


def run(user: User, kind: Kind, data: bytes, filename: str = "file.csv", **options: object) -> ImportReport:
    return import_file(kind, data, filename=filename, actor=Actor(user=user), scope=scope_for(user), **options)  # type: ignore[arg-type]


def errors_of(report: ImportReport) -> list[tuple[int | None, str, str]]:
    return [(e.row, e.field, e.code) for e in report.errors]


@pytest.fixture
def holder(db: None) -> Enterprise:
    return factories.make_enterprise("杭州持有人药业有限公司")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_enterprises_import_from_csv_in_every_accepted_encoding(provincial_user: User, encoding: str) -> None:
    # given three enterprises saved as CSV in this encoding
    data = csv_bytes(table(Kind.ENTERPRISES, [enterprise_row(n) for n in (1, 2, 3)]), encoding)
    before = counts()
    # when
    report = run(provincial_user, Kind.ENTERPRISES, data)
    # then
    assert (report.accepted, report.created, report.status) == (True, 3, 201)
    assert counts()["Enterprise"] == before["Enterprise"] + 3
    assert counts()["AuditRecord"] == before["AuditRecord"] + 3
    saved = Enterprise.objects.get(uscc=uscc(2))
    assert (saved.name, saved.type_codes, saved.jurisdiction.code) == (
        "杭州第2医药有限公司",
        ["drug_wholesaler", "retail_pharmacy"],
        "330106",
    )


@pytest.mark.parametrize("kind", list(ROWS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_product_kind_imports_in_both_formats(
    provincial_user: User, holder: Enterprise, kind: Kind, fmt: str
) -> None:
    # given two valid rows of this kind
    rows = table(kind, [ROWS[kind](holder.uscc, n) for n in (1, 2)])
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    before = counts()
    # when
    report = run(provincial_user, kind, data, f"file.{fmt}")
    # then
    assert (report.errors, report.created) == ([], 2)
    assert counts()["AuditRecord"] == before["AuditRecord"] + 2


def test_drug_package_levels_and_manufacturers_are_stored(provincial_user: User, holder: Enterprise) -> None:
    report = run(provincial_user, Kind.DRUGS, csv_bytes(table(Kind.DRUGS, [drug_row(holder.uscc, 7)])))
    assert report.created == 1
    drug = Drug.objects.get(approval_number="国药准字H20050007")
    levels = list(
        PackageLevel.objects.filter(drug=drug)
        .order_by("level")
        .values_list("level", "quantity", "drug_identification_code", "gtin")
    )
    assert levels == [(1, 24, "8000007", None), (2, 50, None, "06900000000076")]
    assert [m.enterprise.uscc for m in drug.manufacturers.all()] == [holder.uscc]


def test_device_identifiers_with_level_and_quantity_are_stored(provincial_user: User, holder: Enterprise) -> None:
    report = run(provincial_user, Kind.DEVICES, csv_bytes(table(Kind.DEVICES, [device_row(holder.uscc, 3)])))
    assert report.created == 1
    stored = sorted(DeviceIdentifier.objects.values_list("issuing_agency", "di", "package_level", "quantity"))
    assert stored == [("GS1", "06900000050033", 1, 1), ("HIBCC", "+H123ABC00030", 2, 10)]


def test_excel_date_and_number_cells_are_accepted(provincial_user: User, holder: Enterprise) -> None:
    # given an xlsx whose dates are date cells and whose quantities are numbers
    row = drug_row(holder.uscc, 4)
    cells = table(Kind.DRUGS, [row])
    cells[1] = [
        dt.datetime(2020, 5, 1) if v == "2020-05-01" else (24 if v == "24" else (50 if v == "50" else v))
        for v in cells[1]
    ]
    # when
    report = run(provincial_user, Kind.DRUGS, xlsx_bytes(cells), "drugs.xlsx")
    # then
    assert (report.errors, report.created) == ([], 1)
    assert Drug.objects.get(approval_number="国药准字H20050004").approved_on == dt.date(2020, 5, 1)


def test_unknown_repeated_and_missing_columns_are_named_and_nothing_written(provincial_user: User) -> None:
    header = ["uscc", "name", "name", "colour", "jurisdiction"]
    before = counts()
    report = run(provincial_user, Kind.ENTERPRISES, csv_bytes([header, ["x"] * 5]))
    assert errors_of(report) == [
        (1, "header", "unknown_columns"),
        (1, "header", "repeated_columns"),
        (1, "header", "missing_columns"),
    ]
    assert report.errors[0].message == "Unknown columns: colour."
    assert report.errors[2].message == "Required columns missing: types, legal_representative, registered_address."
    assert counts() == before


def test_every_row_error_is_reported_and_nothing_is_written(provincial_user: User) -> None:
    # given one valid row among invalid ones
    good, bad_code, bad_type = enterprise_row(11), enterprise_row(12), enterprise_row(13)
    bad_code["uscc"] = bad_code["uscc"][:-1] + ("0" if bad_code["uscc"][-1] != "0" else "1")
    bad_type["types"] = "drug_wholesaler;florist"
    no_name = {**enterprise_row(14), "name": ""}
    unknown_place = {**enterprise_row(15), "jurisdiction": "999999"}
    before = counts()
    # when
    report = run(
        provincial_user,
        Kind.ENTERPRISES,
        csv_bytes(table(Kind.ENTERPRISES, [good, bad_code, bad_type, no_name, unknown_place])),
    )
    # then
    assert errors_of(report) == [
        (3, "uscc", "invalid_check_character"),
        (4, "types", "enum"),
        (5, "name", "missing"),
        (6, "jurisdiction", "unknown_jurisdiction"),
    ]
    assert (report.accepted, report.created, report.error_count, report.status) == (False, 0, 4, 400)
    assert counts() == before


def test_a_key_twice_in_the_file_is_blamed_on_the_second_row(provincial_user: User) -> None:
    row = enterprise_row(21)
    before = counts()
    report = run(provincial_user, Kind.ENTERPRISES, csv_bytes(table(Kind.ENTERPRISES, [row, enterprise_row(22), row])))
    assert errors_of(report) == [(4, "uscc", "duplicate_in_file")]
    assert report.errors[0].message == f"{row['uscc']} also appears in row 2."
    assert counts() == before


def test_codes_already_in_the_database_are_refused(provincial_user: User, holder: Enterprise) -> None:
    # given a drug whose level-2 GTIN and a device whose DI are registered already
    assert run(provincial_user, Kind.DRUGS, csv_bytes(table(Kind.DRUGS, [drug_row(holder.uscc, 1)]))).created == 1
    assert run(provincial_user, Kind.DEVICES, csv_bytes(table(Kind.DEVICES, [device_row(holder.uscc, 1)]))).created == 1
    second_drug = {**drug_row(holder.uscc, 2), "level2_gtin": drug_row(holder.uscc, 1)["level2_gtin"]}
    second_device = {**device_row(holder.uscc, 2), "identifiers": device_row(holder.uscc, 1)["identifiers"]}
    before = counts()
    # when / then
    drugs = run(provincial_user, Kind.DRUGS, csv_bytes(table(Kind.DRUGS, [second_drug])))
    devices = run(provincial_user, Kind.DEVICES, csv_bytes(table(Kind.DEVICES, [second_device])))
    assert errors_of(drugs) == [(2, "level2_gtin", "duplicate")]
    assert errors_of(devices) == [(2, "identifiers", "duplicate"), (2, "identifiers", "duplicate")]
    assert counts() == before


def test_rows_outside_the_importers_jurisdiction_are_refused(city_user: User) -> None:
    # given a Hangzhou regulator importing an enterprise of Nanjing
    before = counts()
    report = run(
        city_user,
        Kind.ENTERPRISES,
        csv_bytes(table(Kind.ENTERPRISES, [enterprise_row(31), enterprise_row(32, NANJING)])),
    )
    assert errors_of(report) == [(3, "jurisdiction", "outside_jurisdiction")]
    assert counts() == before


def test_product_of_a_holder_in_another_jurisdiction_is_refused(other_province_user: User, holder: Enterprise) -> None:
    before = counts()
    report = run(other_province_user, Kind.COSMETICS, csv_bytes(table(Kind.COSMETICS, [cosmetic_row(holder.uscc, 1)])))
    assert errors_of(report) == [(2, "marketing_authorization_holder", "unknown_enterprise")]
    assert counts() == before


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.MARKETING_AUTHORIZATION_HOLDER, Role.PUBLIC])
def test_only_registry_writers_may_import(db: None, role: Role) -> None:
    user = factories.make_user(f"user_{role}", role, "330000" if role is Role.INSPECTOR else None, uscc(41))
    before = counts()
    with pytest.raises(PermissionDenied):
        run(user, Kind.ENTERPRISES, csv_bytes(table(Kind.ENTERPRISES, [enterprise_row(42)])))
    assert counts() == before


def test_dry_run_validates_without_writing(provincial_user: User) -> None:
    before = counts()
    report = run(
        provincial_user, Kind.ENTERPRISES, csv_bytes(table(Kind.ENTERPRISES, [enterprise_row(51)])), dry_run=True
    )
    assert (report.accepted, report.created, report.valid_rows, report.status) == (True, 0, 1, 200)
    assert counts() == before


def test_the_error_report_is_capped_with_a_count_of_the_rest(provincial_user: User) -> None:
    rows = [{**enterprise_row(60), "uscc": f"BAD{n}"} for n in range(MAX_REPORTED_ERRORS + 200)]
    before = counts()
    report = run(provincial_user, Kind.ENTERPRISES, csv_bytes(table(Kind.ENTERPRISES, rows)))
    assert (len(report.errors), report.error_count) == (MAX_REPORTED_ERRORS, MAX_REPORTED_ERRORS + 200)
    assert report.as_dict()["error_count"] == MAX_REPORTED_ERRORS + 200
    assert report.errors[0].row == 2
    assert counts() == before


def test_formula_protection_apostrophe_is_removed_on_import(provincial_user: User) -> None:
    row = {**enterprise_row(61), "name": "'=杭州公式医药"}
    assert run(provincial_user, Kind.ENTERPRISES, csv_bytes(table(Kind.ENTERPRISES, [row]))).created == 1
    assert Enterprise.objects.get(uscc=row["uscc"]).name == "=杭州公式医药"


def test_blank_rows_are_skipped_but_keep_their_row_numbers(provincial_user: User) -> None:
    header, first = table(Kind.ENTERPRISES, [enterprise_row(71)])
    _, bad = table(Kind.ENTERPRISES, [{**enterprise_row(72), "jurisdiction": "1"}])
    rows = [header, first, [""] * 7, ["", ""], bad]
    report = run(provincial_user, Kind.ENTERPRISES, csv_bytes(rows))
    assert errors_of(report) == [(5, "jurisdiction", "unknown_jurisdiction")]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


SMALL = Limits(max_bytes=200_000, max_rows=3, max_cell_chars=50, max_columns=30, max_uncompressed_bytes=1_000_000)
VALID_CSV = csv_bytes(table(Kind.ENTERPRISES, [enterprise_row(81)]))
MALFORMED = {
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file.csv", "not_text"),
    "control characters": (b"uscc,name\x07\n", "file.csv", "not_text"),
    "not text": (b"\xff\xfe\xfd\xfc" * 4, "file.csv", "unknown_encoding"),
    "empty": (b"  \r\n", "file.csv", "empty_file"),
    "blank header": (b",,\nx,y,z\n", "file.csv", "missing_header"),
    "legacy xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "file.xls", "unsupported_format"),
    "xlsx name, csv content": (VALID_CSV, "file.xlsx", "broken_xlsx"),
    "broken zip": (b"PK\x03\x04" + b"garbage" * 20, "file.xlsx", "broken_xlsx"),
    "zip without workbook": (_zip({"hello.txt": b"hi"}), "file.xlsx", "broken_xlsx"),
    "zip bomb": (_zip({"xl/worksheets/sheet1.xml": b"<a>" + b" " * 2_000_000}), "file.xlsx", "xlsx_too_large"),
    "entities": (
        _zip({"[Content_Types].xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'}),
        "f.xlsx",
        "hostile_xlsx",
    ),
    "too many rows": (
        csv_bytes(table(Kind.ENTERPRISES, [enterprise_row(n) for n in range(90, 94)])),
        "f.csv",
        "too_many_rows",
    ),
    "too many columns": (csv_bytes([[f"c{n}" for n in range(31)]]), "f.csv", "too_many_columns"),
    "too many bytes": (b"uscc\n" + b"x\n" * 100_000, "f.csv", "too_large"),
    "unbalanced quotes": (b'uscc,name\n"abc' + b"x" * 140_000, "f.csv", "malformed_csv"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_files_get_one_clear_error_and_write_nothing(provincial_user: User, case: str) -> None:
    data, filename, code = MALFORMED[case]
    before = counts()
    report = run(provincial_user, Kind.ENTERPRISES, data, filename, limits=SMALL)
    assert errors_of(report) == [(None, "file", code)]
    assert report.errors[0].fix
    assert report.status == (413 if code in ("too_large", "xlsx_too_large") else 400)
    assert counts() == before


def test_a_cell_longer_than_the_limit_is_a_row_error(provincial_user: User) -> None:
    row = {**enterprise_row(95), "registered_address": "长" * 51}
    report = run(provincial_user, Kind.ENTERPRISES, csv_bytes(table(Kind.ENTERPRISES, [row])), limits=SMALL)
    assert errors_of(report) == [(2, "registered_address", "too_long"), (2, "registered_address", "missing")]


def test_an_xlsx_with_a_large_declared_dimension_is_refused_before_reading(provincial_user: User) -> None:
    data = xlsx_bytes(table(Kind.ENTERPRISES, [enterprise_row(96)]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries["xl/worksheets/sheet1.xml"] = entries["xl/worksheets/sheet1.xml"].replace(
        b'ref="A1:G2"', b'ref="A1:G1048576"'
    )
    report = run(provincial_user, Kind.ENTERPRISES, _zip(entries), "f.xlsx", limits=SMALL)
    assert errors_of(report) == [(None, "file", "too_many_rows")]
