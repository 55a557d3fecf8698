"""A data-only encoding of the engine's results for the cache: dataclasses as flat tuples.

Generic over this package's dataclasses: what is written is derived from each
class's fields, so a new field of a summary needs no change here. Loading can
never execute anything: the bytes are read with `marshal` (plain data only) and
the classes are named by module and name, resolved only inside this package,
and built only if their fields are exactly the fields written.

Decoding is about as fast as unpickling, and builds objects half the size
(see `_dataclass_builder`): what each field may hold is decided once
per class from its annotations (`_field_kinds`), not once per value. A field
declared as scalars (or tuples and dicts of them) is taken as `marshal` gives
it; the others are converted, and conversion refuses anything that is not
data (a code object, a set) where it looks. A value `marshal` can give in a
plain field is data too, and inert: a code object there (only a file whose
signature verifies could hold one, see `cache`) is never called.

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
import functools
import hashlib
import importlib
import marshal
import sys
import types
import typing
from collections.abc import Callable
from itertools import islice
from typing import Any, Literal, Union

FORMAT = 1
_PACKAGE = "consistency_lint."
_LIST = -1


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
    built = [_builder(entry) for entry in table]
    numbers = {cls: number for number, (cls, _) in enumerate(built)}
    return _converter([builder for _, builder in built], numbers)(body)


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


Convert = Callable[[Any], Any]
# Builds one instance from its record `[class number, *field values]`, converting with the
# decode's `Convert` the fields that may hold records; the last argument maps the classes of
# this encoding's table to their numbers.
Builder = Callable[[list[Any], Convert, dict[type, int]], Any]
ClassEntry = tuple[str, str, "tuple[str, ...] | None"]
_BUILDERS: dict[ClassEntry, tuple[type, Builder]] = {}
_SCALARS = (str, int, float, bool, bytes, type(None))
_LEAVES = frozenset(_SCALARS)


def _field_names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _builder(entry: Any) -> tuple[type, Builder]:
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
    _BUILDERS[entry] = (cls, builder)
    return cls, builder


def _enum_builder(cls: type[enum.Enum]) -> Builder:
    def build(record: list[Any], convert: Convert, numbers: dict[type, int]) -> Any:
        if len(record) != 2:
            raise DecodeError(f"bad {cls.__name__} member")
        try:
            return cls(record[1])
        except ValueError:
            raise DecodeError(f"bad {cls.__name__} member") from None

    return build


def _dataclass_builder(cls: type, names: tuple[str, ...]) -> Builder:
    """A builder made for the class: its fields read by position, the plain ones without a look.

    A field whose declared type holds only scalars, and tuples and dicts of
    them (`int`, `str | None`, `Literal["a", "b"]`, `tuple[str, ...]`), was
    written as itself and is taken as `marshal` gives it: that is most of the
    fields, checked once per class instead of once per value. The others (a
    dataclass, an enum, a list, anything the annotations do not resolve) go
    through `convert`, which refuses what is not data.

    The builder is compiled from the class's own field names (identifiers of
    this package's dataclasses, never text from the cache: the cache only
    selects the class, and only when its field names are exactly the class's),
    as `dataclasses` compiles `__init__`. It stores the fields one by one, in
    their declared order, into the instance's own `__dict__`: that dict then
    shares its keys with every instance of the class (PEP 412) and holds only
    the values. A `__dict__` assigned whole (a dict display) holds its keys
    too: on the medium benchmark project the summaries took 36 MB so, 18 MB
    now, and decoding is faster (one item store per field, no call).
    """
    if not all(name.isidentifier() for name in names):
        raise DecodeError(f"{cls.__name__} has a field that is not an identifier")
    plain, records = _field_kinds(cls)
    scope: dict[str, Any] = {
        "new": object.__new__,
        "setter": object.__setattr__,
        "cls": cls,
        "leaves": _LEAVES,
        "DecodeError": DecodeError,
        "message": f"bad {cls.__name__} record",
    }
    lines = [f"    if len(record) != {len(names) + 1}:", "        raise DecodeError(message)"]
    slotted = "__slots__" in cls.__dict__
    values: list[str] = []
    for position, name in enumerate(names, start=1):
        item = f"record[{position}]"
        flat = _flat_class(cls, name)
        if flat is not None:
            # A field of one class whose fields are all plain (a `Span`): built right here
            # when the record is of that class in this file's table, without two calls.
            flat_names = _field_names(flat)
            scope[f"flat_{position}"] = flat
            lines += [
                f"    value = {item}",
                f"    if type(value) is list and len(value) == {len(flat_names) + 1}"
                f" and value[0] == numbers.get(flat_{position}, -2):",
                f"        field_{position} = new(flat_{position})",
                f"        fields = field_{position}.__dict__",
                *[f"        fields[{other!r}] = value[{at}]" for at, other in enumerate(flat_names, start=1)],
                "    else:",
                f"        field_{position} = value if type(value) in leaves else convert(value)",
            ]
            item = f"field_{position}"
        elif name in records:  # a tuple of records: each one converted, with no look at the tuple's items
            item = f"tuple([convert(one) for one in {item}]) if type({item}) is tuple else convert({item})"
        elif name not in plain:  # a call only for a value that is not a scalar
            item = f"{item} if type({item}) in leaves else convert({item})"
        store = f"    setter(instance, {name!r}, {{}})" if slotted else f"    fields[{name!r}] = {{}}"
        values.append(store.format(item))
    lines += ["    instance = new(cls)", *([] if slotted else ["    fields = instance.__dict__"]), *values]
    source = "\n".join(["def build(record, convert, numbers):", *lines, "    return instance", ""])
    exec(compile(source, f"<codec builder for {cls.__module__}.{cls.__qualname__}>", "exec"), scope)
    return typing.cast(Builder, scope["build"])


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """The resolved annotations of `cls`; none when one does not resolve at run time (every
    field is then converted)."""
    try:
        return typing.get_type_hints(cls)
    except Exception:
        return {}


@functools.cache
def _field_kinds(cls: type) -> tuple[frozenset[str], frozenset[str]]:
    """The fields of `cls` whose declared type is plain data (see `_plain`), and those
    declared as tuples of dataclasses or enums (`tuple[Op | Branch, ...]`)."""
    hints = _hints(cls)
    fields = [(name, hints[name]) for name in _field_names(cls) if name in hints]
    plain = frozenset(name for name, hint in fields if _plain(hint))
    records = frozenset(name for name, hint in fields if _records(hint))
    return plain, records


def _flat_class(cls: type, name: str) -> type | None:
    """The class field `name` of `cls` is declared as, when that is one dataclass (with a
    `__dict__`) whose fields are all plain data; None otherwise."""
    hint = _hints(cls).get(name)
    if not (isinstance(hint, type) and dataclasses.is_dataclass(hint)):
        return None
    if not hasattr(hint, "__dict__") or "__slots__" in hint.__dict__:
        return None
    names = _field_names(hint)
    plain, _ = _field_kinds(hint)
    return hint if all(n.isidentifier() and n in plain for n in names) else None


def _records(hint: Any) -> bool:
    """Whether `hint` is `tuple[X, ...]` where every X is a class encoded as a record."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is not tuple or len(args) != 2 or args[1] is not Ellipsis:
        return False
    item = args[0]
    options = typing.get_args(item) if typing.get_origin(item) in (Union, types.UnionType) else (item,)
    return all(
        isinstance(option, type) and (dataclasses.is_dataclass(option) or issubclass(option, enum.Enum))
        for option in options
    )


def _plain(hint: Any) -> bool:
    """Whether values of type `hint` are encoded as themselves (scalars, tuples and dicts of them)."""
    if hint in _SCALARS or hint is None:
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return all(type(arg) in _LEAVES for arg in args)
    if origin is Union or origin is types.UnionType:
        return all(_plain(arg) for arg in args)
    if origin is tuple or origin is dict:
        return bool(args) and all(arg is Ellipsis or _plain(arg) for arg in args)
    return False


def _converter(builders: list[Builder], numbers: dict[type, int]) -> Convert:
    """Rebuilds a value of one decode; scalars (most fields) are taken as they are, without a call."""
    count = len(builders)

    def convert(value: Any) -> Any:
        kind = type(value)
        if kind is list:
            number = value[0] if value else None
            if type(number) is not int:
                raise DecodeError("bad record")
            if number == _LIST:
                return [item if type(item) in _LEAVES else convert(item) for item in islice(value, 1, None)]
            if not 0 <= number < count:
                raise DecodeError("bad class number")
            return builders[number](value, convert, numbers)
        if kind is tuple:
            return tuple([item if type(item) in _LEAVES else convert(item) for item in value])
        if kind in _LEAVES:
            return value
        if kind is dict:
            return {convert(k): convert(v) for k, v in value.items()}
        raise DecodeError(f"{kind.__name__} is not data")

    return convert
