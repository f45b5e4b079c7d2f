"""Messaging across resources, read from synthesized templates (pure Python, no aws_cdk import
except in ``pack``).

- ``model``: one template as a graph of resources, references followed to their targets;
- ``permissions``: what keys, resource policies, Lambda permissions and roles allow;
- ``connections``: who sends to whom (subscriptions, notifications, redrives, mappings, ...);
- ``rules``: the ``MessagingChecks`` rules, one module per service;
- ``assembly``: ``check_assembly``, every finding of the rules over a cloud assembly (read by
  ``patterns.cloud_assembly``: nested stacks and stages included);
- ``pack``: ``MessagingChecks``, the cdk-nag pack that runs the rules at synth;
- ``linking``: references between the templates of an assembly (nested stacks, exports,
  stack outputs) followed: ``AssemblyModel``, the whole assembly as the one model the rules
  run on;
- ``flow_model``, ``flows``, ``flow_render``: the graph of message paths with each hop's verdict,
  how it is read from the templates, and its DOT source and text summary
  (``python -m patterns.flows``), and ``flow_json`` its JSON;
- ``report``, ``baseline``, ``sarif``: what ``python -m patterns.checks`` writes (text and
  JSON, baselines, SARIF 2.1.0).
"""
