"""Put freshly measured Markdown into README.md between its figures markers.

`python -m tests.bench.readme_figures NAME:FILE...` replaces the block between
<!-- figures:NAME:start --> and <!-- figures:NAME:end --> with FILE's text; the lines
between the markers are never edited by hand (scripts/update-readme-figures.sh).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path("README.md")


class MissingBlock(Exception):
    pass


def splice(text: str, name: str, body: str) -> str:
    start, end = f"<!-- figures:{name}:start -->", f"<!-- figures:{name}:end -->"
    if start not in text:
        raise MissingBlock(f"README.md has no {start} block")
    return re.sub(re.escape(start) + ".*?" + re.escape(end),
                  lambda _: f"{start}\n{body.strip()}\n{end}", text, flags=re.S)


def main(specs: list[str]) -> None:
    text = README.read_text(encoding="utf-8")
    for spec in specs:
        name, path = spec.split(":", 1)
        try:
            text = splice(text, name, Path(path).read_text(encoding="utf-8"))
        except MissingBlock as exc:
            sys.exit(str(exc))
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
