"""The shared naming policy and key facts that every pattern relies on."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from constructs import Construct

from patterns.keys import is_aws_managed, is_imported, key_name
from patterns.naming import check_name_length, deployed_stack, physical_name
from tests.helpers import new_app


def _two_stages() -> tuple[Construct, Construct]:
    app = new_app()
    dev = cdk.Stack(cdk.Stage(app, "Dev"), "Shop")
    prod = cdk.Stack(cdk.Stage(app, "Prod"), "Shop")
    return Construct(dev, "Thing"), Construct(prod, "Thing")


def test_names_differ_between_stages_of_one_app() -> None:
    dev, prod = _two_stages()
    assert physical_name(dev, max_length=80) != physical_name(prod, max_length=80)


def test_names_differ_between_stacks_that_share_a_construct_id() -> None:
    first = cdk.Stack(new_app(), "Shop", stack_name="shop-dev")
    second = cdk.Stack(new_app(), "Shop", stack_name="shop-prod")
    assert physical_name(Construct(first, "T"), max_length=80) != physical_name(
        Construct(second, "T"), max_length=80
    )


def test_a_name_keeps_room_for_its_suffix_and_digest() -> None:
    stack = cdk.Stack(new_app(), "S" * 60)
    scope = Construct(Construct(stack, "A" * 60), "B" * 60)
    name = physical_name(scope, max_length=50, separator="-", suffix=".fifo", create_only={"a": 1})
    assert len(name) == 50
    assert name.endswith(".fifo")


def test_the_digest_changes_with_the_create_only_properties_only() -> None:
    stack = cdk.Stack(new_app(), "Shop")
    scope = Construct(stack, "Broker")
    single = physical_name(scope, max_length=50, create_only={"mode": "SINGLE_INSTANCE"})
    again = physical_name(scope, max_length=50, create_only={"mode": "SINGLE_INSTANCE"})
    active = physical_name(scope, max_length=50, create_only={"mode": "ACTIVE_STANDBY_MULTI_AZ"})
    assert single == again
    assert single != active
    assert single[:-6] == active[:-6]


def test_the_digest_reads_tokens_in_their_cloudformation_form() -> None:
    stack = cdk.Stack(new_app(), "Shop")
    first = kms.Key(stack, "First")
    second = kms.Key(stack, "Second")
    scope = Construct(stack, "Broker")
    assert physical_name(scope, max_length=50, create_only={"key": first.key_arn}) != (
        physical_name(scope, max_length=50, create_only={"key": second.key_arn})
    )


def test_check_name_length_names_the_argument_the_name_and_the_limit() -> None:
    check_name_length("queue_name", "a" * 80, 80, "the queue name")
    with pytest.raises(
        ValueError,
        match=r"queue_name gives the dead-letter queue name 'a+-dlq' of 84 characters; "
        r"the limit is 80",
    ):
        check_name_length("queue_name", "a" * 80 + "-dlq", 80, "the dead-letter queue name")


def test_aws_managed_keys_are_recognised_by_alias_and_inside_tokens() -> None:
    stack = cdk.Stack(new_app(), "Keys")
    alias = kms.Alias.from_alias_name(stack, "Alias", "alias/aws/sqs")
    by_arn = kms.Key.from_key_arn(
        stack,
        "ByArn",
        stack.format_arn(service="kms", resource="alias", resource_name="aws/sqs"),
    )
    joined = kms.Key.from_key_arn(
        stack,
        "Joined",
        cdk.Fn.join("", ["arn:aws:kms:eu-west-1:", stack.account, ":alias/aws/sns"]),
    )
    customer = kms.Alias.from_alias_name(stack, "Mine", "alias/orders")
    own = kms.Key(stack, "Own")
    assert is_aws_managed(alias)
    assert is_aws_managed(by_arn)
    assert is_aws_managed(joined)
    assert not is_aws_managed(customer)
    assert not is_aws_managed(own)
    assert key_name(alias) == "alias/aws/sqs"


def test_imported_keys_are_told_from_keys_of_this_app() -> None:
    stack = cdk.Stack(new_app(), "Keys")
    assert is_imported(kms.Key.from_key_arn(stack, "K", "arn:aws:kms:eu-west-1:111122223333:key/1"))
    assert is_imported(kms.Alias.from_alias_name(stack, "A", "alias/orders"))
    own = kms.Key(stack, "Own")
    assert not is_imported(own)
    assert not is_imported(own.add_alias("alias/own"))


def test_deployed_stack_is_the_top_level_stack_through_nested_stacks() -> None:
    app = new_app()
    parent = cdk.Stack(app, "Shop")
    inner = cdk.NestedStack(cdk.NestedStack(parent, "Outer"), "Inner")
    assert deployed_stack(Construct(inner, "Thing")) is parent
    other = cdk.Stack(app, "Other")
    assert deployed_stack(Construct(other, "Thing")) is other
