"""MkDocs hook: links in the tutorial notebooks, checked and pointed at the site's pages.

A notebook links the way a code host reads it (`02_chain_rule.ipynb`, `../nn.md`,
`../gallery/apple.html`); mkdocs-jupyter renders it without MkDocs's link handling, so
those links would break on the site (and a wrong one would pass unnoticed). Each relative
link of a notebook page is resolved like a Markdown page's: to the URL of the page or file
it names, or a warning, which fails `mkdocs build --strict`."""

from __future__ import annotations

import logging
import posixpath
import re
from typing import Any

from mkdocs.structure.files import Files

log = logging.getLogger("mkdocs.hooks.notebook_links")
HREF = re.compile(r'(?P<attr>href|src)="(?P<target>[^"#:]*?)(?P<anchor>#[^"]*)?"')


def site_link(target: str, page_src: str, page_url: str, files: Files) -> str | None:
    """The site URL (relative to the page) of `target` as written in `page_src`, or None."""
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page_src), target))
    file = files.get_file_from_path(resolved)
    if file is None:
        return None
    base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url)
    return posixpath.relpath(file.url or ".", base or ".") + ("/" if file.url.endswith("/") else "")


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return html

    def point_at_page(match: re.Match[str]) -> str:
        target = match.group("target")
        if not target or target.startswith("/") or match.group("attr") == "src":
            return match.group(0)  # same-page anchors, absolute paths, inline images
        url = site_link(target, page.file.src_uri, page.url, files)
        if url is None:
            log.warning(f"notebook {page.file.src_uri} links to {target!r}, which does not exist")
            return match.group(0)
        return f'{match.group("attr")}="{url}{match.group("anchor") or ""}"'

    return HREF.sub(point_at_page, html)
