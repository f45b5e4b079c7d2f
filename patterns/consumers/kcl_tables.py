"""The DynamoDB tables of a KCL application, created by the stack, and the workers' grants.

KCL creates its tables by itself when they are missing
(https://docs.aws.amazon.com/streams/latest/dev/kcl-dynamoDB.html): outside the stack, so
encrypted with an AWS-owned key, without point-in-time recovery, never deleted, and named after
the application, the same name in every stage that runs the same code. Here the stack creates
them with the keys KCL expects (``patterns.consumers.kcl``), names them per stack and stage,
and passes the names to the workers; KCL finds them with ``DescribeTable`` and uses them.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from patterns.compliance import acknowledge_all
from patterns.consumers import kcl

TABLE_KEY_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")
NO_BACKUP_PLAN = (
    "The table holds the KCL application's leases and checkpoints, not records: after a loss "
    "the workers start again from their initial position in the stream. Point-in-time "
    "recovery is on (any second of the last 35 days); an AWS Backup plan is the account's "
    "choice, applied by tag."
)


@dataclass(frozen=True)
class KclTables:
    """The lease table and, for KCL 3.x, the worker metrics and coordinator state tables."""

    lease_table: dynamodb.Table
    worker_metrics_table: dynamodb.Table | None
    coordinator_state_table: dynamodb.Table | None

    @property
    def all(self) -> list[dynamodb.Table]:
        """Every table, the lease table first."""
        tables = [self.lease_table, self.worker_metrics_table, self.coordinator_state_table]
        return [table for table in tables if table is not None]


def create_tables(
    scope: Construct,
    *,
    application_name: str,
    kcl_version: int,
    encryption_key: kms.IKey | None,
    removal_policy: RemovalPolicy,
) -> KclTables:
    """The tables KCL ``kcl_version`` uses for ``application_name`` (children ``LeaseTable``,
    ``WorkerMetricsTable``, ``CoordinatorStateTable``)."""
    lease_table = _table(
        scope,
        "LeaseTable",
        table_name=application_name,
        partition_key=kcl.LEASE_KEY,
        encryption_key=encryption_key,
        removal_policy=removal_policy,
    )
    if kcl_version == 2:
        return KclTables(lease_table, None, None)
    lease_table.add_global_secondary_index(
        index_name=kcl.LEASE_OWNER_INDEX,
        partition_key=dynamodb.Attribute(name=kcl.LEASE_OWNER, type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name=kcl.LEASE_KEY, type=dynamodb.AttributeType.STRING),
        projection_type=dynamodb.ProjectionType.KEYS_ONLY,
    )
    worker_metrics = _table(
        scope,
        "WorkerMetricsTable",
        table_name=kcl.worker_metrics_table_name(application_name),
        partition_key=kcl.WORKER_METRICS_KEY,
        encryption_key=encryption_key,
        removal_policy=removal_policy,
    )
    coordinator_state = _table(
        scope,
        "CoordinatorStateTable",
        table_name=kcl.coordinator_state_table_name(application_name),
        partition_key=kcl.COORDINATOR_STATE_KEY,
        encryption_key=encryption_key,
        removal_policy=removal_policy,
    )
    return KclTables(lease_table, worker_metrics, coordinator_state)


def _table(
    scope: Construct,
    construct_id: str,
    *,
    table_name: str,
    partition_key: str,
    encryption_key: kms.IKey | None,
    removal_policy: RemovalPolicy,
) -> dynamodb.Table:
    """On-demand (KCL's own default, and no capacity to plan), point-in-time recovery on,
    encrypted with ``encryption_key`` (else the account's AWS-managed DynamoDB key)."""
    table = dynamodb.Table(
        scope,
        construct_id,
        table_name=table_name,
        partition_key=dynamodb.Attribute(name=partition_key, type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        encryption=(
            dynamodb.TableEncryption.CUSTOMER_MANAGED
            if encryption_key is not None
            else dynamodb.TableEncryption.AWS_MANAGED
        ),
        encryption_key=encryption_key,
        removal_policy=removal_policy,
    )
    acknowledge_all(
        table,
        {
            f"{pack}::{pack}-DynamoDBInBackupPlan": NO_BACKUP_PLAN
            for pack in ("NIST.800.53.R5", "HIPAA.Security")
        },
    )
    return table


def grant_tables(role: iam.IRole, tables: KclTables, kcl_version: int) -> None:
    """The DynamoDB statements of the KCL permissions page (``kcl.KCL_IAM_DOC``), each on its
    own tables (and index), without ``CreateTable`` (the stack created them); and the key."""
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="KclLeaseTable",
            actions=list(kcl.LEASE_TABLE_ACTIONS[kcl_version]),
            resources=[tables.lease_table.table_arn],
        )
    )
    metadata = [t for t in (tables.worker_metrics_table, tables.coordinator_state_table) if t]
    if metadata:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="KclWorkerMetricsAndCoordinatorStateTables",
                actions=list(kcl.METADATA_TABLE_ACTIONS),
                resources=[table.table_arn for table in metadata],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="KclLeaseOwnerIndex",
                actions=list(kcl.LEASE_INDEX_ACTIONS),
                resources=[f"{tables.lease_table.table_arn}/index/{kcl.LEASE_OWNER_INDEX}"],
            )
        )
    key = tables.lease_table.encryption_key
    if key is not None:
        # What DynamoDB asks KMS for on the caller's behalf, and only through DynamoDB:
        # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="KclTablesKeyThroughDynamoDB",
                actions=list(TABLE_KEY_ACTIONS),
                resources=[key.key_arn],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": f"dynamodb.{Stack.of(role).region}.amazonaws.com"
                    }
                },
            )
        )
