"""``python -m patterns.cost cdk.out``: each stack's fixed monthly cost and cost per message."""

import sys

from patterns.cost.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
