"""The README's command reference, generated from each command's ``--help``.

    python -m mlops_kg._reference --write README.md   # (make readme) regenerate
    python -m mlops_kg._reference --check README.md   # exit 1 when out of date (a test does this)
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

START, END = "<!-- commands:start -->", "<!-- commands:end -->"


def render(readme: str) -> str:
    from .cli import command_reference

    block = f"{START}\n\n{command_reference()}\n{END}"
    if START not in readme:
        raise SystemExit(f"README has no {START} ... {END} block")
    return re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _m: block, readme, flags=re.S)


def main(argv=None):
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2 or args[0] not in ("--write", "--check"):
        raise SystemExit("usage: python -m mlops_kg._reference --write|--check README.md")
    path = Path(args[1])
    current = path.read_text(encoding="utf-8")
    wanted = render(current)
    if args[0] == "--write":
        path.write_text(wanted, encoding="utf-8")
    elif wanted != current:
        raise SystemExit(f"{path}: command reference is out of date; run `make readme`")


if __name__ == "__main__":
    main()
