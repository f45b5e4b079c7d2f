"""Launcher for localstack-core on the host: a loopback-only guard, then LocalStack's own main.

- An audit hook refuses (OSError) any name lookup of, or connect()/sendto() to, a
  non-loopback address from this Python process and logs it as ``LOOPBACK-GUARD blocked``.
- LocalStack resolves ``s3.<LOCALSTACK_HOST>`` once when S3 starts; its cache is preset so
  no DNS query is made.
- S3 object storage is hardcoded to /tmp/localstack-s3-storage; it is moved under
  FILESYSTEM_ROOT (the project's .local/ folder).
"""

from __future__ import annotations

import os
import runpy
import sys
from typing import Any

_LOOPBACK = ("127.", "::1", "localhost")
_NAME_EVENTS = ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex")


def _is_local(host: object) -> bool:
    if host is None or isinstance(host, bytes | bytearray):
        return True
    return str(host).startswith(_LOOPBACK) or str(host) in ("", "0.0.0.0")


def _guard(event: str, args: tuple[Any, ...]) -> None:
    if event in _NAME_EVENTS:
        host = args[0]
    elif event in ("socket.connect", "socket.sendto"):
        address = args[1]
        if not isinstance(address, tuple):  # a Unix socket path
            return
        host = address[0]
    else:
        return
    if not _is_local(host):
        sys.stderr.write(f"LOOPBACK-GUARD blocked {event} {host!r}\n")
        sys.stderr.flush()
        raise OSError(f"non-loopback network access blocked: {host!r}")


def main() -> None:
    sys.addaudithook(_guard)
    import localstack.services.s3.provider as s3_provider
    import localstack.utils.aws.aws_stack as aws_stack

    aws_stack.CACHE_S3_HOSTNAME_DNS_STATUS = False  # "localhost" for internal S3 clients
    s3_provider.DEFAULT_S3_TMP_DIR = os.path.join(
        os.environ["FILESYSTEM_ROOT"], "tmp", "localstack-s3-storage"
    )
    sys.argv = ["localstack"]
    runpy.run_module("localstack.runtime.main", run_name="__main__")


if __name__ == "__main__":
    main()
