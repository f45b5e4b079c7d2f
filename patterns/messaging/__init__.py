"""Messaging across resources, read from synthesized templates (pure Python, no aws_cdk import
except in ``pack``).

- ``model``: one template as a graph of resources, references followed to their targets;
- ``policies``: what keys, resource policies, Lambda permissions and roles allow;
- ``connections``: who sends to whom (subscriptions, notifications, redrives, mappings, ...);
- ``rules``: the ``MessagingChecks`` rules, one module per service;
- ``assembly``: every template of a cloud assembly (nested stacks and stages included);
- ``pack``: ``MessagingChecks``, the cdk-nag pack that runs the rules at synth;
- ``flows``: the graph of message paths with each hop's verdict (``python -m patterns.flows``).
"""
