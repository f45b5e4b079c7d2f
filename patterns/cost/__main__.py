"""``python -m patterns.cost cdk.out``: each stack's fixed monthly cost and cost per message."""

from patterns.command_line import run
from patterns.cost.cli import PROG, main

if __name__ == "__main__":
    run(main, PROG)
