#!/usr/bin/env python3
"""A stdio INDI driver (stdlib only) that reports the environment indiserver gives it.

Device: ``$INDIDEV``, else ``EnvReport``. Text vector ENV (read-only) holds
INDIDEV, INDICONFIG, INDISKEL and INDIPREFIX (``(unset)`` when absent) and
ARGV0. On each ``getProperties`` it also sends two messages: one with the fixed
timestamp 2024-01-02T03:04:05 (``hello from DEVICE``) and one without a
timestamp (``no timestamp from DEVICE``), for indiserver's ``-l`` log. It exits
when its input closes, or with status ``$ENV_EXIT`` right away when that is set.
"""

import os
import sys
from xml.sax.saxutils import escape, quoteattr

NAMES = ("INDIDEV", "INDICONFIG", "INDISKEL", "INDIPREFIX")
DEV = os.environ.get("INDIDEV") or "EnvReport"


def out(text: str) -> None:
    os.write(1, text.encode() + b"\n")


def define() -> None:
    values = {name: os.environ.get(name, "(unset)") for name in NAMES}
    values["ARGV0"] = sys.argv[0]
    members = "".join(
        f"<defText name={quoteattr(k)}>{escape(v)}</defText>" for k, v in values.items()
    )
    out(
        f'<defTextVector device={quoteattr(DEV)} name="ENV" state="Ok" perm="ro">'
        f"{members}</defTextVector>"
    )
    out(
        f'<message device={quoteattr(DEV)} timestamp="2024-01-02T03:04:05" '
        f"message={quoteattr('hello from ' + DEV)}/>"
    )
    out(f"<message device={quoteattr(DEV)} message={quoteattr('no timestamp from ' + DEV)}/>")


def main() -> None:
    if os.environ.get("ENV_EXIT"):
        sys.stderr.write("env driver: exiting at once\n")
        sys.exit(int(os.environ["ENV_EXIT"]))
    sys.stderr.write(f"env driver {DEV} starting\n")
    sys.stderr.flush()
    buffer = b""
    while True:
        data = os.read(0, 65536)
        if not data:
            return
        buffer += data
        while b"<getProperties" in buffer:
            _, _, buffer = buffer.partition(b"<getProperties")
            define()


if __name__ == "__main__":
    main()
