"""Console pages: language, who sees what, exact dashboard counts, pinned query counts, translations."""

import datetime as dt
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.audit import record_change
from medreg.core.models import Role, User
from medreg.registry.models import (
    Cosmetic,
    Device,
    Enterprise,
    EnterpriseStatus,
    Licence,
    LicenceStatusChange,
    ProductStatus,
)
from tests import factories

PO_FILE = Path(__file__).resolve().parents[2] / "medreg" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


# -- helpers ---------------------------------------------------------------------------------


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


@pytest.fixture
def world(db: None) -> dict[str, Enterprise]:
    """Two Zhejiang enterprises (Hangzhou Xihu, Ningbo Haishu), one suspended in Xihu, one in Jiangsu."""
    xihu = factories.make_enterprise("杭州西湖医药有限公司", "330106", ("drug_wholesaler", "retail_pharmacy"))
    haishu = factories.make_enterprise("宁波海曙医药有限公司", "330203", ("drug_manufacturer",))
    suspended = factories.make_enterprise("杭州停业医药有限公司", "330106")
    Enterprise.objects.filter(pk=suspended.pk).update(status=EnterpriseStatus.SUSPENDED)
    jiangsu = factories.make_enterprise("南京玄武医药有限公司", "320102")
    factories.make_licence(xihu, "浙AA5710001")
    factories.make_licence(haishu, "浙AA5740001")
    factories.make_licence(jiangsu, "苏AA0250001")
    factories.make_drug(xihu, "国药准字H20200001", "阿莫西林胶囊", "8600001")
    factories.make_drug(jiangsu, "国药准字H20200002", "布洛芬缓释胶囊", "8600002")
    return {"xihu": xihu, "haishu": haishu, "suspended": suspended, "jiangsu": jiangsu}


@pytest.fixture
def enterprise_user(world: dict[str, Enterprise]) -> User:
    return factories.make_user("xihu_staff", Role.DISTRIBUTOR, enterprise_code=world["xihu"].uscc)


# -- language ---------------------------------------------------------------------------------


def test_login_page_is_chinese_by_default_whatever_the_browser_asks(db: None) -> None:
    # when
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    # then
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in text_of(response)
    assert "<h1>登录</h1>" in text_of(response)
    assert "用户名" in text_of(response)
    assert "Sign in" not in text_of(response)


def test_set_language_switches_the_console_to_english_and_back(db: None) -> None:
    # given
    client = Client()

    # when
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    english = client.get("/accounts/login/")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    chinese = client.get("/accounts/login/")

    # then
    assert switched.status_code == 302
    assert switched.headers["Location"] == "/accounts/login/"
    assert "<h1>Sign in</h1>" in text_of(english)
    assert "登录" not in text_of(english)
    assert "<h1>登录</h1>" in text_of(chinese)


def test_model_choices_are_translated_on_pages(world: dict[str, Enterprise], provincial_user: User) -> None:
    # when
    chinese = client_for(provincial_user).get(f"/enterprises/{world['xihu'].uscc}/")
    english = client_for(provincial_user).get(f"/enterprises/{world['xihu'].uscc}/?lang=en")

    # then
    assert "统一社会信用代码" in text_of(chinese)
    assert "药品经营许可证（批发）" in text_of(chinese)
    assert "药品批发企业、零售药店" in text_of(chinese)
    assert "Unified social credit code" in text_of(english)
    assert "Drug distribution licence (wholesale)" in text_of(english)


# -- who sees what -----------------------------------------------------------------------------


def listed_names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [enterprise.name for enterprise in response.context["page"].object_list]


def test_provincial_user_lists_only_its_province(world: dict[str, Enterprise], provincial_user: User) -> None:
    # when
    response = client_for(provincial_user).get("/enterprises/")

    # then
    assert response.status_code == 200
    assert listed_names(response) == ["宁波海曙医药有限公司", "杭州停业医药有限公司", "杭州西湖医药有限公司"]
    assert "南京玄武医药有限公司" not in text_of(response)
    assert "共 3 家企业" in text_of(response)


def test_provincial_user_searches_only_its_province(world: dict[str, Enterprise], provincial_user: User) -> None:
    # when
    response = client_for(provincial_user).get("/search/", {"q": "医药"})
    by_pinyin = client_for(provincial_user).get("/search/", {"q": "ningbo"})
    by_code = client_for(provincial_user).get("/search/", {"q": world["haishu"].uscc})
    by_approval_number = client_for(provincial_user).get("/search/", {"q": "H20200001"})

    # then
    assert [e.name for e in response.context["results"]["enterprises"]] == [
        "宁波海曙医药有限公司",
        "杭州停业医药有限公司",
        "杭州西湖医药有限公司",
    ]
    assert "南京玄武医药有限公司" not in text_of(response)
    assert [e.name for e in by_pinyin.context["results"]["enterprises"]] == ["宁波海曙医药有限公司"]
    assert [e.uscc for e in by_code.context["results"]["enterprises"]] == [world["haishu"].uscc]
    assert [d.approval_number for d in by_approval_number.context["results"]["drugs"]] == ["国药准字H20200001"]


def test_provincial_user_cannot_open_another_provinces_enterprise(
    world: dict[str, Enterprise], provincial_user: User
) -> None:
    # when
    own = client_for(provincial_user).get(f"/enterprises/{world['haishu'].uscc}/")
    foreign = client_for(provincial_user).get(f"/enterprises/{world['jiangsu'].uscc}/")
    foreign_drug = client_for(provincial_user).get("/drugs/国药准字H20200002/")

    # then
    assert own.status_code == 200
    assert "宁波海曙医药有限公司" in text_of(own)
    assert foreign.status_code == 404
    assert "<h1>未找到</h1>" in text_of(foreign)
    assert "南京玄武医药有限公司" not in text_of(foreign)
    assert foreign_drug.status_code == 404


def test_enterprise_user_sees_only_its_own_enterprise(world: dict[str, Enterprise], enterprise_user: User) -> None:
    # given
    client = client_for(enterprise_user)

    # when
    listing = client.get("/enterprises/")
    found = client.get("/search/", {"q": "医药"})
    own = client.get(f"/enterprises/{world['xihu'].uscc}/")
    neighbour = client.get(f"/enterprises/{world['haishu'].uscc}/")
    dashboard = client.get("/")

    # then
    assert listed_names(listing) == ["杭州西湖医药有限公司"]
    assert [e.name for e in found.context["results"]["enterprises"]] == ["杭州西湖医药有限公司"]
    assert own.status_code == 200
    assert neighbour.status_code == 404
    assert dashboard.status_code == 200
    assert dashboard.context["rows"] == []
    assert f'href="/enterprises/{world["xihu"].uscc}/"' in text_of(dashboard)


def test_public_sees_active_enterprises_and_approved_products_only(world: dict[str, Enterprise]) -> None:
    # given
    client = Client()
    Device.objects.create(
        number="浙械注准20202140001",
        name="一次性使用无菌注射器",
        device_class="III",
        marketing_authorization_holder=world["haishu"],
        status=ProductStatus.CANCELLED,
        approved_on=dt.date(2020, 1, 1),
    )

    # when
    listing = client.get("/enterprises/")
    suspended = client.get(f"/enterprises/{world['suspended'].uscc}/")
    cancelled_device = client.get("/devices/浙械注准20202140001/")
    drug = client.get("/drugs/国药准字H20200001/")

    # then
    assert listed_names(listing) == ["南京玄武医药有限公司", "宁波海曙医药有限公司", "杭州西湖医药有限公司"]
    assert suspended.status_code == 404
    assert cancelled_device.status_code == 404
    assert drug.status_code == 200
    assert "阿莫西林胶囊" in text_of(drug)
    assert "8600001" in text_of(drug)


def test_dashboard_requires_login(db: None) -> None:
    # when
    response = Client().get("/")

    # then
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/"


def test_history_is_shown_to_regulators_only(world: dict[str, Enterprise], provincial_user: User) -> None:
    # given
    record_change(
        actor=Actor(user=provincial_user, ip_address="10.0.0.8", channel="console"),
        action="update",
        object_type="registry.enterprise",
        object_id=world["xihu"].uscc,
        before={"name": "旧名"},
        after={"name": world["xihu"].name},
    )
    owner = factories.make_user("xihu_owner", Role.MARKETING_AUTHORIZATION_HOLDER, enterprise_code=world["xihu"].uscc)

    # when
    as_regulator = client_for(provincial_user).get(f"/enterprises/{world['xihu'].uscc}/")
    as_owner = client_for(owner).get(f"/enterprises/{world['xihu'].uscc}/")

    # then
    assert [r.action for r in as_regulator.context["history"]] == ["update"]
    assert "审计记录" in text_of(as_regulator)
    assert "10.0.0.8" in text_of(as_regulator)
    assert as_owner.context["history"] == []
    assert "10.0.0.8" not in text_of(as_owner)


def test_licence_status_history_is_listed(world: dict[str, Enterprise], provincial_user: User) -> None:
    # given
    licence = Licence.objects.get(number="浙AA5710001")
    LicenceStatusChange.objects.create(
        licence=licence,
        from_status="valid",
        to_status="suspended",
        changed_at=timezone.make_aware(dt.datetime(2025, 3, 1, 9, 0)),
        reason="飞行检查发现问题",
        actor_username="zj_province",
    )

    # when
    response = client_for(provincial_user).get(f"/enterprises/{world['xihu'].uscc}/")

    # then
    assert "2025-03-01</time> 暂停 · 飞行检查发现问题" in text_of(response)


# -- dashboard -------------------------------------------------------------------------------------


def counts_by_code(response) -> dict[str, tuple[int, int, int, int, int]]:  # type: ignore[no-untyped-def]
    return {
        row.jurisdiction.code: (row.enterprises, row.valid_licences, row.drugs, row.devices, row.cosmetics)
        for row in response.context["rows"]
    }


def test_provincial_dashboard_counts_per_city(world: dict[str, Enterprise], provincial_user: User) -> None:
    # given
    Cosmetic.objects.create(
        number="浙G妆网备字2024000001",
        name="保湿乳液",
        category="ordinary",
        marketing_authorization_holder=world["haishu"],
        approved_on=dt.date(2024, 1, 1),
    )

    # when
    response = client_for(provincial_user).get("/")

    # then
    counts = counts_by_code(response)
    assert response.status_code == 200
    assert counts["330100"] == (1, 1, 1, 0, 0)
    assert counts["330200"] == (1, 1, 0, 0, 1)
    assert sum(1 for row in counts.values() if row != (0, 0, 0, 0, 0)) == 2
    assert "320000" not in counts
    assert "监管概览" in text_of(response)
    assert 'href="?j=330100"' in text_of(response)


def test_dashboard_drills_down_inside_the_scope_only(world: dict[str, Enterprise], provincial_user: User) -> None:
    # given
    client = client_for(provincial_user)

    # when
    hangzhou = client.get("/", {"j": "330100"})
    jiangsu = client.get("/", {"j": "320000"})
    unknown = client.get("/", {"j": "999999"})

    # then
    assert counts_by_code(hangzhou)["330106"] == (1, 1, 1, 0, 0)
    assert 'href="?j=330000"' in text_of(hangzhou)
    assert jiangsu.status_code == 404
    assert unknown.status_code == 404


def test_national_dashboard_counts_per_province(world: dict[str, Enterprise], national_user: User) -> None:
    # when
    response = client_for(national_user).get("/")
    zhejiang = client_for(national_user).get("/", {"j": "330000"})

    # then
    counts = counts_by_code(response)
    assert counts["330000"] == (2, 2, 1, 0, 0)
    assert counts["320000"] == (1, 1, 1, 0, 0)
    assert counts_by_code(zhejiang)["330200"] == (1, 1, 0, 0, 0)


# -- list filters and pagination ---------------------------------------------------------------


def test_enterprise_list_filters_by_type_status_and_text(world: dict[str, Enterprise], provincial_user: User) -> None:
    # given
    client = client_for(provincial_user)

    # when
    by_type = client.get("/enterprises/", {"type": "retail_pharmacy"})
    by_status = client.get("/enterprises/", {"status": "suspended"})
    by_text = client.get("/enterprises/", {"q": "nbhs"})
    invalid = client.get("/enterprises/", {"type": "spaceship"})

    # then
    assert listed_names(by_type) == ["杭州西湖医药有限公司"]
    assert listed_names(by_status) == ["杭州停业医药有限公司"]
    assert listed_names(by_text) == ["宁波海曙医药有限公司"]
    assert len(listed_names(invalid)) == 3


def test_enterprise_list_paginates_25_per_page_and_keeps_filters(db: None, provincial_user: User) -> None:
    # given
    for number in range(30):
        factories.make_enterprise(f"测试药店{number:02d}", "330106", ("retail_pharmacy",))

    # when
    first = client_for(provincial_user).get("/enterprises/", {"type": "retail_pharmacy"})
    second = client_for(provincial_user).get("/enterprises/", {"type": "retail_pharmacy", "page": "2"})

    # then
    assert len(listed_names(first)) == 25
    assert listed_names(second) == [f"测试药店{n}" for n in range(25, 30)]
    assert "?type=retail_pharmacy&amp;page=2" in text_of(first)
    assert "第 1 页，共 2 页" in text_of(first)


# -- query counts ------------------------------------------------------------------------------------


def test_enterprise_list_query_count_does_not_grow_with_rows(
    db: None, provincial_user: User, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    # given
    for number in range(30):
        factories.make_enterprise(f"查询计数企业{number:02d}", "330106", ("drug_wholesaler", "retail_pharmacy"))
    client = client_for(provincial_user)

    # when / then: session, user, user's jurisdiction (scope), count, page, types of the page
    with django_assert_num_queries(6):
        response = client.get("/enterprises/")
    assert len(listed_names(response)) == 25


def test_enterprise_page_query_count_is_pinned(
    world: dict[str, Enterprise], provincial_user: User, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    # given
    for number in range(5):
        factories.make_drug(world["xihu"], f"国药准字H2021000{number}", f"药品{number}")
        factories.make_licence(world["xihu"], f"浙AA57100{number}9")
    client = client_for(provincial_user)

    # when / then: session, user, user's jurisdiction (scope), enterprise, types, licences, status
    # changes, drugs, devices, cosmetics, history
    with django_assert_num_queries(11):
        response = client.get(f"/enterprises/{world['xihu'].uscc}/")
    assert len(response.context["drugs"]) == 6


def test_search_query_count_is_pinned(
    world: dict[str, Enterprise], provincial_user: User, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    # given
    client = client_for(provincial_user)

    # when / then: session, user, user's jurisdiction, 4 searches and their prefetches
    with django_assert_max_num_queries(12):
        client.get("/search/", {"q": "医药"})


# -- error pages --------------------------------------------------------------------------------------


def test_unknown_address_gets_the_404_page_in_both_languages(db: None) -> None:
    # when
    chinese = Client().get("/no/such/page/")
    english = Client().get("/no/such/page/?lang=en")

    # then
    assert chinese.status_code == 404
    assert "<h1>页面不存在</h1>" in text_of(chinese)
    assert english.status_code == 404
    assert "<h1>Page not found</h1>" in text_of(english)


def test_refusals_render_the_error_page_in_english_too(world: dict[str, Enterprise]) -> None:
    # when
    response = Client().get(f"/enterprises/{world['suspended'].uscc}/?lang=en")

    # then
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in text_of(response)


# -- translations -------------------------------------------------------------------------------------


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    # given
    catalogue = polib.pofile(str(PO_FILE))

    # then
    assert [e.msgid for e in catalogue if not e.translated()] == []
    assert [e.msgid for e in catalogue if "fuzzy" in e.flags] == []
    assert not catalogue.metadata_is_fuzzy
    assert len(catalogue) > 150
