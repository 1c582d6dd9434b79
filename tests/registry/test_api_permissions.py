"""The permission matrix: every API endpoint against every kind of caller.

One table says, for each endpoint, what each caller gets. The test checks the status code, the
error shape, and that a refused request wrote nothing (no row in any registry table, no audit
record). A second test checks that the table covers every operation in the OpenAPI schema, so a
new endpoint cannot be added without its row here.
"""

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from medreg.api import api, epcis_api
from medreg.core.actor import Actor
from medreg.core.models import ApiToken, Role, User
from medreg.core.scoping import SYSTEM_SCOPE, scope_for
from medreg.core.tokens import issue_token
from medreg.registry.models import Cosmetic, Device
from medreg.trace.models import Alert, CaptureJob, Pack
from medreg.vigilance.forms_variants import DeviceReportForm
from medreg.vigilance.models import Case as VigilanceCase
from medreg.vigilance.models.signal import Signal, SignalRun
from medreg.vigilance.services.meddra import load_release_directory
from medreg.vigilance.services.variants import submit_variant_report
from tests import factories
from tests.vigilance.factories import e2b_xml, make_report, send
from tests.vigilance.meddra_fakes import fake_files, next_version_files, write_release, zipped

ACTORS = (
    "anonymous",
    "public",
    "own_enterprise",
    "other_enterprise",
    "inspector",
    "other_county",
    "city",
    "province",
    "other_province",
    "national",
)


@dataclass
class World:
    """Two enterprises in 杭州市西湖区 (A, with a licence, a drug, a device, a cosmetic) and one in 南京 (B)."""

    a: Any
    b: Any
    licence_a: Any
    licence_b: Any
    job_a: Any = None
    alert_a: Any = None
    case_a: Any = None
    case_drug_a: Any = None
    device_case_a: Any = None
    signal_a: Any = None
    meddra_old: Any = None
    meddra_new: Any = None
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)


def _build_world() -> World:
    a = factories.make_enterprise(
        "杭州甲药业有限公司", "330106", ("marketing_authorization_holder", "drug_manufacturer")
    )
    b = factories.make_enterprise("南京乙医药有限公司", "320102", ("marketing_authorization_holder",))
    c = factories.make_enterprise("宁波丙大药房有限公司", "330203", ("retail_pharmacy",))
    world = World(
        a=a, b=b, licence_a=factories.make_licence(a, "浙AA5710001"), licence_b=factories.make_licence(b, "苏AA0250001")
    )
    factories.make_drug(a, "国药准字H20051234", code="8612345")
    factories.make_drug(b, "国药准字H20060001", name="布洛芬片", code="8612346")
    _make_device_and_cosmetic(a)
    _make_traceability(world)
    users = {
        "public": ("public", Role.PUBLIC, None, ""),
        "own_enterprise": ("ent_a", Role.MARKETING_AUTHORIZATION_HOLDER, None, a.uscc),
        "other_enterprise": ("ent_c", Role.RETAIL_PHARMACY, None, c.uscc),
        "inspector": ("insp", Role.INSPECTOR, "330100", ""),
        "other_county": ("haishu", Role.COUNTY_REGULATOR, "330203", ""),
        "city": ("hz", Role.CITY_REGULATOR, "330100", ""),
        "province": ("zj", Role.PROVINCIAL_REGULATOR, "330000", ""),
        "other_province": ("js", Role.PROVINCIAL_REGULATOR, "320000", ""),
        "national": ("nmpa", Role.NATIONAL_REGULATOR, "000000", ""),
    }
    for actor, (username, role, division, enterprise) in users.items():
        user = factories.make_user(username, role, division, enterprise)
        token, plaintext = issue_token(actor=Actor.system(), user=user, name="matrix")
        world.tokens[actor], world.token_ids[actor] = plaintext, token.pk
    _make_vigilance_case(world)
    _make_device_case(world)
    _make_signal(world)
    _make_meddra(world)
    return world


def _make_meddra(world: World) -> None:
    """Two FAKE MedDRA releases: 99.0 in use, 99.1 loaded."""
    with tempfile.TemporaryDirectory() as folder:
        old = write_release(Path(folder, "a"), fake_files())
        new = write_release(Path(folder, "b"), next_version_files())
        world.meddra_old = load_release_directory(actor=Actor.system(), scope=SYSTEM_SCOPE, root=old, activate=True)
        world.meddra_new = load_release_directory(actor=Actor.system(), scope=SYSTEM_SCOPE, root=new)


def _make_device_and_cosmetic(holder: Any) -> None:
    Device.objects.create(
        number="浙械注准20152220001",
        name="电子血压计",
        device_class="II",
        marketing_authorization_holder=holder,
        approved_on=dt.date(2015, 3, 1),
    )
    Cosmetic.objects.create(
        number="国妆特字G20190001",
        name="防晒乳",
        category="special",
        marketing_authorization_holder=holder,
        approved_on=dt.date(2019, 1, 1),
    )


def _make_traceability(world: World) -> None:
    a, path = world.a, world.a.jurisdiction.path
    world.job_a = CaptureJob.objects.create(
        sender_enterprise_code=a.uscc,
        jurisdiction_path=path,
        format="json",
        document=b"{}",
        size_bytes=2,
        status="succeeded",
    )
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    Pack.objects.create(
        key="gs1:01/06901234000016/21/1",
        gtin="06901234000016",
        serial="1",
        lot="L1",
        approval_number="国药准字H20051234",
        status="received",
        holder_enterprise_code=a.uscc,
        commissioned_by_enterprise_code=a.uscc,
        jurisdiction_path=path,
        commissioned_at=now,
        updated_at=now,
    )
    world.alert_a = Alert.objects.create(
        rule="dispensed_twice",
        severity="high",
        jurisdiction_path=path,
        jurisdiction_code="330106",
        pack_key="gs1:01/06901234000016/21/1",
        message="twice",
    )


def _make_vigilance_case(world: World) -> None:
    """An adverse reaction case sent by A's holder account, naming A's drug (proposed match)."""
    sender = User.objects.get(username="ent_a")
    send(sender, make_report("CN-MATRIX-1", drug_name="阿莫西林胶囊"))
    world.case_a = VigilanceCase.objects.get(worldwide_case_id="CN-MATRIX-1")
    world.case_drug_a = world.case_a.drugs.get(sequence=1)


def _make_device_case(world: World) -> None:
    """A device adverse event sent by A's holder account about A's device (proposed match)."""
    user = User.objects.get(username="ent_a")
    form = DeviceReportForm(DEVICE_REPORT)
    assert form.is_valid(), form.errors
    stored = submit_variant_report(
        actor=Actor(user=user), scope=scope_for(user), family="device", channel="enterprise", data=form.cleaned_data
    )
    world.device_case_a = VigilanceCase.objects.get(pk=stored.case_id)


DEVICE_REPORT = {
    "device_name": "电子血压计",
    "certificate_number": "浙械注准20152220001",
    "event_type": "malfunction",
    "event_date": "2026-02-20",
    "awareness_date": "2026-02-21",
    "device_problem": "袖带漏气",
    "use_location": "home",
    "operator": "patient",
    "reporter_name": "质量部",
}


def _device_csv() -> SimpleUploadedFile:
    header = ",".join(DEVICE_REPORT)
    return _csv(f"{header}\n{','.join(DEVICE_REPORT.values())}\n")


def _make_signal(world: World) -> None:
    """A Zhejiang provincial signal naming case A, detected by a finished provincial run."""
    run = SignalRun.objects.create(
        jurisdiction_path="/000000/330000/",
        jurisdiction_code="330000",
        run_date=dt.date(2026, 3, 1),
        status="succeeded",
    )
    world.signal_a = Signal.objects.create(
        product_key="阿莫西林胶囊",
        reaction_key="10019211",
        product_family="drug",
        jurisdiction_path=run.jurisdiction_path,
        jurisdiction_code="330000",
        detected_by=run,
    )
    world.signal_a.cases.add(world.case_a)


def _e2b_file() -> SimpleUploadedFile:
    xml = e2b_xml(make_report("CN-MATRIX-2"))
    return SimpleUploadedFile("batch.xml", xml, content_type="application/xml")


EMPTY_EPCIS = {
    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2026-03-01T08:00:00+08:00",
    "epcisBody": {"eventList": []},
}
REGULATORS_OF_A = {"inspector": 200, "city": 200, "province": 200, "national": 200}
EVERY_REGULATOR = {"other_county": 200, "city": 200, "province": 200, "other_province": 200, "national": 200}


def _new_enterprise(division: str) -> dict[str, Any]:
    return {
        "uscc": factories.uscc(division),
        "name": "新注册医药有限公司",
        "types": ["drug_wholesaler"],
        "legal_representative": "李四",
        "registered_address": "杭州市西湖区文三路1号",
        "jurisdiction": division,
    }


@dataclass(frozen=True)
class Case:
    """One endpoint: how to call it and what each caller gets (others get `default`)."""

    method: str
    path: str  # OpenAPI path, for the coverage check
    url: Callable[[World], str]
    expected: dict[str, int]
    default: int
    body: Callable[[World], dict[str, Any]] | None = None
    writes: bool = False
    audited: bool = True
    multipart: bool = False


READERS_OF_A = {
    "anonymous": 200,
    "public": 200,
    "own_enterprise": 200,
    "inspector": 200,
    "city": 200,
    "province": 200,
    "national": 200,
}
ZJ_WRITERS = {"city": 201, "province": 201, "national": 201}
REFUSED_WRITERS = {"anonymous": 403, "public": 403, "own_enterprise": 403, "other_enterprise": 403, "inspector": 403}

CASES = [
    Case("GET", "/api/core/me", lambda w: "/api/core/me", {}, 200),
    Case("GET", "/api/core/jurisdictions", lambda w: "/api/core/jurisdictions?parent=330000", {}, 200),
    Case("GET", "/api/core/tokens", lambda w: "/api/core/tokens", {"anonymous": 403}, 200),
    Case(
        "POST",
        "/api/core/tokens",
        lambda w: "/api/core/tokens",
        {"anonymous": 403},
        201,
        body=lambda w: {"name": "erp"},
        writes=True,
    ),
    Case(
        "DELETE",
        "/api/core/tokens/{token_id}",
        lambda w: f"/api/core/tokens/{w.token_ids['own_enterprise']}",
        {"anonymous": 403, "own_enterprise": 204},
        404,
        writes=True,
    ),
    Case("GET", "/api/registry/enterprises", lambda w: "/api/registry/enterprises", {}, 200),
    Case(
        "GET", "/api/registry/enterprises/{uscc}", lambda w: f"/api/registry/enterprises/{w.a.uscc}", READERS_OF_A, 404
    ),
    Case(
        "POST",
        "/api/registry/enterprises",
        lambda w: "/api/registry/enterprises",
        {**REFUSED_WRITERS, **ZJ_WRITERS},
        400,
        body=lambda w: _new_enterprise("330106"),
        writes=True,
    ),
    Case(
        "PATCH",
        "/api/registry/enterprises/{uscc}",
        lambda w: f"/api/registry/enterprises/{w.a.uscc}",
        {**REFUSED_WRITERS, "city": 200, "province": 200, "national": 200},
        404,
        body=lambda w: {"version": 1, "legal_representative": "王五"},
        writes=True,
    ),
    Case("GET", "/api/registry/licences", lambda w: "/api/registry/licences", {}, 200),
    Case(
        "GET",
        "/api/registry/licences/{licence_id}",
        lambda w: f"/api/registry/licences/{w.licence_a.pk}",
        READERS_OF_A,
        404,
    ),
    Case(
        "POST",
        "/api/registry/licences",
        lambda w: "/api/registry/licences",
        {**REFUSED_WRITERS, **ZJ_WRITERS},
        400,
        writes=True,
        body=lambda w: {
            "enterprise": w.a.uscc,
            "kind": "drug_retail",
            "number": "浙CB5710009",
            "scope": "中成药",
            "issued_by": "330100",
            "issued_on": "2024-01-02",
            "valid_until": "2029-01-01",
        },
    ),
    Case(
        "POST",
        "/api/registry/licences/{licence_id}/status",
        lambda w: f"/api/registry/licences/{w.licence_a.pk}/status",
        {**REFUSED_WRITERS, "city": 200, "province": 200, "national": 200},
        404,
        writes=True,
        body=lambda w: {"version": 1, "status": "suspended", "reason": "飞行检查发现严重缺陷"},
    ),
    Case("GET", "/api/registry/drugs", lambda w: "/api/registry/drugs", {}, 200),
    Case(
        "GET",
        "/api/registry/drugs/{approval_number}",
        lambda w: "/api/registry/drugs/国药准字H20051234",
        READERS_OF_A,
        404,
    ),
    Case(
        "POST",
        "/api/registry/drugs",
        lambda w: "/api/registry/drugs",
        {**REFUSED_WRITERS, **ZJ_WRITERS},
        400,
        writes=True,
        body=lambda w: {
            "approval_number": "国药准字Z20070002",
            "generic_name": "板蓝根颗粒",
            "dosage_form": "颗粒剂",
            "strength": "10g",
            "marketing_authorization_holder": w.a.uscc,
            "prescription_class": "otc_a",
            "approved_on": "2007-06-01",
            "package_levels": [{"level": 1, "description": "每袋10g", "quantity": 20}],
        },
    ),
    Case(
        "PATCH",
        "/api/registry/drugs/{approval_number}",
        lambda w: "/api/registry/drugs/国药准字H20051234",
        {**REFUSED_WRITERS, "city": 200, "province": 200, "national": 200},
        404,
        writes=True,
        body=lambda w: {"version": 1, "trade_name": "阿莫灵"},
    ),
    Case("GET", "/api/registry/devices", lambda w: "/api/registry/devices", {}, 200),
    Case(
        "GET",
        "/api/registry/devices/{number}",
        lambda w: "/api/registry/devices/浙械注准20152220001",
        READERS_OF_A,
        404,
    ),
    Case(
        "POST",
        "/api/registry/devices",
        lambda w: "/api/registry/devices",
        {**REFUSED_WRITERS, **ZJ_WRITERS},
        400,
        writes=True,
        body=lambda w: {
            "number": "浙械注准20162220002",
            "name": "医用口罩",
            "device_class": "II",
            "marketing_authorization_holder": w.a.uscc,
            "approved_on": "2016-01-01",
            "identifiers": [{"di": "06901234567892", "issuing_agency": "GS1"}],
        },
    ),
    Case("GET", "/api/registry/cosmetics", lambda w: "/api/registry/cosmetics", {}, 200),
    Case(
        "GET",
        "/api/registry/cosmetics/{number}",
        lambda w: "/api/registry/cosmetics/国妆特字G20190001",
        READERS_OF_A,
        404,
    ),
    Case(
        "POST",
        "/api/registry/cosmetics",
        lambda w: "/api/registry/cosmetics",
        {**REFUSED_WRITERS, **ZJ_WRITERS},
        400,
        writes=True,
        body=lambda w: {
            "number": "浙G妆网备字2021000001",
            "name": "保湿霜",
            "category": "ordinary",
            "marketing_authorization_holder": w.a.uscc,
            "approved_on": "2021-05-01",
        },
    ),
    Case("GET", "/api/registry/search", lambda w: "/api/registry/search?q=医药", {}, 200),
    Case(
        "POST",
        "/api/registry/transfer/{kind}/import",
        lambda w: "/api/registry/transfer/enterprises/import",
        {**REFUSED_WRITERS, **ZJ_WRITERS},
        400,
        writes=True,
        multipart=True,
        body=lambda w: {
            "file": _csv(
                "uscc,name,types,legal_representative,registered_address,jurisdiction\n"
                f"{factories.uscc('330106')},导入医药有限公司,drug_wholesaler,赵六,杭州市西湖区,330106\n"
            )
        },
    ),
    Case("GET", "/api/registry/transfer/{kind}/export", lambda w: "/api/registry/transfer/enterprises/export", {}, 200),
    Case(
        "POST",
        "/api/trace/uploads",
        lambda w: "/api/trace/uploads",
        {"own_enterprise": 202, "other_enterprise": 202},
        403,
        writes=True,
        audited=False,
        multipart=True,
        body=lambda w: {
            "file": _csv(
                "event_time,step,code,location\n2026-03-01 09:00,receiving,urn:epc:id:sgtin:6901234.000001.1,"
                "6901234000014\n"
            )
        },
    ),
    Case(
        "POST",
        "/api/trace/scans",
        lambda w: "/api/trace/scans",
        {"own_enterprise": 202, "other_enterprise": 202},
        403,
        writes=True,
        audited=False,
        body=lambda w: {
            "step": "receiving",
            "location": "6901234000014",
            "codes": ["urn:epc:id:sgtin:6901234.000001.1"],
        },
    ),
    Case(
        "POST",
        "/epcis/capture",
        lambda w: "/epcis/capture",
        {"own_enterprise": 202, "other_enterprise": 202},
        403,
        body=lambda w: EMPTY_EPCIS,
        writes=True,
        audited=False,
    ),
    Case(
        "GET",
        "/epcis/capture/{capture_id}",
        lambda w: f"/epcis/capture/{w.job_a.pk}",
        {**REGULATORS_OF_A, "own_enterprise": 200},
        404,
    ),
    Case("GET", "/epcis/events", lambda w: "/epcis/events", {}, 200),
    Case("GET", "/api/trace/verify/{code}", lambda w: "/api/trace/verify/urn:epc:id:sgtin:6901234.000001.1", {}, 200),
    Case(
        "GET",
        "/api/trace/packs/{code}/trace",
        lambda w: "/api/trace/packs/urn:epc:id:sgtin:6901234.000001.1/trace",
        {**REGULATORS_OF_A, "own_enterprise": 200},
        404,
    ),
    Case(
        "GET",
        "/api/trace/batches/track",
        lambda w: "/api/trace/batches/track?approval_number=国药准字H20051234&lot=L1",
        {},
        200,
    ),
    Case(
        "GET",
        "/api/trace/batches/recall-scope",
        lambda w: "/api/trace/batches/recall-scope?approval_number=国药准字H20051234&lot=L1",
        {},
        200,
    ),
    Case(
        "POST",
        "/api/trace/recalls",
        lambda w: "/api/trace/recalls",
        {"anonymous": 403, "public": 403, "inspector": 403, "own_enterprise": 201, **ZJ_WRITERS},
        404,
        writes=True,
        body=lambda w: {"approval_number": "国药准字H20051234", "lot": "L1", "reason": "含量不合格", "level": 2},
    ),
    Case("GET", "/api/trace/alerts", lambda w: "/api/trace/alerts", {}, 200),
    Case(
        "POST",
        "/api/trace/alerts/{alert_id}/status",
        lambda w: f"/api/trace/alerts/{w.alert_a.pk}/status",
        {**REFUSED_WRITERS, "city": 200, "province": 200, "national": 200},
        404,
        writes=True,
        body=lambda w: {"status": "acknowledged", "note": "已派员核查"},
    ),
    Case(
        "POST",
        "/api/vigilance/e2b",
        lambda w: "/api/vigilance/e2b",
        {"anonymous": 403, "public": 403, "inspector": 403},
        200,
        writes=True,
        multipart=True,
        body=lambda w: {"file": _e2b_file()},
    ),
    Case("GET", "/api/vigilance/cases", lambda w: "/api/vigilance/cases", {}, 200),
    Case(
        "GET",
        "/api/vigilance/cases/{case_id}",
        lambda w: f"/api/vigilance/cases/{w.case_a.pk}",
        {"own_enterprise": 200, "city": 200, "province": 200, "national": 200},
        404,
    ),
    Case(
        "GET",
        "/api/vigilance/cases/{case_id}/e2b",
        lambda w: f"/api/vigilance/cases/{w.case_a.pk}/e2b",
        {"own_enterprise": 200, "city": 200, "province": 200, "national": 200},
        404,
    ),
    Case(
        "POST",
        "/api/vigilance/cases/{case_id}/drugs/{drug_id}/match",
        lambda w: f"/api/vigilance/cases/{w.case_a.pk}/drugs/{w.case_drug_a.pk}/match",
        {**REFUSED_WRITERS, "city": 200, "province": 200, "national": 200},
        404,
        writes=True,
        body=lambda w: {"approval_number": "国药准字H20051234"},
    ),
    Case(
        "POST",
        "/api/vigilance/variants/{family}/reports",
        lambda w: "/api/vigilance/variants/device/reports",
        {"anonymous": 403, "public": 403, "inspector": 403},
        201,
        writes=True,
        body=lambda w: DEVICE_REPORT,
    ),
    Case(
        "POST",
        "/api/vigilance/variants/{family}/upload",
        lambda w: "/api/vigilance/variants/device/upload",
        {"city": 201, "province": 201, "other_province": 201, "national": 201, "other_county": 201},
        403,
        writes=True,
        multipart=True,
        body=lambda w: {"file": _device_csv()},
    ),
    Case(
        "GET",
        "/api/vigilance/variants/cases/{case_id}",
        lambda w: f"/api/vigilance/variants/cases/{w.device_case_a.pk}",
        {"own_enterprise": 200, "city": 200, "province": 200, "national": 200},
        404,
    ),
    Case(
        "POST",
        "/api/vigilance/variants/cases/{case_id}/match",
        lambda w: f"/api/vigilance/variants/cases/{w.device_case_a.pk}/match",
        {**REFUSED_WRITERS, "city": 200, "province": 200, "national": 200},
        404,
        writes=True,
        body=lambda w: {"number": "浙械注准20152220001"},
    ),
    Case("GET", "/api/vigilance/signals", lambda w: "/api/vigilance/signals?family=drug", {}, 200),
    Case(
        "GET",
        "/api/vigilance/signals/{signal_id}",
        lambda w: f"/api/vigilance/signals/{w.signal_a.pk}",
        {"province": 200, "national": 200},
        404,
    ),
    Case(
        "POST",
        "/api/vigilance/signals/{signal_id}/transition",
        lambda w: f"/api/vigilance/signals/{w.signal_a.pk}/transition",
        {"province": 200, "national": 200, "other_province": 404},
        403,
        writes=True,
        body=lambda w: {"action": "validate", "note": "14 cases"},
    ),
    Case(
        "POST",
        "/api/vigilance/signals/runs",
        lambda w: "/api/vigilance/signals/runs",
        {"province": 202, "other_province": 202, "national": 202},
        403,
        writes=True,
        body=lambda w: {"product_family": "drug", "run_date": "2026-03-01"},
    ),
    Case(
        "GET",
        "/api/vigilance/signals/runs/{run_id}",
        lambda w: f"/api/vigilance/signals/runs/{w.signal_a.detected_by_id}",
        {"province": 200, "national": 200},
        404,
    ),
    Case("GET", "/api/vigilance/meddra/releases", lambda w: "/api/vigilance/meddra/releases", EVERY_REGULATOR, 403),
    Case(
        "POST",
        "/api/vigilance/meddra/releases",
        lambda w: "/api/vigilance/meddra/releases",
        {"national": 201},
        403,
        writes=True,
        multipart=True,
        body=lambda w: {"file": _meddra_zip(), "activate": "false"},
    ),
    Case(
        "POST",
        "/api/vigilance/meddra/releases/{release_id}/activate",
        lambda w: f"/api/vigilance/meddra/releases/{w.meddra_new.pk}/activate",
        {"national": 200},
        403,
        writes=True,
    ),
    Case(
        "GET",
        "/api/vigilance/meddra/diff",
        lambda w: f"/api/vigilance/meddra/diff?old={w.meddra_old.pk}&new={w.meddra_new.pk}",
        EVERY_REGULATOR,
        403,
    ),
]


def _meddra_zip() -> SimpleUploadedFile:
    data = zipped(fake_files(version="99.2"))
    return SimpleUploadedFile("meddra.zip", data, content_type="application/zip")


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("upload.csv", text.encode("utf-8"), content_type="text/csv")


def _counts() -> dict[str, int]:
    models = [
        *apps.get_app_config("registry").get_models(),
        *apps.get_app_config("trace").get_models(),
        *apps.get_app_config("vigilance").get_models(),
        apps.get_model("core", "AuditRecord"),
        ApiToken,
        User,
    ]
    return {m._meta.label: m.objects.count() for m in models}


def _call(client: Client, case: Case, world: World, actor: str) -> Any:
    headers = {} if actor == "anonymous" else {"Authorization": f"Bearer {world.tokens[actor]}"}
    body = case.body(world) if case.body else None
    method = getattr(client, case.method.lower())
    if body is None:
        return method(case.url(world), headers=headers)
    if case.multipart:
        return method(case.url(world), data=body, headers=headers)
    return method(case.url(world), data=body, content_type="application/json", headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[f"{c.method} {c.path}" for c in CASES])
def test_permission_matrix(case: Case) -> None:
    # given one world; each caller's request is rolled back afterwards so no write hides another's
    world = _build_world()
    for actor in ACTORS:
        sid = transaction.savepoint()
        before = _counts()
        # when
        response = _call(Client(), case, world, actor)
        # then
        expected = case.expected.get(actor, case.default)
        assert (actor, response.status_code) == (actor, expected), response.content.decode()[:500]
        after = _counts()
        if expected >= 400:
            assert after == before, f"{actor}: a refused request wrote {set(after.items()) - set(before.items())}"
            assert response.json()["errors"][0]["message"], actor
        elif case.writes:
            assert after != before, actor
            assert after["core.AuditRecord"] == before["core.AuditRecord"] + case.audited, actor
        else:
            assert after == before
        transaction.savepoint_rollback(sid)


def test_every_api_operation_is_in_the_matrix() -> None:
    operations = {
        (method.upper(), path)
        for schema in (api.get_openapi_schema(), epcis_api.get_openapi_schema())
        for path, item in schema["paths"].items()
        for method in item
    }
    assert operations == {(case.method, case.path) for case in CASES}


@pytest.mark.django_db
def test_list_answers_are_scoped() -> None:
    world = _build_world()
    client = Client()

    def visible(actor: str) -> list[str]:
        headers = {} if actor == "anonymous" else {"Authorization": f"Bearer {world.tokens[actor]}"}
        return sorted(e["name"] for e in client.get("/api/registry/enterprises", headers=headers).json())

    everyone = ["南京乙医药有限公司", "宁波丙大药房有限公司", "杭州甲药业有限公司"]
    assert visible("anonymous") == everyone  # the public sees active enterprises
    assert visible("national") == everyone
    assert visible("province") == ["宁波丙大药房有限公司", "杭州甲药业有限公司"]
    assert visible("city") == ["杭州甲药业有限公司"]
    assert visible("other_county") == ["宁波丙大药房有限公司"]
    assert visible("other_province") == ["南京乙医药有限公司"]
    assert visible("own_enterprise") == ["杭州甲药业有限公司"]
    assert visible("other_enterprise") == ["宁波丙大药房有限公司"]


@pytest.mark.django_db
def test_revoked_token_is_refused() -> None:
    world = _build_world()
    client = Client()
    headers = {"Authorization": f"Bearer {world.tokens['province']}"}
    assert client.delete(f"/api/core/tokens/{world.token_ids['province']}", headers=headers).status_code == 204
    response = client.get("/api/core/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "Authorization"


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(provincial_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(provincial_user)
    response = client.post("/api/core/tokens", data={"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert ApiToken.objects.count() == 0
