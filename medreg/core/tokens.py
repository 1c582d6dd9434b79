"""API tokens for enterprise and regulator systems: issued once, stored as a hash, revocable."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.audit import record_change
from medreg.core.models import ApiToken, User

TOKEN_PREFIX = "mrt_"  # noqa: S105 - a public marker of our tokens, not a secret


def issue_token(*, actor: Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the plaintext, which is never stored."""
    secret = secrets.token_urlsafe(32)
    plaintext = f"{TOKEN_PREFIX}{secret}"
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100], prefix=secret[:8], key_hash=_digest(plaintext))
        record_change(
            actor=actor,
            action="issue_token",
            object_type="core.apitoken",
            object_id=token.pk,
            before=None,
            after={"user": user.get_username(), "name": token.name, "prefix": token.prefix},
        )
    return token, plaintext


def revoke_token(*, actor: Actor, token: ApiToken) -> None:
    """Revoke now; the next request with the token is refused."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if updated:
            record_change(
                actor=actor,
                action="revoke_token",
                object_type="core.apitoken",
                object_id=token.pk,
                before={"revoked": False},
                after={"revoked": True},
            )


def authenticate_token(plaintext: str) -> User | None:
    """The active user owning an unrevoked token, or None."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__jurisdiction")
        .filter(key_hash=_digest(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()
