"""MedDRA releases in the database: loading (folder, zip, command), history, activation, diff,
who may load, and hostile uploads that must store nothing. FAKE releases only (meddra_fakes)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from medreg.core.actor import Actor
from medreg.core.errors import DomainError
from medreg.core.models import AuditRecord, User
from medreg.core.scoping import SYSTEM_SCOPE, scope_for
from medreg.vigilance import meddra_selectors
from medreg.vigilance.meddra.archive import ArchiveLimits, distribution_checksum, unpack_distribution
from medreg.vigilance.meddra.ascii import MeddraFormatError
from medreg.vigilance.models.meddra import MeddraLink, MeddraPath, MeddraRelease, MeddraSmq, MeddraSmqTerm, MeddraTerm
from medreg.vigilance.services.meddra import activate_release, load_release_directory, upload_release
from tests import factories
from tests.vigilance.meddra_fakes import (
    LEGACY_7,
    fake_files,
    next_version_files,
    synthetic_files,
    write_release,
    zipped,
)

SYSTEM = Actor.system()
MEDDRA_MODELS = (MeddraRelease, MeddraTerm, MeddraLink, MeddraPath, MeddraSmq, MeddraSmqTerm, AuditRecord)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MEDDRA_MODELS}


def _load(tmp_path: Path, files: dict[str, list[str]], name: str = "MedAscii", **kwargs: object) -> MeddraRelease:
    return load_release_directory(
        actor=SYSTEM, scope=SYSTEM_SCOPE, root=write_release(tmp_path / name, files), **kwargs
    )  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_release_is_stored_whole_with_its_counts_and_audit_record(tmp_path: Path) -> None:
    # when
    release = _load(tmp_path, fake_files())
    # then
    assert (release.version, release.language, release.language_code, release.is_active) == (
        "99.0",
        "English",
        "en",
        False,
    )
    assert (release.soc_count, release.hlgt_count, release.hlt_count, release.pt_count, release.llt_count) == (
        2,
        2,
        2,
        2,
        4,
    )
    assert (release.current_llt_count, release.path_count, release.smq_count) == (3, 3, 1)
    assert (release.loaded_by_id, release.loaded_by_name, len(release.source_checksum)) == (None, "system", 64)
    assert _counts() == {
        "MeddraRelease": 1,
        "MeddraTerm": 12,
        "MeddraLink": 7,
        "MeddraPath": 3,
        "MeddraSmq": 1,
        "MeddraSmqTerm": 1,
        "AuditRecord": 1,
    }
    llt = MeddraTerm.objects.get(release=release, level="llt", code="90000022")
    assert (llt.name, llt.pt_code, llt.is_current) == ("Old fake inflammation", "90000011", False)
    pt = MeddraTerm.objects.get(release=release, level="pt", code="90000011")
    assert (pt.pt_code, pt.primary_soc_code) == ("90000011", "90000001")
    assert MeddraTerm.objects.get(release=release, level="soc", code="90000002").abbreviation == "Pret"
    assert sorted(
        MeddraLink.objects.filter(release=release, child_code="90000011").values_list("parent_code", flat=True)
    ) == [
        "90000201",
        "90000202",
    ]
    assert list(
        MeddraPath.objects.filter(release=release, is_primary=True)
        .order_by("pt_code")
        .values_list("pt_code", "soc_code")
    ) == [
        ("90000011", "90000001"),
        ("90000012", "90000002"),
    ]
    smq_term = MeddraSmqTerm.objects.get(release=release)
    assert (smq_term.smq_code, smq_term.term_code, smq_term.term_level, smq_term.scope) == (
        "90020000",
        "90000011",
        4,
        2,
    )
    audit = AuditRecord.objects.get()
    assert (audit.action, audit.object_type, audit.object_id, audit.after["version"]) == (
        "meddra.load",
        "vigilance.MeddraRelease",
        str(release.pk),
        "99.0",
    )


@pytest.mark.django_db
def test_history_is_kept_and_one_release_per_language_is_in_use(tmp_path: Path) -> None:
    # given 99.0 loaded and put in use
    first = _load(tmp_path, fake_files(), "a", activate=True)
    # when 99.1 is loaded, then activated
    second = _load(tmp_path, next_version_files(), "b")
    assert list(MeddraRelease.objects.filter(is_active=True).values_list("version", flat=True)) == ["99.0"]
    activated = activate_release(actor=SYSTEM, scope=SYSTEM_SCOPE, release_id=second.pk)
    # then both versions are kept, 99.1 is in use, and the swap is audited with what it replaced
    assert activated.is_active is True
    assert list(MeddraRelease.objects.order_by("version").values_list("version", "is_active")) == [
        ("99.0", False),
        ("99.1", True),
    ]
    assert MeddraTerm.objects.filter(release=first).count() == 12
    swap = AuditRecord.objects.filter(action="meddra.activate").order_by("position").last()
    assert swap is not None
    assert (swap.object_id, swap.before, swap.after["in_use"]) == (
        str(second.pk),
        {"language": "English", "in_use": "99.0"},
        "99.1",
    )
    assert meddra_selectors.active_release("en") == activated
    assert meddra_selectors.active_release("zh-hans") is None


@pytest.mark.django_db
def test_activating_the_release_in_use_again_changes_nothing(tmp_path: Path) -> None:
    release = _load(tmp_path, fake_files(), activate=True)
    before = _counts()
    assert activate_release(actor=SYSTEM, scope=SYSTEM_SCOPE, release_id=release.pk).is_active is True
    assert _counts() == before


@pytest.mark.django_db
def test_a_chinese_and_an_english_release_are_in_use_side_by_side(tmp_path: Path) -> None:
    files = fake_files(soc_name="虚构器官疾病")
    files["meddra_release.asc"] = ["99.0$Chinese$$$$"]
    chinese = _load(tmp_path, files, "zh", activate=True)
    english = _load(tmp_path, fake_files(), "en", activate=True)
    assert (chinese.language_code, chinese.is_active, english.is_active) == ("zh", True, True)
    assert meddra_selectors.active_release("zh-hans") == chinese


@pytest.mark.django_db
def test_loading_the_same_version_and_language_again_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    _load(tmp_path, fake_files(), "a")
    before = _counts()
    with pytest.raises(DomainError) as raised:
        _load(tmp_path, fake_files(), "b")
    assert (raised.value.status, raised.value.errors[0].code) == (409, "already_loaded")
    assert raised.value.errors[0].message == (
        "MedDRA 99.0 English is already loaded; a loaded release is never replaced."
    )
    assert _counts() == before


@pytest.mark.django_db
def test_a_broken_release_is_refused_naming_file_line_and_field_and_stores_nothing(tmp_path: Path) -> None:
    files = fake_files()
    files["llt.asc"].append("90000031$Orphan$90000099$$$$$$$Y$$")
    with pytest.raises(DomainError) as raised:
        _load(tmp_path, files)
    error = raised.value.errors[0]
    assert (error.field, error.code, error.row) == ("file", "invalid_meddra", 5)
    assert error.message == "llt.asc, line 5, field pt_code: PT 90000099 is not defined"
    assert _counts() == dict.fromkeys(_counts(), 0)


@pytest.mark.django_db
def test_only_the_national_regulator_loads_and_activates(
    tmp_path: Path, provincial_user: User, national_user: User
) -> None:
    root = write_release(tmp_path / "MedAscii", fake_files())
    with pytest.raises(DomainError) as raised:
        load_release_directory(actor=Actor(provincial_user), scope=scope_for(provincial_user), root=root)
    assert raised.value.status == 403
    assert _counts() == dict.fromkeys(_counts(), 0)
    release = load_release_directory(actor=Actor(national_user), scope=scope_for(national_user), root=root)
    assert (release.loaded_by, release.loaded_by_name) == (national_user, "national")
    with pytest.raises(DomainError) as raised:
        activate_release(actor=Actor(provincial_user), scope=scope_for(provincial_user), release_id=release.pk)
    assert raised.value.status == 403
    assert MeddraRelease.objects.get().is_active is False


@pytest.mark.django_db
def test_the_diff_names_every_kind_of_change(tmp_path: Path) -> None:
    # given 99.0 and 99.1 (see next_version_files)
    old = _load(tmp_path, fake_files(), "a")
    new = _load(tmp_path, next_version_files(), "b")
    # when
    diff = meddra_selectors.release_diff(SYSTEM_SCOPE, old.pk, new.pk)
    # then
    assert diff.added_by_level == {"soc": 0, "hlgt": 0, "hlt": 0, "pt": 0, "llt": 1}
    assert diff.removed_by_level == {"soc": 0, "hlgt": 0, "hlt": 0, "pt": 0, "llt": 0}
    assert diff.added.rows == [{"level": "llt", "code": "90000023", "name": "Fake swelling"}]
    assert (diff.removed.count, diff.removed.rows) == (0, [])
    assert diff.made_non_current.rows == [{"code": "90000021", "name": "Fake inflammation", "pt_code": "90000011"}]
    assert diff.made_current.count == 0
    assert diff.moved_primary_soc.rows == [
        {"code": "90000012", "name": "Pretendosis", "before": "90000002", "after": "90000001"}
    ]
    assert diff.moved_to_other_pt.count == 0
    assert diff.renamed.rows == [
        {"level": "pt", "code": "90000011", "old_name": "Fakeitis", "name": "Fakeitis nova"},
        {"level": "llt", "code": "90000011", "old_name": "Fakeitis", "name": "Fakeitis nova"},
    ]
    # and backwards: the LLT is removed, made current again, the SOC moves back
    back = meddra_selectors.release_diff(SYSTEM_SCOPE, new.pk, old.pk)
    assert (back.removed.rows, back.made_current.count, back.moved_primary_soc.rows[0]["after"]) == (
        [{"level": "llt", "code": "90000023", "name": "Fake swelling"}],
        1,
        "90000002",
    )


@pytest.mark.django_db
def test_the_diff_is_for_regulators_only(tmp_path: Path) -> None:
    release = _load(tmp_path, fake_files())
    enterprise_user = factories.make_user("pharmacy", "retail_pharmacy", None, "91330106MA2AAAAAA0")
    with pytest.raises(DomainError) as raised:
        meddra_selectors.release_diff(scope_for(enterprise_user), release.pk, release.pk)
    assert raised.value.status == 403
    with pytest.raises(DomainError) as raised:
        meddra_selectors.release_diff(SYSTEM_SCOPE, release.pk, release.pk + 1000)
    assert raised.value.status == 404


@pytest.mark.django_db
def test_the_command_loads_lists_and_activates(tmp_path: Path) -> None:
    root = write_release(tmp_path / "MedDRA_99_0" / "MedAscii", fake_files())
    out = io.StringIO()
    call_command("meddra", "load", str(root.parent), "--activate", stdout=out)
    release = MeddraRelease.objects.get()
    assert out.getvalue().startswith(f"MedDRA 99.0 English loaded as #{release.pk} in ")
    assert out.getvalue().endswith("2 SOC, 2 HLGT, 2 HLT, 2 PT, 4 LLT (3 current), 3 paths, 1 SMQs; in use\n")
    listing = io.StringIO()
    call_command("meddra", "list", stdout=listing)
    assert listing.getvalue().startswith(f"* #{release.pk} 99.0 English loaded ")
    with pytest.raises(CommandError, match="already loaded"):
        call_command("meddra", "load", str(root.parent), stdout=io.StringIO())
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("meddra", "load", str(tmp_path / "missing"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="No MedDRA release with this identifier"):
        call_command("meddra", "activate", str(release.pk + 1000), stdout=io.StringIO())


# -- uploads ---------------------------------------------------------------------------------------


def _upload(data: bytes, filename: str = "meddra.zip", activate: bool = False) -> MeddraRelease:
    return upload_release(actor=SYSTEM, scope=SYSTEM_SCOPE, data=data, filename=filename, activate=activate)


@pytest.mark.django_db
def test_a_zipped_distribution_is_loaded_with_the_checksum_of_its_unpacked_folder(tmp_path: Path) -> None:
    # given the same .asc bytes zipped and in a folder
    entries = _asc(fake_files())
    (tmp_path / "MedAscii").mkdir()
    for name, data in entries.items():
        (tmp_path / name).write_bytes(data)
    # when
    release = _upload(_zip(entries), activate=True)
    # then
    assert (release.version, release.source_name, release.is_active, release.llt_count) == (
        "99.0",
        "meddra.zip",
        True,
        4,
    )
    assert release.source_checksum == distribution_checksum(tmp_path / "MedAscii")


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _asc(files: dict[str, list[str]], folder: str = "MedAscii/") -> dict[str, bytes]:
    return {f"{folder}{name}": ("\r\n".join(lines) + "\r\n").encode() for name, lines in files.items()}


HOSTILE_UPLOADS = [
    ("not a zip", b"llt.asc is here", "archive: the file is not a zip archive; zip the MedDRA release folder"),
    ("damaged zip", b"PK\x03\x04" + b"\x00" * 60, "archive: the zip archive is damaged"),
    (
        "path traversal",
        _zip({**_asc(fake_files()), "../../etc/llt.asc": b"x"}),
        "../../etc/llt.asc: the entry's path leaves the archive; refused",
    ),
    (
        "absolute path",
        _zip({**_asc(fake_files()), "/tmp/evil.asc": b"x"}),
        "/tmp/evil.asc: the entry's path leaves the archive; refused",
    ),
    (
        "zip bomb",
        _zip({**_asc(fake_files()), "MedAscii/padding.asc": b"0" * 5_000_000}),
        "MedAscii/padding.asc: compression ratio over 200:1 (a zip bomb?); refused",
    ),
    (
        "no release folder",
        _zip({"MedAscii/pt.asc": b"1$x$$1$$$$$$$$\r\n"}),
        "archive: expected exactly one folder holding llt.asc, found none; zip one MedDRA release",
    ),
    (
        "two releases",
        _zip({**_asc(fake_files()), **_asc(fake_files(), "Other/")}),
        "archive: expected exactly one folder holding llt.asc, found MedAscii/, Other/; zip one MedDRA release",
    ),
    (
        "same file twice in other case",
        _zip({**_asc(fake_files()), "MedAscii/LLT.ASC": b"x"}),
        "archive: llt.asc appear(s) twice in MedAscii/",
    ),
    (
        "wrong encoding",
        _zip({**_asc(fake_files()), "MedAscii/pt.asc": b"90000011$\xff\xfe\x80$$90000001$$$$$$$$\r\n"}),
        "pt.asc: cannot decode as utf-8-sig or gb18030; pass the encoding",
    ),
    (
        "binary inside",
        _zip({**_asc(fake_files()), "MedAscii/hlt.asc": b"90000201$Fake\x00itis$$$$$$$$\r\n"}),
        "hlt.asc, line 1: control character U+0000 in the text; the file is damaged or not a MedDRA file",
    ),
    (
        "broken line",
        _zip({**_asc(fake_files()), "MedAscii/hlgt.asc": f"90000101$Fake HLGT${LEGACY_7}\r\n90000102$x$\r\n".encode()}),
        "hlgt.asc, line 2: expected 9 fields (hlgt_code, hlgt_name, whoart_code, harts_code, costart_sym, "
        "icd9_code, icd9cm_code, icd10_code, jart_code), found 2",
    ),
    (
        "code too long",
        _zip({**_asc(fake_files()), "MedAscii/soc.asc": f"900000010$Fake$F${LEGACY_7}\r\n".encode()}),
        "soc.asc, line 1, field soc_code: code must be 1 to 8 digits, found '900000010'",
    ),
    (
        "name too long",
        _zip({**_asc(fake_files()), "MedAscii/hlt.asc": f"90000201${'x' * 300}${LEGACY_7}\r\n".encode()}),
        "hlt.asc, line 1, field hlt_name: name must have 1 to 255 characters, found 300",
    ),
    (
        "bad version",
        _zip({**_asc(fake_files()), "MedAscii/meddra_release.asc": b"v27; DROP$English$$$$"}),
        "meddra_release.asc, line 1, field version: the release version must look like 27.0, found 'v27; DROP'",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "data", "message"), HOSTILE_UPLOADS, ids=[h[0] for h in HOSTILE_UPLOADS])
def test_a_hostile_upload_is_refused_with_a_clear_error_and_stores_nothing(
    label: str, data: bytes, message: str
) -> None:
    before = _counts()
    with pytest.raises(DomainError) as raised:
        _upload(data)
    error = raised.value.errors[0]
    assert (raised.value.status, error.field, error.code) == (400, "file", "invalid_meddra")
    assert error.message.startswith(message), error.message
    assert _counts() == before


def test_an_archive_that_unpacks_to_more_than_allowed_is_refused(tmp_path: Path) -> None:
    data = _zip(_asc(fake_files()))
    with pytest.raises(MeddraFormatError, match=r"^archive: unpacks to 1,145 bytes; at most 1,000 are accepted$"):
        unpack_distribution(data, tmp_path, ArchiveLimits(max_unpacked_bytes=1000))
    with pytest.raises(MeddraFormatError, match=r"^archive: 13 entries; at most 5 are accepted$"):
        unpack_distribution(data, tmp_path, ArchiveLimits(max_entries=5))
    assert list(tmp_path.iterdir()) == []


def test_an_entry_that_unpacks_to_more_than_declared_is_stopped(tmp_path: Path) -> None:
    # given a stored (uncompressed) entry whose header claims 10 bytes but holds 5,000
    data = bytearray(_zip({"MedAscii/llt.asc": b"y" * 5000}, zipfile.ZIP_STORED))
    # when the sizes in the local header and the central directory are falsified
    for offset in (data.find(b"PK\x03\x04") + 22, data.find(b"PK\x01\x02") + 24):
        data[offset : offset + 4] = (10).to_bytes(4, "little")
    # then nothing past the declared size is written: zipfile stops (CRC) or our budget does
    with pytest.raises(MeddraFormatError):
        unpack_distribution(bytes(data), tmp_path, ArchiveLimits(max_unpacked_bytes=100))


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_before_unpacking(settings: Any) -> None:
    settings.MEDREG_MAX_MEDDRA_ZIP_BYTES = 100
    with pytest.raises(DomainError) as raised:
        _upload(zipped(fake_files()))
    assert (raised.value.status, raised.value.errors[0].code) == (413, "too_large")
    assert MeddraRelease.objects.count() == 0


@pytest.mark.django_db(transaction=False)
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_are_refused_cleanly(data: bytes) -> None:
    with pytest.raises(DomainError) as raised:
        _upload(data)
    assert raised.value.errors[0].code == "invalid_meddra"
    assert MeddraRelease.objects.count() == 0


LINE = st.text(alphabet=st.sampled_from("90001$YNx é汉\t"), max_size=40)


@pytest.mark.django_db(transaction=False)
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(fake_files())), lines=st.lists(LINE, max_size=4))
def test_mangled_files_load_or_are_refused_naming_a_file(name: str, lines: list[str]) -> None:
    # given one file of the fake release replaced by arbitrary lines of MedDRA-like characters
    files = fake_files(version="98.0") | {name: lines}
    # when
    refusal: DomainError | None = None
    try:
        release = _upload(_zip(_asc(files)))
    except DomainError as error:
        refusal = error
    if refusal is not None:
        # then either a clear refusal naming a file, with nothing stored ...
        assert refusal.errors[0].code == "invalid_meddra"
        assert refusal.errors[0].message.split(":")[0].split(",")[0].endswith(".asc")
        assert MeddraRelease.objects.count() == 0
    else:
        # ... or a release whose counts match its rows
        assert MeddraTerm.objects.filter(release=release).count() == sum(
            (release.soc_count, release.hlgt_count, release.hlt_count, release.pt_count, release.llt_count)
        )
        release.delete()


@pytest.mark.django_db
def test_the_synthetic_benchmark_release_loads_with_the_expected_counts(tmp_path: Path) -> None:
    # given the benchmark's generator at a small size: 200 PTs, 3.3 LLTs each, every tenth PT under two HLTs
    release = _load(tmp_path, synthetic_files(pts=200))
    # then
    counts = (release.soc_count, release.hlgt_count, release.hlt_count, release.pt_count, release.llt_count)
    assert counts == (27, 337, 1737, 200, 660)
    assert (release.current_llt_count, release.path_count, release.smq_count) == (568, 220, 230)
    assert MeddraSmqTerm.objects.filter(release=release).count() == 800
    assert MeddraLink.objects.filter(release=release).count() == 337 + 1737 + 220
