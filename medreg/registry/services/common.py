"""Helpers the registry services share: the writer check, integrity errors, version checks."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import IntegrityError, transaction

from medreg.core.errors import Conflict, DomainError, FieldError, PermissionDenied
from medreg.core.scoping import Scope

T = TypeVar("T")


def require_registry_writer(scope: Scope) -> None:
    """Only regulators write registry data; enterprises and inspectors read it."""
    if not scope.may_write_registry:
        raise PermissionDenied("Only regulators may change registry data; enterprises apply through online services.")


def raise_if(errors: list[FieldError], status: int = 400) -> None:
    if errors:
        raise DomainError(list(errors), status)


@contextmanager
def atomic_write(duplicate_field: str) -> Iterator[None]:
    """One transaction; a unique-constraint race becomes a 409 naming `duplicate_field`."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        raise DomainError.single(
            duplicate_field,
            "duplicate",
            "A record with this identifier already exists.",
            "Search for the existing record and update it instead.",
            409,
        ) from error


def check_version(current: int, sent: int) -> None:
    if current != sent:
        raise Conflict(current)


def apply_changes(instance: object, changes: dict[str, object], setters: dict[str, Callable[[object], object]]) -> None:
    """Set each changed attribute, through its setter when the value needs converting."""
    for name, value in changes.items():
        setattr(instance, name, setters[name](value) if name in setters else value)


def collect(errors: list[FieldError], validate: Callable[..., T], *args: str) -> T | None:
    """Run `validate(*args)`, a validator that raises DomainError; keep its errors instead of raising."""
    try:
        return validate(*args)
    except DomainError as error:
        errors.extend(error.errors)
        return None
