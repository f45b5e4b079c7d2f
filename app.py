#!/usr/bin/env python3
"""The example app: every example stack, checked by the five cdk-nag packs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# The jsii runtime behind aws-cdk-lib runs on the project's own Node (22, from package.json)
# when it is installed, also when the CLI or this file is run by hand rather than by make.
_PROJECT_NODE = Path(__file__).resolve().parent / "node_modules" / ".bin" / "node"
if _PROJECT_NODE.exists():
    os.environ.setdefault("JSII_NODE", str(_PROJECT_NODE))

from aws_cdk import App  # noqa: E402

from examples import EXAMPLES  # noqa: E402
from patterns.compliance import apply_compliance_checks  # noqa: E402


def build_app(outdir: str | None = None, context: dict[str, Any] | None = None) -> App:
    """Build the app with every example stack and the compliance gate applied."""
    app = App(outdir=outdir, context=context)
    for example in EXAMPLES:
        example.build(app)
    apply_compliance_checks(app)
    return app


if __name__ == "__main__":
    build_app().synth()
