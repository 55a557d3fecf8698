"""Framework query syntax comes from the packs: schema, merging and what the analysis reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from consistency_lint.analysis.packindex import PackIndex
from consistency_lint.app.packs import load_packs
from consistency_lint.domain.packs import PackError, parse_pack


def _pack(name: str = "p", **keys: object) -> dict[str, object]:
    return {"schema": 1, "name": name, **keys}


def test_syntax_keys_are_read() -> None:
    pack = parse_pack(
        _pack(
            **{
                "relation-separators": ["__"],
                "exact-lookups": ["exact"],
                "membership-lookups": ["in"],
                "primary-keys": ["pk"],
                "foreign-key-suffixes": ["_id"],
                "related-name-keywords": ["related_name"],
                "hidden-relation-suffixes": ["+"],
                "reverse-relation-name": "{name}_set",
                "self-relation-names": ["self"],
                "request-parameters": ["request"],
                "request-transaction-settings": ["ATOMIC_REQUESTS"],
                "settings-modules": ["settings*"],
                "model-modules": ["models"],
            }
        ),
        "p.toml",
    )
    syntax = PackIndex([pack], ()).syntax
    assert syntax.split("order__event__in") == ["order", "event", "in"]
    assert syntax.row_keys == {"pk", "pk__exact"}
    assert syntax.equality_tails == {"exact", "in", "pk"}
    assert syntax.column_relation("event_id", {"event": "m.Event"}) == "event"
    assert syntax.column_relation("event_id", {"order": "m.Order"}) == ""
    assert syntax.reverse_name == "{name}_set"
    assert syntax.request_parameters == ("request",)
    assert syntax.request_transaction_settings == ("ATOMIC_REQUESTS",)
    assert syntax.settings_modules == ("settings*",)


def test_without_syntax_a_keyword_is_one_name() -> None:
    syntax = PackIndex([parse_pack(_pack(), "p.toml")], ()).syntax
    assert syntax.split("order__event") == ["order__event"]
    assert syntax.row_keys == frozenset()
    assert syntax.key_matches("tenant_id", ["tenant"]) == ""
    assert syntax.key_matches("tenant", ["tenant"]) == "tenant"


def test_packs_merge_their_syntax() -> None:
    first = parse_pack(_pack("a", **{"foreign-key-suffixes": ["_id"]}), "a.toml")
    second = parse_pack(_pack("b", **{"foreign-key-suffixes": ["_pk", "_id"]}), "b.toml")
    assert PackIndex([first, second], ()).syntax.fk_suffixes == ("_id", "_pk")


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"reverse-relation-name": "{model}"}, "may use only the {name} placeholder"),
        ({"relation-separators": "__"}, "expected a list of strings"),
        ({"primary-keys": [""]}, "expected a non-empty string"),
        ({"primary-key": ["pk"]}, "did you mean 'primary-keys'?"),
        ({"calls": [{"target": "sig.receiver", "connects-arg": 0}]}, "'connects-method' go together"),
        (
            {
                "calls": [
                    {
                        "target": "sig.receiver",
                        "role": "publish",
                        "effect-kind": "task",
                        "connects-method": "connect",
                    }
                ]
            },
            "'connects-method' go together",
        ),
        (
            {
                "calls": [
                    {
                        "target": "sig.receiver",
                        "connects-arg": 0,
                        "connects-method": "connect",
                        "sender-keyword": "sender",
                    }
                ]
            },
            "'instance-keyword' go together",
        ),
        (
            {"calls": [{"target": "apps.get_model", "returns-app-model": ["app_label"]}]},
            "expected two parameter names",
        ),
    ],
)
def test_bad_syntax_keys_are_named(keys: dict[str, object], message: str) -> None:
    with pytest.raises(PackError, match=r"^p\.toml: ") as error:
        parse_pack(_pack(**keys), "p.toml")
    assert message in str(error.value)


def test_the_django_pack_declares_its_lookup_syntax() -> None:
    syntax = PackIndex(load_packs((), Path(".")), ()).syntax
    assert "__" in syntax.separators
    assert {"pk", "id", "pk__exact", "id__exact"} <= syntax.row_keys
    assert syntax.request_parameters == ("request",)
