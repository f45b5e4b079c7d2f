#!/usr/bin/env python3
"""The example app: every example stack, checked by the five cdk-nag packs."""

from __future__ import annotations

from typing import Any

from aws_cdk import App

from examples import EXAMPLES
from patterns.compliance import apply_compliance_checks


def build_app(outdir: str | None = None, context: dict[str, Any] | None = None) -> App:
    """Build the app with every example stack and the compliance gate applied."""
    app = App(outdir=outdir, context=context)
    for example in EXAMPLES:
        example.build(app)
    apply_compliance_checks(app)
    return app


if __name__ == "__main__":
    build_app().synth()
