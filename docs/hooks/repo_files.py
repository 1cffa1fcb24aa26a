"""MkDocs hook: the guides link to the repository's example scripts (`../examples/x.py`),
which a code host opens but which lie outside `docs/`. The scripts are copied into the site
(`examples/`) and such links are pointed at the copies, so both views work and a link to a
script that does not exist still fails `mkdocs build --strict`."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

SHARED = ("examples",)  # repository folders whose files the site carries
LINK = re.compile(r"\]\((?P<target>(?:\.\./)+(?P<rest>[^)#\s]+))\)")


def on_files(files: Files, config: Any) -> Files:
    root = Path(config["docs_dir"]).parent
    for folder in SHARED:
        for path in sorted((root / folder).glob("*.py")):
            uri = path.relative_to(root).as_posix()
            files.append(File(uri, str(root), config["site_dir"], config["use_directory_urls"]))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    page_dir = posixpath.dirname(page.file.src_uri)
    depth = len(page_dir.split("/")) if page_dir else 0

    def point_at_copy(match: re.Match[str]) -> str:
        target = match.group("target")
        ups = target.count("../")
        resolved = posixpath.normpath(posixpath.join("docs", page_dir, target))
        if ups != depth + 1 or files.get_file_from_path(resolved) is None:
            return match.group(0)  # not a repository file the site carries: left to MkDocs
        return "](" + posixpath.relpath(resolved, page_dir or ".") + ")"

    return LINK.sub(point_at_copy, markdown)
