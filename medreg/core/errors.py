"""The one error shape for bad input: which field, what is wrong, how to fix it."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """A single fault in input, machine-readable. `row` is set for file imports (1-based, header = 1)."""

    field: str
    code: str
    message: str
    fix: str = ""
    row: int | None = None

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"field": self.field, "code": self.code, "message": self.message, "fix": self.fix}
        if self.row is not None:
            data["row"] = self.row
        return data


@dataclass
class DomainError(Exception):
    """Raised by services for input they refuse; the API answers it with `status` and the errors."""

    errors: list[FieldError]
    status: int = 400

    def __post_init__(self) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @classmethod
    def single(cls, field: str, code: str, message: str, fix: str = "", status: int = 400) -> "DomainError":
        return cls([FieldError(field, code, message, fix)], status)


class NotFound(DomainError):
    """The object does not exist or lies outside the caller's scope (the two are not told apart)."""

    def __init__(self, what: str) -> None:
        super().__init__([FieldError(what, "not_found", f"No {what} with this identifier is visible to you.")], 404)


class PermissionDenied(DomainError):
    """The caller may see the object but not do this to it."""

    def __init__(self, message: str) -> None:
        super().__init__([FieldError("__all__", "forbidden", message)], 403)


class Conflict(DomainError):
    """Optimistic concurrency: someone else changed the record since the caller read it."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            [
                FieldError(
                    "version",
                    "stale_version",
                    f"The record was changed by someone else (now version {current_version}).",
                    "Reload the record, re-apply your change and send it with the new version.",
                )
            ],
            409,
        )


@dataclass
class ErrorList:
    """Collects FieldErrors while validating a whole input before anything is written."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, code: str, message: str, fix: str = "", row: int | None = None) -> None:
        self.errors.append(FieldError(field_name, code, message, fix, row))

    def raise_if_any(self, status: int = 400) -> None:
        if self.errors:
            raise DomainError(list(self.errors), status)
