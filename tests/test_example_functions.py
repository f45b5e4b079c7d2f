"""Every Lambda function of the example stacks is traced and has a reserved concurrency.

The compliance answer the examples show for a function is the setting, not an
acknowledgement: X-Ray active tracing, and a reserved concurrency so one function cannot
starve the account's others (a Firehose transformation included).
"""

from __future__ import annotations

import pytest

from examples import EXAMPLES
from tests.helpers import SynthesizedApp


@pytest.mark.parametrize("stack_name", [example.stack_name for example in EXAMPLES])
def test_every_example_function_is_traced_with_a_reserved_concurrency(
    examples_app: SynthesizedApp, stack_name: str
) -> None:
    functions = examples_app.template(stack_name).find_resources("AWS::Lambda::Function")
    for key, function in functions.items():
        where = function["Metadata"]["aws:cdk:path"]
        properties = function["Properties"]
        assert properties.get("TracingConfig") == {"Mode": "Active"}, where or key
        assert properties.get("ReservedConcurrentExecutions", 0) >= 1, where or key


def test_the_truck_positions_check_is_among_them(examples_app: SynthesizedApp) -> None:
    functions = examples_app.template("TruckPositions").find_resources("AWS::Lambda::Function")
    paths = [function["Metadata"]["aws:cdk:path"] for function in functions.values()]
    assert "TruckPositions/CheckPosition/Resource" in paths
