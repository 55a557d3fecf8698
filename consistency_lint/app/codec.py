"""A data-only encoding of the engine's results for the cache: dataclasses as flat tuples.

Generic over this package's dataclasses: what is written is derived from each
class's fields, so a new field of a summary needs no change here. Loading can
never execute anything: the bytes are read with `marshal` (plain data only; a
code object, should one be planted, is refused like any other unknown type) and
the classes are named by module and name, resolved only inside this package,
and built only if their fields are exactly the fields written.

Layout (one `marshal` value): `(FORMAT, classes, body)`

- `classes`: `(module, name, fields)` per dataclass and `(module, name, None)` per enum;
- `body`: the value, where a dataclass instance is a list `[class number, *field values]`,
  an enum member a list `[class number, value]`, a list `[-1, *items]`; tuples,
  dicts, strings, bytes, numbers, booleans and None are themselves.

Strings are interned when written, so `marshal` stores each distinct one once
and interns it again when read. `digest` is a stable digest of a value's
encoding (the same value gives the same digest in any process).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib
import marshal
import sys
from collections.abc import Callable
from typing import Any

FORMAT = 1
_PACKAGE = "consistency_lint."
_LIST = -1
_SCALARS = (str, int, float, bool, bytes, type(None))


class DecodeError(ValueError):
    """The bytes are not a valid encoding for this version of the package."""


def encode(value: Any) -> bytes:
    """The bytes of `value` (dataclasses and enums of this package, containers, scalars)."""
    encoder = _Encoder()
    body = encoder.value(value)
    return marshal.dumps((FORMAT, tuple(encoder.table), body))


def digest(data: bytes) -> bytes:
    """A digest of encoded bytes that does not depend on the process that wrote them.

    `marshal`'s own bytes may differ between equal values (it shares objects
    by reference count); version 2 writes no references, so it is canonical.
    """
    return hashlib.blake2b(marshal.dumps(marshal.loads(data), 2), digest_size=16).digest()


def decode(data: bytes) -> Any:
    """The value encoded in `data`; raises `DecodeError` on anything unexpected."""
    try:
        loaded = marshal.loads(data)
    except (EOFError, ValueError, TypeError) as error:
        raise DecodeError(f"not readable: {error}") from None
    if not (isinstance(loaded, tuple) and len(loaded) == 3 and loaded[0] == FORMAT):
        raise DecodeError("unexpected layout")
    _, table, body = loaded
    if not isinstance(table, tuple):
        raise DecodeError("unexpected class table")
    builders = [_builder(entry) for entry in table]
    return _Decoder(builders).value(body)


class _Encoder:
    def __init__(self) -> None:
        self.classes: dict[type, int] = {}
        self.table: list[ClassEntry] = []

    def number(self, cls: type) -> int:
        found = self.classes.get(cls)
        if found is None:
            if not cls.__module__.startswith(_PACKAGE) or "." in cls.__qualname__:
                raise TypeError(f"{cls.__module__}.{cls.__qualname__} cannot be cached")
            names = None if issubclass(cls, enum.Enum) else _field_names(cls)
            found = len(self.table)
            self.classes[cls] = found
            self.table.append((cls.__module__, cls.__qualname__, names))
        return found

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return sys.intern(value)
        if isinstance(value, enum.Enum):
            return [self.number(kind), self.value(value.value)]
        if kind in _SCALARS:
            return value
        if kind is tuple:
            return tuple([self.value(item) for item in value])
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = dataclasses.fields(value)
            return [self.number(kind), *[self.value(getattr(value, f.name)) for f in fields]]
        if kind is list:
            return [_LIST, *[self.value(item) for item in value]]
        if kind is dict:
            return {self.value(k): self.value(v) for k, v in value.items()}
        raise TypeError(f"{type(value).__name__} cannot be cached")


Builder = Callable[[list[Any]], Any]
ClassEntry = tuple[str, str, "tuple[str, ...] | None"]
_BUILDERS: dict[ClassEntry, Builder] = {}


def _field_names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _builder(entry: Any) -> Builder:
    """How to build an instance of one class of the table; raises DecodeError if not allowed."""
    if not (isinstance(entry, tuple) and len(entry) == 3):
        raise DecodeError("unexpected class entry")
    found = _BUILDERS.get(entry)
    if found is not None:
        return found
    module, name, names = entry
    named = isinstance(module, str) and isinstance(name, str)
    if not (named and module.startswith(_PACKAGE) and "." not in name):
        raise DecodeError(f"class {module}.{name} is not allowed")
    try:
        cls = getattr(importlib.import_module(module), name, None)
    except ImportError:
        cls = None
    if not isinstance(cls, type):
        raise DecodeError(f"class {module}.{name} does not exist")
    if names is None:
        if not issubclass(cls, enum.Enum):
            raise DecodeError(f"{module}.{name} is not an enum")
        builder = _enum_builder(cls)
    else:
        if not dataclasses.is_dataclass(cls) or _field_names(cls) != names:
            raise DecodeError(f"{module}.{name} has other fields than the cache holds")
        builder = _dataclass_builder(cls, names)
    _BUILDERS[entry] = builder
    return builder


def _enum_builder(cls: type[enum.Enum]) -> Builder:
    def build(values: list[Any]) -> Any:
        if len(values) != 1:
            raise DecodeError(f"bad {cls.__name__} member")
        try:
            return cls(values[0])
        except ValueError:
            raise DecodeError(f"bad {cls.__name__} member") from None

    return build


def _dataclass_builder(cls: type, names: tuple[str, ...]) -> Builder:
    new = object.__new__
    setter = object.__setattr__
    count = len(names)
    slotted = not hasattr(cls, "__dict__") or "__slots__" in cls.__dict__

    def build(values: list[Any]) -> Any:
        if len(values) != count:
            raise DecodeError(f"bad {cls.__name__} record")
        instance: Any = new(cls)
        if slotted:
            for field_name, item in zip(names, values):
                setter(instance, field_name, item)
        else:
            setter(instance, "__dict__", dict(zip(names, values)))
        return instance

    return build


class _Decoder:
    """Rebuilds a value; scalars (most fields) are taken as they are, without a call."""

    def __init__(self, builders: list[Builder]) -> None:
        self.builders = builders

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind in _LEAVES:
            return value
        if kind is tuple:
            convert = self.value
            return tuple([item if type(item) in _LEAVES else convert(item) for item in value])
        if kind is list:
            if not value or type(value[0]) is not int:
                raise DecodeError("bad record")
            number = value[0]
            convert = self.value
            items = [item if type(item) in _LEAVES else convert(item) for item in value[1:]]
            if number == _LIST:
                return items
            if not 0 <= number < len(self.builders):
                raise DecodeError("bad class number")
            return self.builders[number](items)
        if kind is dict:
            return {self.value(k): self.value(v) for k, v in value.items()}
        raise DecodeError(f"{kind.__name__} is not data")


_LEAVES = frozenset(_SCALARS)
