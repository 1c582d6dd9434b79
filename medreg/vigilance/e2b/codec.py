"""Lossless JSON form of the E2B case model (frozen dataclasses) and its reverse loader.

`dump` writes each dataclass as an object of its non-default fields (tuples as lists, `Value.extra`
as pairs); `load` rebuilds the dataclasses from the type hints, so `load(Batch, dump(b)) == b`.
"""

import dataclasses
import functools
import types
import typing
from typing import Any, TypeVar

T = TypeVar("T")


def dump(obj: Any) -> Any:
    """JSON-ready data for a model object, a tuple of them, or a scalar."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        data = {}
        for spec in dataclasses.fields(obj):
            value = getattr(obj, spec.name)
            if value is None or value == ():
                continue
            data[spec.name] = dump(value)
        return data
    if isinstance(obj, tuple):
        return [dump(item) for item in obj]
    return obj


def load(cls: type[T], data: Any) -> T:
    """Rebuild an instance of the dataclass `cls` from `dump` output."""
    return load_hint(cls, data)  # type: ignore[no-any-return]


def load_hint(hint: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return load_hint(inner[0], data)
    if origin is tuple:
        item_hint = typing.get_args(hint)[0]
        if typing.get_args(hint)[-1] is not Ellipsis:  # a fixed pair such as Value.extra's (name, value)
            return tuple(data)
        return tuple(load_hint(item_hint, item) for item in data)
    if dataclasses.is_dataclass(hint):
        cls: Any = hint
        hints = type_hints(cls)
        return cls(**{name: load_hint(hints[name], value) for name, value in data.items()})
    return data


@functools.cache
def type_hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)
