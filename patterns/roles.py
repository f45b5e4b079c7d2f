"""IAM roles whose grants land in a customer-managed policy instead of an inline one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from constructs import Construct


class ManagedPolicyRole(iam.Role):
    """An ``iam.Role`` that collects every ``grant_*`` statement in one managed policy.

    CDK grants normally add an inline ``DefaultPolicy``, which the NIST 800-53, HIPAA and
    PCI DSS packs reject (IAMNoInlinePolicy): inline policies cannot be reviewed, reused or
    detached on their own. This role keeps the grant calls and puts the same statements in
    an ``AWS::IAM::ManagedPolicy`` (child ``"Policy"``) attached to it. The policy is created
    with the first statement: IAM refuses an empty policy, so a role without grants has none.

    The options are ``iam.Role``'s, with the same defaults. ``inline_policies`` still creates
    inline policies (the packs then report them): put statements in grants or in
    ``managed_policies`` instead.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        assumed_by: iam.IPrincipal,
        description: str | None = None,
        external_ids: Sequence[str] | None = None,
        inline_policies: Mapping[str, iam.PolicyDocument] | None = None,
        managed_policies: Sequence[iam.IManagedPolicy] | None = None,
        max_session_duration: Duration | None = None,
        path: str | None = None,
        permissions_boundary: iam.IManagedPolicy | None = None,
        role_name: str | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            assumed_by=assumed_by,
            description=description,
            external_ids=external_ids,
            inline_policies=inline_policies,
            managed_policies=managed_policies,
            max_session_duration=max_session_duration,
            path=path,
            permissions_boundary=permissions_boundary,
            role_name=role_name,
        )
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
