"""The keyword arguments of ``crawl()`` as the JSON of a ``CrawlSpec``.

The options are the spec's fields: the long flags of ``crawl`` with ``_`` for ``-``. The
Rust side reads the JSON with serde and validates it with the library's own code, so the
checks and messages are the command line's. Here only the Python conveniences are mapped
to the spec's JSON form: ``concurrency``, ``render_concurrency`` and ``chromium``
(``worker.*`` in the spec),
``same_domain``/``any_host`` (``hosts``), a header dict or ``"Name: value"`` strings, a
``"name:password"`` user, a single string for a list, and paths.
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Mapping

from . import _native

#: Options that are lists in the spec; a single string is taken as a list of one.
_LISTS = frozenset({"prefix", "include", "exclude", "cookie", "links", "header"})

#: Spec fields that are not options.
_NOT_OPTIONS = frozenset({"schema"})

#: Options of this package that are not spec fields (mapped below).
_EXTRA = frozenset(
    {"concurrency", "same_domain", "any_host", "render_concurrency", "chromium", "since"}
)


def _fields() -> frozenset[str]:
    return frozenset(_native.spec_fields()) - _NOT_OPTIONS


def option_names() -> list[str]:
    """The names of every crawl option, sorted."""
    return sorted(_fields() | _EXTRA)


def _header(item: Any) -> dict[str, str]:
    if isinstance(item, Mapping):
        return dict(item)
    if isinstance(item, tuple) and len(item) == 2:
        return {"name": str(item[0]), "value": str(item[1])}
    if isinstance(item, str):
        name, colon, value = item.partition(":")
        if colon and name.strip():
            return {"name": name.strip(), "value": value.strip()}
    raise ValueError(f"invalid value for option `header`: {item!r} is not 'Name: value'")


def _headers(value: Any) -> list[dict[str, str]]:
    if isinstance(value, Mapping) and not {"name", "value"} >= set(value):
        return [{"name": str(k), "value": str(v)} for k, v in value.items()]
    if isinstance(value, (str, Mapping)):
        value = [value]
    return [_header(item) for item in value]


def _user(value: Any) -> Any:
    if isinstance(value, str):
        name, colon, password = value.partition(":")
        return {"name": name, "password": password if colon else None}
    if isinstance(value, tuple) and len(value) == 2:
        return {"name": value[0], "password": value[1]}
    return value


def _value(name: str, value: Any) -> Any:
    if name == "header":
        return _headers(value)
    if name == "user":
        return _user(value)
    if name == "root" and value is not None:
        return os.fspath(value)
    if name in _LISTS and not isinstance(value, (list, tuple)):
        return [value] if isinstance(value, str) else list(value)
    return value


def spec_json(function: str, depth: int, options: Mapping[str, Any]) -> str:
    """The JSON of the spec for ``function(seeds, depth=depth, **options)``.

    Raises TypeError for an unknown option and ValueError for a value that cannot be put in
    the spec's form (the Rust side checks the rest).
    """
    fields = _fields()
    spec: dict[str, Any] = {"depth": depth}
    worker: dict[str, Any] = {}
    for name, value in options.items():
        if name == "concurrency":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(
                    f"invalid value for option `concurrency`: {value!r} is not an integer"
                )
            worker["concurrency"] = value
        elif name == "render_concurrency":
            worker["render_concurrency"] = value
        elif name == "chromium":
            worker["chromium"] = None if value is None else os.fspath(value)
        elif name in ("same_domain", "any_host"):
            if value:
                spec["hosts"] = name
        elif name == "worker":
            worker.update(value)
        elif name == "since":
            # Not a setting but the previous crawl's export to revalidate against: the Rust
            # side takes it out of the spec and reads it.
            if value is not None:
                spec["since"] = os.fspath(value)
        elif name in fields:
            spec[name] = _value(name, value)
        else:
            raise TypeError(f"{function}() got an unexpected keyword argument '{name}'")
    if worker:
        spec["worker"] = worker
    try:
        return json.dumps(spec, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise ValueError(f"invalid crawl options: {err}") from None


def seed_list(seeds: str | Iterable[str]) -> list[str]:
    """The seeds as a list: one URL, or any iterable of them."""
    if isinstance(seeds, str):
        return [seeds]
    return [os.fspath(seed) if not isinstance(seed, str) else seed for seed in seeds]
