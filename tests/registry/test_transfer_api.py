"""The transfer endpoints and the CLI: permissions, status codes, error shape, scoped exports and
the export -> re-import round trip."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from medreg.core.models import Role, User
from medreg.registry.importing import COLUMNS, Kind
from medreg.registry.models import Cosmetic, Device, Drug, Enterprise, Licence
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

BASE = "/api/registry/transfer"


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def upload(client: Client, kind: str, data: bytes, name: str = "file.csv", query: str = ""):  # type: ignore[no-untyped-def]
    return client.post(f"{BASE}/{kind}/import{query}", {"file": SimpleUploadedFile(name, data)})


def export(client: Client, kind: str, fmt: str) -> bytes:
    response = client.get(f"{BASE}/{kind}/export?format={fmt}")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]


def rows_of(content: bytes, fmt: str) -> list[list[str]]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [["" if v is None else str(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]


ENTERPRISES_CSV = csv_bytes(table(Kind.ENTERPRISES, [enterprise_row(1), enterprise_row(2)]))

PERMISSIONS = [
    # (who, status, error code)
    ("anonymous", 403, "forbidden"),
    ("enterprise", 403, "forbidden"),
    ("inspector", 403, "forbidden"),
    ("other_province", 400, "outside_jurisdiction"),
    ("provincial", 201, None),
    ("national", 201, None),
]


def make(who: str) -> User | None:
    users = {
        "enterprise": (Role.MARKETING_AUTHORIZATION_HOLDER, None, uscc(9)),
        "inspector": (Role.INSPECTOR, "330000", ""),
        "other_province": (Role.PROVINCIAL_REGULATOR, "320000", ""),
        "provincial": (Role.PROVINCIAL_REGULATOR, "330000", ""),
        "national": (Role.NATIONAL_REGULATOR, "000000", ""),
    }
    if who == "anonymous":
        return None
    role, jurisdiction, enterprise_code = users[who]
    return factories.make_user(who, role, jurisdiction, enterprise_code)


@pytest.mark.parametrize(("who", "status", "code"), PERMISSIONS)
def test_import_permission_matrix(db: None, who: str, status: int, code: str | None) -> None:
    client = client_for(make(who))
    before = counts()
    response = upload(client, "enterprises", ENTERPRISES_CSV)
    assert response.status_code == status
    if code is None:
        assert response.json() == {"created": 2, "valid_rows": 2, "dry_run": False}
        assert counts()["Enterprise"] == before["Enterprise"] + 2
        return
    assert {e["code"] for e in response.json()["errors"]} == {code}
    assert counts() == before


def test_refused_import_answers_every_error_with_its_row(provincial_user: User) -> None:
    bad = {**enterprise_row(3), "jurisdiction": "999999", "status": "asleep"}
    before = counts()
    response = upload(
        client_for(provincial_user), "enterprises", csv_bytes(table(Kind.ENTERPRISES, [enterprise_row(4), bad]))
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error_count"] == 1
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [(3, "status", "enum")]
    assert set(body["errors"][0]) == {"row", "field", "code", "message", "fix"}
    assert counts() == before


def test_dry_run_answers_200_and_writes_nothing(provincial_user: User) -> None:
    before = counts()
    response = upload(client_for(provincial_user), "enterprises", ENTERPRISES_CSV, query="?dry_run=true")
    assert (response.status_code, response.json()) == (200, {"created": 0, "valid_rows": 2, "dry_run": True})
    assert counts() == before


def test_too_large_upload_answers_413(provincial_user: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MEDREG_MAX_UPLOAD_BYTES = 100
    before = counts()
    response = upload(client_for(provincial_user), "enterprises", ENTERPRISES_CSV)
    assert response.status_code == 413
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("file", "too_large")]
    assert counts() == before


def test_junk_file_answers_400_with_one_error(provincial_user: User) -> None:
    response = upload(client_for(provincial_user), "drugs", b"PK\x03\x04\x00junk", "drugs.xlsx")
    assert response.status_code == 400
    assert response.json()["error_count"] == 1
    assert response.json()["errors"][0]["code"] == "broken_xlsx"


def test_unknown_kind_and_missing_file_are_refused(provincial_user: User) -> None:
    client = client_for(provincial_user)
    assert upload(client, "vaccines", ENTERPRISES_CSV).status_code == 422
    assert client.post(f"{BASE}/enterprises/import", {}).status_code == 422
    assert client.get(f"{BASE}/enterprises/export?format=pdf").status_code == 422


def test_csv_export_has_a_bom_the_import_columns_and_only_scoped_rows(provincial_user: User) -> None:
    # given an enterprise in Zhejiang and one in Jiangsu
    zhejiang = factories.make_enterprise("浙江甲药业有限公司")
    factories.make_enterprise("南京乙药业有限公司", NANJING)
    # when
    content = export(client_for(provincial_user), "enterprises", "csv")
    # then
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS[Kind.ENTERPRISES].names)
    assert [row[0] for row in rows[1:]] == [zhejiang.uscc]


def test_xlsx_export_has_the_import_columns(provincial_user: User) -> None:
    factories.make_enterprise("浙江丙药业有限公司")
    workbook = openpyxl.load_workbook(
        io.BytesIO(export(client_for(provincial_user), "enterprises", "xlsx")), read_only=True
    )
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == list(COLUMNS[Kind.ENTERPRISES].names)
    assert rows[1][1:] == [
        "浙江丙药业有限公司",
        "drug_wholesaler",
        "张三",
        "浙江丙药业有限公司地址",
        "330106",
        "active",
    ]


def _load_everything(client: Client) -> None:
    holder, other = uscc(101), uscc(102)
    enterprises = [enterprise_row(101), {**enterprise_row(102), "name": "=HYPERLINK(x)"}]
    files = {
        Kind.ENTERPRISES: enterprises,
        Kind.LICENCES: [licence_row(holder, 1), {**licence_row(other, 2), "valid_until": ""}],
        Kind.DRUGS: [drug_row(holder, 1), {**drug_row(holder, 2), "manufacturers": f"{holder};{other}"}],
        Kind.DEVICES: [device_row(holder, 1), device_row(other, 2)],
        Kind.COSMETICS: [cosmetic_row(holder, 1), cosmetic_row(other, 2)],
    }
    for kind, rows in files.items():
        response = upload(client, kind.value, csv_bytes(table(kind, rows)))
        assert (response.status_code, response.json()) == (201, {"created": 2, "valid_rows": 2, "dry_run": False}), (
            kind,
            response.json(),
        )


def _delete_registry() -> None:
    for model in (Cosmetic, Device, Drug, Licence, Enterprise):
        model.objects.all().delete()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_re_imports_into_an_empty_registry(national_user: User, fmt: str) -> None:
    # given every kind loaded and exported
    client = client_for(national_user)
    _load_everything(client)
    exported = {kind: export(client, kind.value, fmt) for kind in Kind}
    # when the registry is emptied and the exports are imported again
    _delete_registry()
    for kind in Kind:
        response = upload(client, kind.value, exported[kind], f"{kind.value}.{fmt}")
        assert (response.status_code, response.json()) == (201, {"created": 2, "valid_rows": 2, "dry_run": False}), (
            kind,
            response.json(),
        )
    # then exporting again gives the same rows
    assert {kind: rows_of(export(client, kind.value, fmt), fmt) for kind in Kind} == {
        kind: rows_of(exported[kind], fmt) for kind in Kind
    }
    assert len(rows_of(exported[Kind.DRUGS], fmt)) == 3
    assert Enterprise.objects.get(uscc=uscc(102)).name == "=HYPERLINK(x)"


def cli(*args: str) -> tuple[str, str]:
    """Run the command in-process (call_command keeps the test's database connection open)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("registry_import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_imports_a_file(db: None, tmp_path: Path) -> None:
    path = tmp_path / "enterprises.csv"
    path.write_bytes(ENTERPRISES_CSV)
    assert cli("enterprises", str(path)) == ("2 enterprises imported\n", "")
    assert sorted(Enterprise.objects.values_list("uscc", flat=True)) == [uscc(1), uscc(2)]


def test_cli_dry_run_writes_nothing(db: None, tmp_path: Path) -> None:
    path = tmp_path / "enterprises.xlsx"
    path.write_bytes(xlsx_bytes(table(Kind.ENTERPRISES, [enterprise_row(1), enterprise_row(2)])))
    before = counts()
    assert cli("enterprises", str(path), "--dry-run") == ("2 enterprises valid (dry run, nothing written)\n", "")
    assert counts() == before


def test_cli_refusal_prints_the_report_and_exits_1(db: None, tmp_path: Path) -> None:
    path = tmp_path / "enterprises.csv"
    path.write_bytes(csv_bytes(table(Kind.ENTERPRISES, [{**enterprise_row(5), "jurisdiction": "999999"}])))
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("registry_import", "enterprises", str(path), stderr=err)
    assert (refused.value.returncode, str(refused.value)) == (1, "import refused: 1 error(s); nothing was written")
    assert err.getvalue() == (
        "row 2  jurisdiction  [unknown_jurisdiction]  '999999' is not a GB/T 2260 division code known to the "
        "platform.  Fix: Use a current six-digit county-level code.\n"
    )
    assert counts() == before


def test_cli_unreadable_file_is_a_clear_error(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"cannot read .*missing\.csv: No such file or directory"):
        cli("enterprises", str(tmp_path / "missing.csv"))
