"""Registry endpoints: thin — parse, call one selector or service, serialize."""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from medreg.core.actor import Actor, client_ip
from medreg.core.api.auth import request_scope
from medreg.registry import selectors, services
from medreg.registry.api.serializers import cosmetic_out, device_out, drug_out, enterprise_out, licence_out
from medreg.registry.schemas import (
    CosmeticIn,
    CosmeticOut,
    DeviceIn,
    DeviceOut,
    DrugIn,
    DrugOut,
    DrugUpdate,
    EnterpriseIn,
    EnterpriseOut,
    EnterpriseUpdate,
    LicenceIn,
    LicenceOut,
    LicenceStatusIn,
    SearchHit,
)

router = Router(tags=["registry"])


class Page(Schema):
    offset: int = Field(default=0, ge=0, le=10_000_000)
    limit: int = Field(default=50, ge=1, le=500)
    q: str = Field(default="", max_length=100)


def actor_of(request: HttpRequest) -> Actor:
    return Actor(user=request.api_user, ip_address=client_ip(request.META), channel=request.auth_channel)  # type: ignore[attr-defined]


def _page(queryset, page: Page):  # type: ignore[no-untyped-def]
    if page.q:
        queryset = queryset.filter(search_text__contains=page.q.strip().lower())
    return list(queryset[page.offset : page.offset + page.limit])


@router.get("/enterprises", response=list[EnterpriseOut])
def list_enterprises(request: HttpRequest, page: Query[Page]) -> list[EnterpriseOut]:
    return [enterprise_out(e) for e in _page(selectors.enterprises(request_scope(request)), page)]


@router.get("/enterprises/{uscc}", response=EnterpriseOut)
def get_enterprise(request: HttpRequest, uscc: str) -> EnterpriseOut:
    return enterprise_out(selectors.enterprise(request_scope(request), uscc))


@router.post("/enterprises", response={201: EnterpriseOut})
def create_enterprise(request: HttpRequest, payload: EnterpriseIn) -> Status[EnterpriseOut]:
    created = services.create_enterprise(actor=actor_of(request), scope=request_scope(request), data=payload)
    return Status(201, enterprise_out(selectors.enterprise(request_scope(request), created.uscc)))


@router.patch("/enterprises/{uscc}", response=EnterpriseOut)
def update_enterprise(request: HttpRequest, uscc: str, payload: EnterpriseUpdate) -> EnterpriseOut:
    services.update_enterprise(actor=actor_of(request), scope=request_scope(request), uscc=uscc, data=payload)
    return enterprise_out(selectors.enterprise(request_scope(request), uscc))


@router.get("/licences", response=list[LicenceOut])
def list_licences(request: HttpRequest, page: Query[Page], enterprise: str = "") -> list[LicenceOut]:
    queryset = selectors.licences(request_scope(request))
    if enterprise:
        queryset = queryset.filter(enterprise__uscc=enterprise.strip().upper())
    return [licence_out(x) for x in queryset[page.offset : page.offset + page.limit]]


@router.get("/licences/{licence_id}", response=LicenceOut)
def get_licence(request: HttpRequest, licence_id: int) -> LicenceOut:
    return licence_out(selectors.licence(request_scope(request), licence_id))


@router.post("/licences", response={201: LicenceOut})
def create_licence(request: HttpRequest, payload: LicenceIn) -> Status[LicenceOut]:
    created = services.create_licence(actor=actor_of(request), scope=request_scope(request), data=payload)
    return Status(201, licence_out(created))


@router.post("/licences/{licence_id}/status", response=LicenceOut)
def change_licence_status(request: HttpRequest, licence_id: int, payload: LicenceStatusIn) -> LicenceOut:
    services.change_licence_status(
        actor=actor_of(request), scope=request_scope(request), licence_id=licence_id, data=payload
    )
    return licence_out(selectors.licence(request_scope(request), licence_id))


@router.get("/drugs", response=list[DrugOut])
def list_drugs(request: HttpRequest, page: Query[Page]) -> list[DrugOut]:
    return [drug_out(d) for d in _page(selectors.drugs(request_scope(request)), page)]


@router.get("/drugs/{approval_number}", response=DrugOut)
def get_drug(request: HttpRequest, approval_number: str) -> DrugOut:
    return drug_out(selectors.drug(request_scope(request), approval_number))


@router.post("/drugs", response={201: DrugOut})
def create_drug(request: HttpRequest, payload: DrugIn) -> Status[DrugOut]:
    created = services.create_drug(actor=actor_of(request), scope=request_scope(request), data=payload)
    return Status(201, drug_out(selectors.drug(request_scope(request), created.approval_number)))


@router.patch("/drugs/{approval_number}", response=DrugOut)
def update_drug(request: HttpRequest, approval_number: str, payload: DrugUpdate) -> DrugOut:
    services.update_drug(
        actor=actor_of(request), scope=request_scope(request), approval_number=approval_number, data=payload
    )
    return drug_out(selectors.drug(request_scope(request), approval_number))


@router.get("/devices", response=list[DeviceOut])
def list_devices(request: HttpRequest, page: Query[Page]) -> list[DeviceOut]:
    return [device_out(d) for d in _page(selectors.devices(request_scope(request)), page)]


@router.get("/devices/{number}", response=DeviceOut)
def get_device(request: HttpRequest, number: str) -> DeviceOut:
    return device_out(selectors.device(request_scope(request), number))


@router.post("/devices", response={201: DeviceOut})
def create_device(request: HttpRequest, payload: DeviceIn) -> Status[DeviceOut]:
    created = services.create_device(actor=actor_of(request), scope=request_scope(request), data=payload)
    return Status(201, device_out(selectors.device(request_scope(request), created.number)))


@router.get("/cosmetics", response=list[CosmeticOut])
def list_cosmetics(request: HttpRequest, page: Query[Page]) -> list[CosmeticOut]:
    return [cosmetic_out(c) for c in _page(selectors.cosmetics(request_scope(request)), page)]


@router.get("/cosmetics/{number}", response=CosmeticOut)
def get_cosmetic(request: HttpRequest, number: str) -> CosmeticOut:
    return cosmetic_out(selectors.cosmetic(request_scope(request), number))


@router.post("/cosmetics", response={201: CosmeticOut})
def create_cosmetic(request: HttpRequest, payload: CosmeticIn) -> Status[CosmeticOut]:
    created = services.create_cosmetic(actor=actor_of(request), scope=request_scope(request), data=payload)
    return Status(201, cosmetic_out(selectors.cosmetic(request_scope(request), created.number)))


@router.get("/search", response=list[SearchHit])
def search(request: HttpRequest, q: str = Query(..., min_length=2, max_length=100)) -> list[SearchHit]:  # type: ignore[type-arg]
    found = selectors.search(request_scope(request), q)
    hits = [
        SearchHit(kind="enterprise", key=e.uscc, title=e.name, subtitle=e.uscc, url=f"/enterprises/{e.uscc}/")
        for e in found["enterprises"]
    ]
    hits += [
        SearchHit(
            kind="drug",
            key=d.approval_number,
            title=d.generic_name,
            subtitle=d.approval_number,
            url=f"/drugs/{d.approval_number}/",
        )
        for d in found["drugs"]
    ]
    hits += [
        SearchHit(kind="device", key=d.number, title=d.name, subtitle=d.number, url=f"/devices/{d.number}/")
        for d in found["devices"]
    ]
    hits += [
        SearchHit(kind="cosmetic", key=c.number, title=c.name, subtitle=c.number, url=f"/cosmetics/{c.number}/")
        for c in found["cosmetics"]
    ]
    return hits
