"""Who is acting, from where and through which channel: passed keyword-only to every service."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from medreg.core.models import User


@dataclass(frozen=True)
class Actor:
    """The author of a change, recorded in the audit chain."""

    user: "User | None"
    ip_address: str = ""
    channel: str = "system"  # console | api | cli | system

    @property
    def username(self) -> str:
        return self.user.get_username() if self.user is not None else "system"

    @classmethod
    def system(cls, channel: str = "cli") -> "Actor":
        return cls(user=None, channel=channel)


def client_ip(meta: dict[str, str]) -> str:
    """The caller's address as the server saw it (REMOTE_ADDR; proxies set it via the WSGI server)."""
    return meta.get("REMOTE_ADDR", "")[:45]
