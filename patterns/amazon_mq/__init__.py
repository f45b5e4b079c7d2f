"""``AmazonMqBroker``: a private, highly available Amazon MQ broker (ActiveMQ or RabbitMQ).

For applications that speak open protocols (OpenWire, AMQP, STOMP, MQTT, WSS) and cannot be
re-engineered for SQS and SNS. aws-cdk-lib only has the L1 ``CfnBroker``; this pattern adds
the secure defaults around it: private subnets, a security group that opens exactly the
chosen ports to exactly the chosen peers, a generated admin password that reaches the broker
as a Secrets Manager dynamic reference, CloudWatch logs with their resource policy, a
customer-managed key (ActiveMQ) and alarms on CPU, memory and storage.

The modules:

- ``broker``: the construct;
- ``options``: the engine, protocol and maintenance-window types, what AWS allows for them
  (ports, versions, instance types, deployment modes) and their validation;
- ``network``: subnets, peers, the world-open ingress checks, endpoints;
- ``broker_name``: the generated name and the create-only properties behind its digest;
- ``admin``: the admin user and its generated secret;
- ``log_policy``: the CloudWatch Logs resource policy for the broker's logs;
- ``monitoring``: metrics, alarms and the dashboard section.
"""

from patterns.amazon_mq.broker import AmazonMqBroker
from patterns.amazon_mq.broker_name import CREATE_ONLY_PROPERTIES
from patterns.amazon_mq.options import BrokerEngine, BrokerProtocol, MaintenanceWindow

__all__ = [
    "CREATE_ONLY_PROPERTIES",
    "AmazonMqBroker",
    "BrokerEngine",
    "BrokerProtocol",
    "MaintenanceWindow",
]
