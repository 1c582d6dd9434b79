"""Console pages of MedDRA releases: regulators read, the national regulator uploads and activates,
a refused or broken upload stores nothing, the diff page shows the changes; pinned query count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from medreg.core.actor import Actor
from medreg.core.models import AuditRecord, Role, User
from medreg.core.scoping import SYSTEM_SCOPE
from medreg.vigilance.models.meddra import MeddraRelease, MeddraTerm
from medreg.vigilance.services.meddra import load_release_directory
from tests import factories
from tests.vigilance.meddra_fakes import fake_files, next_version_files, write_release, zipped


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _zip_file(files: dict[str, list[str]] | None = None, data: bytes | None = None) -> SimpleUploadedFile:
    content = data if data is not None else zipped(files or fake_files())
    return SimpleUploadedFile("MedDRA_99_0_English.zip", content, content_type="application/zip")


def _load(root: Path, files: dict[str, list[str]], activate: bool = False) -> MeddraRelease:
    return load_release_directory(
        actor=Actor.system(), scope=SYSTEM_SCOPE, root=write_release(root, files), activate=activate
    )


@pytest.mark.django_db
def test_the_national_regulator_uploads_and_activates_through_the_console(national_user: User) -> None:
    client = client_for(national_user)
    page = client.get("/vigilance/meddra/").content.decode()
    assert 'data-testid="meddra-upload"' in page
    assert "尚未加载 MedDRA 版本；当前使用开放的演示术语集。" in page
    # when
    response = client.post("/vigilance/meddra/upload/", {"file": _zip_file()})
    # then
    release = MeddraRelease.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/vigilance/meddra/?loaded={release.pk}")
    assert (release.loaded_by, release.source_name, release.is_active) == (
        national_user,
        "MedDRA_99_0_English.zip",
        False,
    )
    assert AuditRecord.objects.get(action="meddra.load").actor_username == "national"
    page = client.get(f"/vigilance/meddra/?loaded={release.pk}").content.decode()
    assert "版本已加载。" in page
    assert 'data-testid="activate"' in page
    # when
    assert client.post(f"/vigilance/meddra/{release.pk}/activate/").status_code == 302
    # then
    assert MeddraRelease.objects.get().is_active is True
    assert 'data-testid="in-use"' in client.get("/vigilance/meddra/").content.decode()


@pytest.mark.django_db
def test_a_broken_upload_shows_the_file_line_and_field_and_stores_nothing(national_user: User) -> None:
    files = fake_files()
    files["pt.asc"][1] = "90000012$Pretendosis$$90000009$$$$$$$$"
    response = client_for(national_user).post("/vigilance/meddra/upload/", {"file": _zip_file(files)})
    assert response.status_code == 400
    assert "pt.asc, line 2, field pt_soc_code: primary SOC 90000009 is not defined" in response.content.decode()
    assert (MeddraRelease.objects.count(), MeddraTerm.objects.count(), AuditRecord.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_other_regulators_read_but_may_not_load_or_activate(tmp_path: Path, provincial_user: User) -> None:
    release = _load(tmp_path / "a", fake_files())
    client = client_for(provincial_user)
    page = client.get("/vigilance/meddra/").content.decode()
    assert f'data-release="{release.pk}"' in page
    assert 'data-testid="meddra-upload"' not in page
    assert 'data-testid="activate"' not in page
    assert client.post("/vigilance/meddra/upload/", {"file": _zip_file(fake_files(version="99.5"))}).status_code == 403
    assert client.post(f"/vigilance/meddra/{release.pk}/activate/").status_code == 403
    assert (MeddraRelease.objects.count(), MeddraRelease.objects.get().is_active) == (1, False)


@pytest.mark.django_db
def test_enterprises_and_the_public_do_not_see_releases(tmp_path: Path) -> None:
    pharmacy = factories.make_enterprise("杭州丙大药房", "330106", ("retail_pharmacy",))
    user = factories.make_user("pharmacy", Role.RETAIL_PHARMACY, None, pharmacy.uscc)
    assert client_for(user).get("/vigilance/meddra/").status_code == 403
    assert client_for(user).post("/vigilance/meddra/upload/", {"file": _zip_file()}).status_code == 403
    assert Client().get("/vigilance/meddra/").status_code == 302
    assert MeddraRelease.objects.count() == 0


@pytest.mark.django_db
def test_the_diff_page_shows_what_changed(tmp_path: Path, city_user: User) -> None:
    old = _load(tmp_path / "a", fake_files())
    new = _load(tmp_path / "b", next_version_files())
    page = client_for(city_user).get(f"/vigilance/meddra/diff/?old={old.pk}&new={new.pk}").content.decode()
    assert "MedDRA 99.0 English → 99.1 English" in page
    assert '<ul data-testid="made-non-current"><li><code>90000021</code> Fake inflammation' in page
    assert "<li><code>90000012</code> Pretendosis: SOC <code>90000002</code> → <code>90000001</code></li>" in page
    assert "<li>LLT <code>90000023</code> Fake swelling</li>" in page
    assert "<li>PT <code>90000011</code> Fakeitis → Fakeitis nova</li>" in page
    bad = client_for(city_user).get("/vigilance/meddra/diff/?old=x&new=1")
    assert bad.status_code == 400
    assert client_for(city_user).get(f"/vigilance/meddra/diff/?old={old.pk}&new={new.pk + 99}").status_code == 404


@pytest.mark.django_db
def test_the_releases_page_query_count_does_not_grow_with_releases(tmp_path: Path, provincial_user: User) -> None:
    for n, version in enumerate(("99.0", "99.1", "99.2")):
        _load(tmp_path / str(n), fake_files(version=version))
    client = client_for(provincial_user)
    client.get("/vigilance/meddra/")  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/vigilance/meddra/")
    assert response.status_code == 200
    assert len(queries) == 4  # session, user, jurisdiction, releases (with who loaded them)


@pytest.mark.django_db
def test_the_api_refuses_a_broken_upload_with_the_error_shape_and_stores_nothing(national_user: User) -> None:
    files = fake_files()
    files["llt.asc"][0] = "90000011$Fakeitis$90000011$$$$$$$MAYBE$$"
    response = client_for(national_user).post("/api/vigilance/meddra/releases", {"file": _zip_file(files)})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "field": "file",
                "code": "invalid_meddra",
                "message": "llt.asc, line 1, field llt_currency: expected Y or N, found 'MAYBE'",
                "fix": "Load the distribution as MedDRA MSSO ships it (unchanged .asc files), "
                "or correct the named line.",
                "row": 1,
            }
        ]
    }
    assert (MeddraRelease.objects.count(), AuditRecord.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_the_api_uploads_activates_and_diffs(national_user: User) -> None:
    client = client_for(national_user)
    first = client.post("/api/vigilance/meddra/releases", {"file": _zip_file(), "activate": "true"})
    second = client.post("/api/vigilance/meddra/releases", {"file": _zip_file(next_version_files())})
    assert (first.status_code, first.json()["is_active"], second.status_code, second.json()["is_active"]) == (
        201,
        True,
        201,
        False,
    )
    old, new = first.json()["id"], second.json()["id"]
    assert client.post(f"/api/vigilance/meddra/releases/{new}/activate").json()["is_active"] is True
    listed = client.get("/api/vigilance/meddra/releases").json()
    assert [(r["version"], r["is_active"], r["llt_count"]) for r in listed] == [("99.1", True, 5), ("99.0", False, 4)]
    diff = client.get(f"/api/vigilance/meddra/diff?old={old}&new={new}").json()
    assert (diff["old"]["version"], diff["new"]["version"]) == ("99.0", "99.1")
    assert diff["added_by_level"] == {"soc": 0, "hlgt": 0, "hlt": 0, "pt": 0, "llt": 1}
    assert diff["made_non_current"] == {
        "count": 1,
        "rows": [{"code": "90000021", "name": "Fake inflammation", "pt_code": "90000011"}],
    }
    assert diff["moved_primary_soc"]["rows"] == [
        {"code": "90000012", "name": "Pretendosis", "before": "90000002", "after": "90000001"}
    ]
    again = client.post("/api/vigilance/meddra/releases", {"file": _zip_file()})
    assert (again.status_code, again.json()["errors"][0]["code"]) == (409, "already_loaded")


@pytest.mark.django_db
def test_the_api_answers_oversized_uploads_and_unknown_ids_without_a_500(
    national_user: User, provincial_user: User, settings: Any
) -> None:
    settings.MEDREG_MAX_MEDDRA_ZIP_BYTES = 100
    national, provincial = client_for(national_user), client_for(provincial_user)
    too_big = national.post("/api/vigilance/meddra/releases", {"file": _zip_file()})
    assert (too_big.status_code, too_big.json()["errors"][0]["code"]) == (413, "too_large")
    assert provincial.post("/api/vigilance/meddra/releases", {"file": _zip_file()}).status_code == 403
    huge = 10**20
    assert national.post(f"/api/vigilance/meddra/releases/{huge}/activate").status_code == 404
    out_of_range = national.get(f"/api/vigilance/meddra/diff?old={huge}&new=1")
    assert (out_of_range.status_code, out_of_range.json()["errors"][0]["field"]) == (422, "old")
    assert client_for(national_user).post(f"/vigilance/meddra/{huge}/activate/").status_code == 404
    assert MeddraRelease.objects.count() == 0
