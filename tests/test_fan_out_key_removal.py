"""What the fan-out says about its topic key is what it synthesizes.

Keys follow what they encrypt; a topic holds messages in transit, so it and its key are
destroyed with the stack. The option's docstring must say so.
"""

from __future__ import annotations

import inspect
import re

import aws_cdk as cdk
from aws_cdk.assertions import Template

from patterns import SnsToSqsFanOut
from tests.helpers import by_path, new_app


def _encryption_key_doc() -> str:
    doc = inspect.getdoc(SnsToSqsFanOut.__init__) or ""
    found = re.search(r":param encryption_key:(.*?)(?=:param |\Z)", doc, re.S)
    assert found is not None
    return " ".join(found.group(1).split())


def test_the_encryption_key_docstring_says_what_the_template_does() -> None:
    stack = cdk.Stack(new_app(), "Keys")
    SnsToSqsFanOut(stack, "Orders")
    key = by_path(Template.from_stack(stack), "AWS::KMS::Key", "/Orders/EncryptionKey/Resource")
    assert key["DeletionPolicy"] == "Delete"
    doc = _encryption_key_doc()
    assert "retain" not in doc.lower(), doc
    assert "destroyed with the topic" in doc, doc
