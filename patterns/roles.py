"""IAM roles whose grants land in a customer-managed policy instead of an inline one."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_iam as iam
from constructs import Construct


class ManagedPolicyRole(iam.Role):
    """An ``iam.Role`` that collects every ``grant_*`` statement in one managed policy.

    CDK grants normally add an inline ``DefaultPolicy``, which the NIST 800-53, HIPAA and
    PCI DSS packs reject (IAMNoInlinePolicy): inline policies cannot be reviewed, reused or
    detached on their own. This role keeps the grant calls and puts the same statements in
    an ``AWS::IAM::ManagedPolicy`` (child ``"Policy"``) attached to it. The policy is created
    with the first statement: IAM refuses an empty policy, so a role without grants has none.
    """

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self._managed_policy: iam.ManagedPolicy | None = None

    @property
    def managed_policy(self) -> iam.ManagedPolicy | None:
        """The managed policy that holds the role's grants; ``None`` until the first grant."""
        return self._managed_policy

    def add_to_principal_policy(
        self, statement: iam.PolicyStatement
    ) -> iam.AddToPrincipalPolicyResult:
        if self._managed_policy is None:
            self._managed_policy = iam.ManagedPolicy(self, "Policy", roles=[self])
        self._managed_policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(
            statement_added=True, policy_dependable=self._managed_policy
        )
