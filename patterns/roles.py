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

    :param assumed_by: Who may assume the role, e.g.
        ``iam.ServicePrincipal("ecs-tasks.amazonaws.com")``.
    :param description: The role's description in IAM, up to 1,000 characters. Default: none.
    :param external_ids: External IDs the assuming principal must pass, for a role a third
        party assumes. Default: none (no ``sts:ExternalId`` condition).
    :param inline_policies: Policy documents embedded in the role, by name; the compliance
        packs report them (IAMNoInlinePolicy). Default: none.
    :param managed_policies: Managed policies to attach besides the one the grants create,
        e.g. ``iam.ManagedPolicy.from_aws_managed_policy_name(...)``. Default: none.
    :param max_session_duration: How long a session of the role may last, 1 to 12 hours.
        Default: 1 hour.
    :param path: The role's IAM path. Default: ``/``.
    :param permissions_boundary: A managed policy that caps what the role may do, whatever
        its policies grant. Default: none.
    :param role_name: A physical name for the role. Default: a name CloudFormation
        generates, so the role can be replaced without a name clash.
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
        """Add ``statement`` to the role's managed policy, creating the policy (child
        ``"Policy"``) with the first statement. Every ``grant_*`` call on the role comes here,
        so grants land in the managed policy instead of an inline ``DefaultPolicy``.

        :param statement: The statement to add; the role is its principal.
        :return: That the statement was added, and the managed policy as what depends on it
            (``policy_dependable``): a resource that needs the permission at deploy time waits
            for the policy.
        """
        if self._managed_policy is None:
            self._managed_policy = iam.ManagedPolicy(self, "Policy", roles=[self])
        self._managed_policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(
            statement_added=True, policy_dependable=self._managed_policy
        )
