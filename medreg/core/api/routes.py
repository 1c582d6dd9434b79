"""Core endpoints: who am I, jurisdictions, API tokens."""

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from medreg.core.actor import Actor, client_ip
from medreg.core.api.auth import request_scope
from medreg.core.errors import NotFound, PermissionDenied
from medreg.core.models import ApiToken, Jurisdiction
from medreg.core.tokens import issue_token, revoke_token

router = Router(tags=["core"])


class MeOut(Schema):
    username: str | None
    role: str
    scope: str
    jurisdiction: str | None
    enterprise: str | None


class JurisdictionNode(Schema):
    code: str
    name: str
    level: int
    parent: str | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    active: bool


class NewTokenOut(TokenOut):
    token: str = Field(description="Shown once; store it in the calling system.")


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user, scope = request.api_user, request_scope(request)  # type: ignore[attr-defined]
    return MeOut(
        username=user.get_username() if user else None,
        role=scope.role,
        scope=scope.kind.value,
        jurisdiction=user.jurisdiction.code if user and user.jurisdiction else None,
        enterprise=scope.enterprise_code or None,
    )


@router.get("/jurisdictions", response=list[JurisdictionNode])
def jurisdictions(request: HttpRequest, parent: str = "000000") -> list[JurisdictionNode]:
    """Children of a division (public facts: the GB/T 2260 tree is published)."""
    nodes = Jurisdiction.objects.filter(parent__code=parent.strip()).order_by("code")
    return [JurisdictionNode(code=n.code, name=n.name, level=n.level, parent=parent) for n in nodes]


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    user = _signed_in(request)
    return [TokenOut(id=t.pk, name=t.name, prefix=t.prefix, active=t.is_active) for t in user.api_tokens.order_by("pk")]


@router.post("/tokens", response={201: NewTokenOut})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[NewTokenOut]:
    user = _signed_in(request)
    actor = Actor(user=user, ip_address=client_ip(request.META), channel=request.auth_channel)  # type: ignore[attr-defined]
    token, plaintext = issue_token(actor=actor, user=user, name=payload.name)
    return Status(201, NewTokenOut(id=token.pk, name=token.name, prefix=token.prefix, active=True, token=plaintext))


@router.delete("/tokens/{token_id}", response={204: None})
def delete_token(request: HttpRequest, token_id: int) -> Status[None]:
    user = _signed_in(request)
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound("token")
    actor = Actor(user=user, ip_address=client_ip(request.META), channel=request.auth_channel)  # type: ignore[attr-defined]
    revoke_token(actor=actor, token=token)
    return Status(204, None)


def _signed_in(request: HttpRequest):  # type: ignore[no-untyped-def]
    user = request.api_user  # type: ignore[attr-defined]
    if user is None:
        raise PermissionDenied("Sign in to manage API tokens.")
    return user
