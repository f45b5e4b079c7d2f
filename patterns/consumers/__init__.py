"""Consumers with safe defaults: Lambda functions on queues and streams, and worker fleets.

Each module is loaded only when a pattern's ``add_*_consumer`` method (or the public name in
``patterns``) is used, so a pattern without consumers loads no Lambda or ECS module.
"""
