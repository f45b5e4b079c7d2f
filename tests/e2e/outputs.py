"""The deployed stacks' outputs, as ``cdk deploy --outputs-file`` wrote them.

``python -m tests.e2e.outputs .local/outputs.json`` prints them (``make deploy-local``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


class StackOutputs:
    """Outputs of the deployed stacks: ``outputs["OrderFanOut"]["BillingQueueUrl"]``."""

    def __init__(self, *files: Path) -> None:
        self._stacks: dict[str, dict[str, str]] = {}
        for file in files:
            self._stacks.update(json.loads(file.read_text()))

    def __getitem__(self, stack: str) -> dict[str, str]:
        assert stack in self._stacks, (
            f"stack {stack} is not deployed (deployed: {sorted(self._stacks)})"
        )
        return self._stacks[stack]

    def stacks(self) -> list[str]:
        return sorted(self._stacks)


def main(paths: list[str]) -> None:
    outputs = StackOutputs(*(Path(path) for path in paths))
    for stack in outputs.stacks():
        print(stack)
        for key, value in sorted(outputs[stack].items()):
            print(f"  {key:42} {value}")


if __name__ == "__main__":
    main(sys.argv[1:])
