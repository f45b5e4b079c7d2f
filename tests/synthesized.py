"""An App synthesized once, its stacks' templates (nested ones too) read from the cloud
assembly: ``Template.from_stack`` and ``Annotations.from_stack`` synthesize the whole App again
on every call, so a test reading several stacks of one App pays for several syntheses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template


class SynthesizedOnce:
    """``app`` synthesized now; ``template(stack)`` for any stack of it, nested or not."""

    def __init__(self, app: cdk.App) -> None:
        self.directory = Path(app.synth().directory)

    def template_json(self, stack: cdk.Stack) -> dict[str, Any]:
        """The stack's template as written (no round trip to Node)."""
        return dict(json.loads((self.directory / stack.template_file).read_text()))

    def template(self, stack: cdk.Stack) -> Template:
        return Template.from_json(self.template_json(stack))
