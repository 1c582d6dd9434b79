"""The demo data generator (pure, deterministic, valid numbers) and `medreg demo load`."""

import io
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from medreg.core.audit import verify_chain
from medreg.core.identifiers import validate_uscc
from medreg.core.models import AuditRecord, User
from medreg.core.scoping import scope_for
from medreg.registry.demo import DEFAULT_SEED, DEMO_PASSWORD, DEMO_USERS, REFERENCE_DATE, divisions_from_database
from medreg.registry.demo import generate as generate_demo
from medreg.registry.demo.records import DemoData, Division
from medreg.registry.models import (
    Cosmetic,
    Device,
    DeviceIdentifier,
    Drug,
    DrugManufacturer,
    Enterprise,
    EnterpriseTypeAssignment,
    Licence,
    LicenceStatusChange,
    PackageLevel,
)
from medreg.registry.regulatory_numbers import (
    validate_cosmetic_number,
    validate_device_number,
    validate_drug_approval_number,
    validate_drug_identification_code,
    validate_licence_number,
    validate_udi_di,
)
from medreg.registry.search_text import search_text_for

SMALL = 0.01
# What `medreg demo load --scale 0.01` writes with the default seed (the generator is deterministic).
SMALL_COUNTS = {
    Enterprise: 61,
    EnterpriseTypeAssignment: 74,
    Licence: 75,
    LicenceStatusChange: 88,
    Drug: 146,
    DrugManufacturer: 156,
    PackageLevel: 300,
    Device: 46,
    DeviceIdentifier: 81,
    Cosmetic: 26,
    User: 8,
}


@pytest.fixture
def divisions(db: None) -> list[Division]:
    return divisions_from_database()


def load_small() -> str:
    out = io.StringIO()
    call_command("demo", "load", "--scale", str(SMALL), stdout=out)
    return out.getvalue()


def test_divisions_are_every_county_of_zhejiang_and_nanjing(divisions: list[Division]) -> None:
    # given the GB/T 2260 tree loaded by migration / when / then
    provinces = Counter(d.province_name for d in divisions)
    assert provinces == {"浙江省": 90, "江苏省": 11}
    assert {d.city_name for d in divisions if d.province_code == "330000"} >= {"杭州市", "宁波市", "丽水市"}
    assert "市辖区" not in {d.name for d in divisions}


def test_small_load_writes_exact_counts_and_an_intact_audit_chain(db: None) -> None:
    # given an empty registry / when
    output = load_small()
    # then
    assert {model: model.objects.count() for model in SMALL_COUNTS} == SMALL_COUNTS
    audited = Counter(AuditRecord.objects.values_list("object_type", "action"))
    assert audited == {
        ("registry.enterprise", "create"): 61,
        ("registry.licence", "create"): 75,
        ("registry.licence", "change_status"): 9,
        ("registry.licence", "expire"): 4,
        ("registry.drug", "create"): 146,
        ("registry.device", "create"): 46,
        ("registry.cosmetic", "create"): 26,
    }
    assert Counter(Licence.objects.values_list("status", flat=True)) == {
        "valid": 68,
        "expired": 4,
        "revoked": 2,
        "suspended": 1,
    }
    report = verify_chain()
    assert report.intact
    assert report.records_checked == 367
    assert set(AuditRecord.objects.values_list("actor_username", "channel")) == {("system", "cli")}
    assert "Demo logins (password medreg-demo-2026): national (国家局), provincial (浙江省局)" in output


def test_second_load_changes_nothing(db: None) -> None:
    # given a loaded demo
    load_small()
    before = {model: model.objects.count() for model in SMALL_COUNTS}
    # when
    output = load_small()
    # then
    assert "already loaded" in output
    assert {model: model.objects.count() for model in SMALL_COUNTS} == before


def test_loaded_data_is_what_the_pure_generator_gives(divisions: list[Division]) -> None:
    # given the data regenerated in memory with the same seed and scale
    expected = generate_demo(divisions, SMALL, DEFAULT_SEED)
    # when
    load_small()
    # then
    assert sorted(Enterprise.objects.values_list("uscc", flat=True)) == sorted(e.uscc for e in expected.enterprises)
    assert sorted(Drug.objects.values_list("approval_number", flat=True)) == sorted(
        d.approval_number for d in expected.drugs
    )
    assert sorted(Licence.objects.values_list("number", "status")) == sorted(
        (lic.number, lic.status) for lic in expected.licences
    )


def test_same_seed_and_scale_give_identical_data(divisions: list[Division]) -> None:
    # given / when
    first, second = generate_demo(divisions, 0.05, 7), generate_demo(divisions, 0.05, 7)
    other = generate_demo(divisions, 0.05, 8)
    # then
    assert first == second
    assert sorted(e.uscc for e in first.enterprises) == sorted(e.uscc for e in second.enterprises)
    assert {d.approval_number for d in first.drugs} != {d.approval_number for d in other.drugs}
    assert first.holder_uscc == other.holder_uscc == "91330106MA27KEN01R"


def test_every_generated_number_passes_the_validators(divisions: list[Division]) -> None:
    # given a tenth of a province
    data = generate_demo(divisions, 0.1, DEFAULT_SEED)
    # when / then (each validator raises DomainError on a bad number)
    for enterprise in data.enterprises:
        assert validate_uscc(enterprise.uscc) == enterprise.uscc
        assert enterprise.uscc[2:8] == enterprise.division.code
        assert enterprise.division.name in enterprise.registered_address
    for licence in data.licences:
        assert validate_licence_number(licence.number, licence.kind, licence.issued_by) == licence.number
    assert_products_valid(data)
    assert_unique(data)


def assert_products_valid(data: DemoData) -> None:
    for drug in data.drugs:
        assert validate_drug_approval_number(drug.approval_number) == drug.approval_number
        assert [level.level for level in drug.package_levels] == list(range(1, len(drug.package_levels) + 1))
        for level in drug.package_levels:
            assert validate_drug_identification_code(level.drug_identification_code) == level.drug_identification_code
    for device in data.devices:
        assert validate_device_number(device.number, device.device_class) == device.number
        for identifier in device.identifiers:
            assert validate_udi_di(identifier.di, "GS1") == identifier.di
    for cosmetic in data.cosmetics:
        assert validate_cosmetic_number(cosmetic.number, cosmetic.category) == cosmetic.number
    dates = [d.approved_on for d in data.drugs] + [lic.issued_on for lic in data.licences]
    assert max(dates) <= REFERENCE_DATE


def assert_unique(data: DemoData) -> None:
    codes = [level.drug_identification_code for drug in data.drugs for level in drug.package_levels]
    dis = [identifier.di for device in data.devices for identifier in device.identifiers]
    licences = [(lic.kind, lic.number) for lic in data.licences]
    for values in ([e.uscc for e in data.enterprises], [d.approval_number for d in data.drugs], codes, dis, licences):
        assert len(values) == len(set(values))


def test_loaded_rows_satisfy_the_validators(db: None) -> None:
    # given / when
    load_small()
    # then: a sample of every table, read back from the database
    for enterprise in Enterprise.objects.select_related("jurisdiction")[:40]:
        validate_uscc(enterprise.uscc)
        assert enterprise.search_text == search_text_for(enterprise.name, enterprise.uscc)
    for licence in Licence.objects.select_related("issued_by")[:40]:
        validate_licence_number(licence.number, licence.kind, licence.issued_by.code)
    for drug in Drug.objects.all()[:40]:
        validate_drug_approval_number(drug.approval_number)
        assert drug.search_text == search_text_for(drug.generic_name, drug.trade_name, drug.approval_number)
    for device in Device.objects.prefetch_related("identifiers")[:40]:
        validate_device_number(device.number, device.device_class)
        assert device.search_text == search_text_for(device.name, device.number)
        assert all(validate_udi_di(i.di, i.issuing_agency) for i in device.identifiers.all())
    for cosmetic in Cosmetic.objects.all()[:40]:
        validate_cosmetic_number(cosmetic.number, cosmetic.category)
        assert cosmetic.search_text == search_text_for(cosmetic.name, cosmetic.number)


def test_licence_history_ends_in_the_licence_status(db: None) -> None:
    # given / when
    load_small()
    # then
    for licence in Licence.objects.prefetch_related("status_changes"):
        steps = [change.to_status for change in licence.status_changes.all()]
        assert steps[0] == "valid"
        assert steps[-1] == licence.status
        assert licence.version == len(steps)


def test_demo_logins_see_their_own_scope(db: None) -> None:
    # given / when
    load_small()
    users = {user.username: authenticate(username=user.username, password=DEMO_PASSWORD) for user in DEMO_USERS}
    # then
    assert all(users.values())
    provinces = {
        name: set(scope_for(users[name]).apply(Enterprise.objects.all()).values_list("jurisdiction__path", flat=True))
        for name in ("national", "provincial", "county")
    }
    assert {path[8:14] for path in provinces["national"]} == {"330000", "320000"}
    assert {path[8:14] for path in provinces["provincial"]} == {"330000"}
    assert provinces["county"] == {"/000000/330000/330100/330106/"}


def test_demo_enterprise_and_pharmacy(db: None) -> None:
    # given / when
    load_small()
    enterprise_user, pharmacy_user = User.objects.get(username="enterprise"), User.objects.get(username="pharmacy")
    # then
    holder = Enterprise.objects.get(uscc=enterprise_user.enterprise_code)
    assert (holder.name, holder.jurisdiction.code) == ("杭州康恩医药股份有限公司", "330106")
    assert "vaccine" in set(holder.held_drugs.values_list("special_control", flat=True))
    pharmacy = Enterprise.objects.get(uscc=pharmacy_user.enterprise_code)
    assert (pharmacy.jurisdiction.parent.name, pharmacy.type_codes) == ("宁波市", ["retail_pharmacy"])
    assert set(Licence.objects.filter(enterprise__in=[holder, pharmacy]).values_list("kind", "status")) == {
        ("drug_production", "valid"),
        ("drug_retail", "valid"),
    }


def test_full_scale_generator_is_a_realistic_province(divisions: list[Division], django_assert_num_queries) -> None:
    # given the divisions / when generating without touching the database
    with django_assert_num_queries(0):
        data = generate_demo(divisions, 1.0, DEFAULT_SEED)
    # then
    kinds = Counter(e.kind for e in data.enterprises)
    assert len(data.enterprises) >= 5_000
    assert data.product_count >= 20_000
    assert len(data.drugs) > len(data.devices) > len(data.cosmetics)
    assert kinds.most_common(1)[0][0] == "retail_pharmacy"
    controls = Counter(d.special_control for d in data.drugs)
    assert {"vaccine", "blood_product", "narcotic", "psychotropic_2"} <= set(controls)
    assert {lic.status for lic in data.licences} == {"valid", "suspended", "revoked", "expired"}
    assert {d.division.city_code for d in data.enterprises if d.division.province_code == "330000"} == {
        d.city_code for d in divisions if d.province_code == "330000"
    }


def test_logins_are_printed_on_request_without_loading_anything(db: None) -> None:
    out = io.StringIO()
    call_command("demo", "logins", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Demo logins (password medreg-demo-2026): national (国家局), provincial (浙江省局)")
    assert lines[-1] == "Open http://127.0.0.1:8000/"
    assert User.objects.count() == 0
