"""Hostile and careless input to the registry API: 4xx with the field named, nothing written."""

from typing import Any

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medreg.core.actor import Actor
from medreg.core.models import AuditRecord, User
from medreg.core.tokens import issue_token
from medreg.registry.models import Enterprise
from tests import factories


def _bearer(user: User) -> dict[str, str]:
    _, plaintext = issue_token(actor=Actor.system(), user=user, name="t")
    return {"Authorization": f"Bearer {plaintext}"}


def _enterprise(**overrides: Any) -> dict[str, Any]:
    body = {
        "uscc": factories.uscc("330106"),
        "name": "浙江新药业有限公司",
        "types": ["drug_wholesaler"],
        "legal_representative": "李四",
        "registered_address": "杭州市西湖区",
        "jurisdiction": "330106",
    }
    return {**body, **overrides}


def _post(client: Client, headers: dict[str, str], body: Any, path: str = "/api/registry/enterprises") -> Any:
    return client.post(path, data=body, content_type="application/json", headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "status", "field", "code"),
    [
        ({"uscc": "91330106MA27XXXX0"}, 400, "uscc", "invalid_length"),
        ({"uscc": "91330106MA0000001X"}, 400, "uscc", "invalid_check_character"),
        ({"jurisdiction": "999999"}, 400, "jurisdiction", "unknown_jurisdiction"),
        ({"jurisdiction": "320102"}, 400, "jurisdiction", "outside_jurisdiction"),
        ({"types": ["space_agency"]}, 422, "types.0", "enum"),
        ({"types": []}, 422, "types", "too_short"),
        ({"name": ""}, 422, "name", "string_too_short"),
    ],
)
def test_bad_enterprise_fields_are_named(
    provincial_user: User, overrides: dict[str, Any], status: int, field: str, code: str
) -> None:
    response = _post(Client(), _bearer(provincial_user), _enterprise(**overrides))
    assert response.status_code == status
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]
    assert Enterprise.objects.count() == 0
    assert AuditRecord.objects.filter(object_type="registry.enterprise").count() == 0


@pytest.mark.django_db
def test_malformed_json_is_a_4xx(provincial_user: User) -> None:
    response = Client().post(
        "/api/registry/enterprises",
        data=b"{not json",
        content_type="application/json",
        headers=_bearer(provincial_user),
    )
    assert response.status_code in (400, 422)
    assert response.json()["errors"]
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_oversized_body_is_413(provincial_user: User) -> None:
    response = _post(Client(), _bearer(provincial_user), _enterprise(registered_address="路" * 2000))
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_credit_code_is_refused(provincial_user: User) -> None:
    client, headers, body = Client(), _bearer(provincial_user), _enterprise()
    assert _post(client, headers, body).status_code == 201
    response = _post(client, headers, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "duplicate"
    assert Enterprise.objects.count() == 1


@pytest.mark.django_db
def test_two_editors_do_not_silently_overwrite_each_other(provincial_user: User, city_user: User) -> None:
    # given two regulators who both read version 1
    enterprise = factories.make_enterprise("杭州并发医药有限公司", "330106")
    url = f"/api/registry/enterprises/{enterprise.uscc}"
    client = Client()
    # when both send a change based on version 1
    first = client.patch(
        url,
        data={"version": 1, "legal_representative": "甲"},
        content_type="application/json",
        headers=_bearer(provincial_user),
    )
    second = client.patch(
        url,
        data={"version": 1, "legal_representative": "乙"},
        content_type="application/json",
        headers=_bearer(city_user),
    )
    # then the second is refused with 409 and the first change stands
    assert (first.status_code, first.json()["version"]) == (200, 2)
    assert second.status_code == 409
    assert second.json()["errors"][0] == {
        "field": "version",
        "code": "stale_version",
        "message": "The record was changed by someone else (now version 2).",
        "fix": "Reload the record, re-apply your change and send it with the new version.",
    }
    enterprise.refresh_from_db()
    assert (enterprise.legal_representative, enterprise.version) == ("甲", 2)


@pytest.mark.django_db
def test_update_is_audited_with_before_and_after(provincial_user: User) -> None:
    enterprise = factories.make_enterprise("杭州审计医药有限公司", "330106")
    Client().patch(
        f"/api/registry/enterprises/{enterprise.uscc}",
        data={"version": 1, "name": "杭州审计药业有限公司"},
        content_type="application/json",
        headers=_bearer(provincial_user),
        REMOTE_ADDR="10.1.2.3",
    )
    record = AuditRecord.objects.get(object_type="registry.enterprise", object_id=enterprise.uscc)
    assert (record.actor_username, record.ip_address, record.channel, record.action) == (
        "zj_province",
        "10.1.2.3",
        "api",
        "update",
    )
    assert (record.before["name"], record.after["name"]) == ("杭州审计医药有限公司", "杭州审计药业有限公司")
    assert (record.before["version"], record.after["version"]) == (1, 2)


@pytest.mark.django_db
def test_licence_history_is_kept(provincial_user: User) -> None:
    enterprise = factories.make_enterprise("杭州许可医药有限公司", "330106")
    licence = factories.make_licence(enterprise, "浙AA5710002")
    client, headers = Client(), _bearer(provincial_user)
    url = f"/api/registry/licences/{licence.pk}/status"
    steps = [("suspended", 1, 200), ("valid", 2, 200), ("revoked", 3, 200), ("valid", 4, 409)]
    answers = [
        client.post(
            url,
            data={"version": v, "status": s, "reason": "检查结论"},
            content_type="application/json",
            headers=headers,
        ).status_code
        for s, v, _ in steps
    ]
    assert answers == [code for _, _, code in steps]
    assert list(licence.status_changes.values_list("from_status", "to_status")) == [
        ("valid", "suspended"),
        ("suspended", "valid"),
        ("valid", "revoked"),
    ]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=30),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
        max_leaves=20,
    )
)
def test_arbitrary_json_never_causes_a_500(provincial_user: User, body: Any) -> None:
    for path in ("/api/registry/enterprises", "/api/registry/drugs", "/api/registry/licences"):
        response = _post(Client(), _bearer(provincial_user), body, path)
        assert 400 <= response.status_code < 500
        assert response.json()["errors"]
    assert Enterprise.objects.count() == 0
