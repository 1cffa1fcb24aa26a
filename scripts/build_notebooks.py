"""Build the tutorial notebooks, English and Korean, from one source; or check them.

Each notebook has one source, `docs/tutorial/source/NN_name.py`, in the percent format that
editors and jupytext read (`# %%` starts a cell). Code cells are shared by both editions;
text cells come in pairs, `# %% [markdown] lang=en` followed by `# %% [markdown] lang=ko`.
In the Korean edition, every string literal of the code that `source/glossary.ko.toml`
lists is replaced by its Korean (so `Value(100, label="apple")` becomes `label="사과"` and
the figures are labelled 사과, 귤, 소비세); a code cell marked `lang=en` / `lang=ko` belongs
to one edition only. `tags=nondeterministic` marks a cell whose outputs (timings, training
curves) are not compared.

    python scripts/build_notebooks.py               # assemble, execute, write docs/tutorial
    python scripts/build_notebooks.py --check       # assemble, execute, compare: exit 1 if stale
    python scripts/build_notebooks.py --check --no-execute   # the cells only (fast)
    python scripts/build_notebooks.py 06 --lang ko  # some notebooks only
    python scripts/build_notebooks.py --full        # notebook 6 trains the notes' 10,000 steps

Notebooks run with nbclient, two at a time, each in a fresh empty folder (what it writes
goes there), with this checkout first on the path, one BLAS thread each, and
`AUTOGRAPH_MNIST` pointing at `../shared/data/mnist` when that exists and the variable is
not set.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import time
import tokenize
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial"
SOURCES = TUTORIAL / "source"
LANGS = ("en", "ko")
OUT_DIRS = {"en": TUTORIAL, "ko": TUTORIAL / "ko"}
NONDETERMINISTIC = "nondeterministic"
FULL_RUN_VARIABLE = "AUTOGRAPH_TUTORIAL_FULL"
CELL_START = re.compile(r"^# %%(?P<kind> \[markdown\])?(?P<attrs>.*)$")
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


class SourceError(ValueError):
    """A notebook source that cannot be assembled (says which file and line)."""


@dataclass
class Cell:
    kind: str  # "code" or "markdown"
    text: str
    lang: str | None = None  # None: both editions
    tags: list[str] = field(default_factory=list)
    line: int = 0


def parse_source(text: str, name: str = "<source>") -> list[Cell]:
    """The cells of a percent-format source; text before the first `# %%` is a header."""
    cells: list[Cell] = []
    current: Cell | None = None
    lines: list[str] = []

    def finish() -> None:
        if current is None:
            return
        body = lines[:]
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        if current.kind == "markdown":
            for i, line in enumerate(body):
                if line.strip() and not line.startswith("#"):
                    n = current.line + 1 + i
                    raise SourceError(f"{name}:{n}: a markdown line must start with '#'")
            body = [line[2:] if line.startswith("# ") else line[1:] for line in body]
        current.text = "\n".join(body)
        cells.append(current)

    for number, line in enumerate(text.splitlines(), 1):
        match = CELL_START.match(line)
        if not match:
            lines.append(line)
            continue
        finish()
        lines = []
        attrs: dict[str, str] = {}
        for item in match["attrs"].split():
            key, sep, value = item.partition("=")
            if not sep or key not in ("lang", "tags"):
                raise SourceError(f"{name}:{number}: unknown cell attribute {item!r}")
            attrs[key] = value
        lang = attrs.get("lang")
        if lang is not None and lang not in LANGS:
            raise SourceError(f"{name}:{number}: unknown language {lang!r}")
        tags = [t for t in attrs.get("tags", "").split(",") if t]
        kind = "markdown" if match["kind"] else "code"
        current = Cell(kind, "", lang, tags, number)
    finish()
    _check_pairs(cells, name)
    return cells


def _check_pairs(cells: list[Cell], name: str) -> None:
    """Text cells come as en/ko pairs, so the two editions stay in step cell by cell."""
    i = 0
    while i < len(cells):
        cell = cells[i]
        if cell.kind == "markdown" and cell.lang is None:
            raise SourceError(f"{name}:{cell.line}: a markdown cell needs lang=en or lang=ko")
        if cell.lang == "en":
            partner = cells[i + 1] if i + 1 < len(cells) else None
            if partner is None or partner.lang != "ko" or partner.kind != cell.kind:
                raise SourceError(
                    f"{name}:{cell.line}: this lang=en {cell.kind} cell needs a lang=ko "
                    "cell of the same kind right after it"
                )
            i += 2
            continue
        if cell.lang == "ko":
            raise SourceError(f"{name}:{cell.line}: a lang=ko cell must follow its lang=en cell")
        i += 1


def translate_strings(code: str, glossary: dict[str, str]) -> str:
    """Replace the string literals of `code` that the glossary lists (whole strings only:
    names, comments and f-strings are left as they are)."""
    if not glossary:
        return code
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return code
    lines = code.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits = []
    for tok in tokens:
        if tok.type != tokenize.STRING or tok.string[0] not in "\"'":
            continue
        quote = tok.string[0]
        if tok.string.startswith(quote * 3):
            continue
        inner = tok.string[1:-1]
        if inner in glossary and "\\" not in inner:
            start = offsets[tok.start[0] - 1] + tok.start[1]
            end = offsets[tok.end[0] - 1] + tok.end[1]
            edits.append((start, end, quote + glossary[inner] + quote))
    for start, end, new in reversed(edits):
        code = code[:start] + new + code[end:]
    return code


def load_glossary(lang: str) -> dict[str, str]:
    path = SOURCES / f"glossary.{lang}.toml"
    if lang == "en" or not path.exists():
        return {}
    with path.open("rb") as f:
        return dict(tomllib.load(f))


def assemble(cells: list[Cell], lang: str, glossary: dict[str, str]) -> dict:
    """The notebook (nbformat 4.5, as a dict) of one edition, without outputs."""
    nb_cells = []
    for cell in cells:
        if cell.lang not in (None, lang):
            continue
        number = len(nb_cells)
        metadata: dict = {"tags": list(cell.tags)} if cell.tags else {}
        if cell.kind == "markdown":
            nb_cells.append(
                {
                    "cell_type": "markdown",
                    "id": f"c{number:02d}",
                    "metadata": metadata,
                    "source": cell.text,
                }
            )
        else:
            code = translate_strings(cell.text, glossary) if cell.lang is None else cell.text
            nb_cells.append(
                {
                    "cell_type": "code",
                    "id": f"c{number:02d}",
                    "metadata": metadata,
                    "source": code,
                    "execution_count": None,
                    "outputs": [],
                }
            )
    return {
        "cells": nb_cells,
        "metadata": {"kernelspec": KERNEL, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def ruff_format(notebook: dict) -> dict:
    """The notebook with its code formatted as `ruff format` (CI checks) wants it: the
    Korean strings change line lengths, so each edition is formatted on its own."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notebook.ipynb"
        path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                "format",
                "--quiet",
                "--config",
                str(ROOT / "pyproject.toml"),
                str(path),
            ],
            check=True,
        )
        formatted = json.loads(path.read_text(encoding="utf-8"))
    for cell in formatted["cells"]:  # ruff writes sources as lists of lines
        if isinstance(cell["source"], list):
            cell["source"] = "".join(cell["source"])
    return formatted


@dataclass(frozen=True)
class Job:
    name: str  # "01_computational_graphs"
    lang: str

    @property
    def source(self) -> Path:
        return SOURCES / f"{self.name}.py"

    @property
    def target(self) -> Path:
        return OUT_DIRS[self.lang] / f"{self.name}.ipynb"

    @property
    def label(self) -> str:
        return f"{self.lang}/{self.name}"


def build_cells(job: Job) -> dict:
    cells = parse_source(job.source.read_text(encoding="utf-8"), str(job.source))
    return ruff_format(assemble(cells, job.lang, load_glossary(job.lang)))


def kernel_environment(full: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    # `!autograph ...` in a cell finds the command installed with this Python
    scripts = sysconfig.get_path("scripts")
    env["PATH"] = os.pathsep.join(p for p in (scripts, env.get("PATH")) if p)
    mnist = ROOT.parent / "shared" / "data" / "mnist"
    if "AUTOGRAPH_MNIST" not in env and mnist.is_dir():
        env["AUTOGRAPH_MNIST"] = str(mnist)
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # a debugger warning on stderr otherwise
    # notebooks run side by side (--jobs): one BLAS thread each, or they fight over the cores
    # (the MNIST run of notebook 6 took 15x longer with two kernels of two threads each)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    if full:
        env[FULL_RUN_VARIABLE] = "1"
    else:
        env.pop(FULL_RUN_VARIABLE, None)
    return env


def execute(notebook: dict, full: bool) -> dict:
    """Run every cell (nbclient); a cell that raises stops with its traceback. The kernel
    works in a fresh empty folder, so what a notebook writes (`out/...`) is never left
    over from a previous run to change its outputs ("Overwriting" for "Writing")."""
    import nbformat
    from nbclient import NotebookClient

    env = kernel_environment(full)
    os.environ.clear()
    os.environ.update(env)  # the kernel inherits this process's environment
    nb = nbformat.from_dict(notebook)
    with tempfile.TemporaryDirectory(prefix="autograph-notebook-") as folder:
        client = NotebookClient(
            nb,
            timeout=900,
            kernel_name="python3",
            record_timing=False,
            resources={"metadata": {"path": folder}},
            extra_arguments=["--log-level=ERROR"],  # not its warning about TCP on localhost
        )
        client.execute()
    result = json.loads(nbformat.writes(nb))
    result["metadata"] = notebook["metadata"]  # the kernel's version would differ per machine
    for cell in result["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = coalesce_streams(cell["outputs"])
    return result


def coalesce_streams(outputs: list[dict]) -> list[dict]:
    """Consecutive stdout (or stderr) outputs as one: how the kernel splits a cell's
    printing into messages depends on timing, not on what was printed."""
    merged: list[dict] = []
    for output in outputs:
        last = merged[-1] if merged else None
        if (
            last is not None
            and output.get("output_type") == "stream"
            and last.get("output_type") == "stream"
            and last["name"] == output["name"]
        ):
            last["text"] = _text(last["text"]) + _text(output["text"])
        else:
            merged.append(dict(output))
    return merged


def _text(text: str | list[str]) -> str:
    return "".join(text) if isinstance(text, list) else text


def _output_text(output: dict) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return f"[{output['name']}] {_joined(output['text'])}"
    if kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        mimes = ",".join(sorted(data))
        return f"[{kind} {mimes}] {_joined(data.get('text/plain', ''))}"
    if kind == "error":
        return f"[error] {output.get('ename')}: {output.get('evalue')}"
    return f"[{kind}]"


def _joined(text: str | list[str]) -> str:
    text = _text(text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def compare(expected: dict, stored: dict) -> list[str]:
    """What differs between a fresh notebook and the stored one: the cells' kind, source and
    tags always; the text of the outputs (streams, text/plain, which kinds of picture) of
    every code cell not tagged nondeterministic. Pictures' bytes are not compared: Graphviz
    and matplotlib versions may differ by a pixel where the numbers do not."""
    problems = []
    a, b = expected["cells"], stored.get("cells", [])
    if len(a) != len(b):
        problems.append(f"{len(b)} cells stored, {len(a)} built")
    for n, (new, old) in enumerate(zip(a, b, strict=False)):
        where = f"cell {n}"
        if new["cell_type"] != old["cell_type"] or _joined(new["source"]) != _joined(old["source"]):
            problems.append(f"{where}: its source differs")
            continue
        if new.get("metadata", {}).get("tags", []) != old.get("metadata", {}).get("tags", []):
            problems.append(f"{where}: its tags differ")
        if new["cell_type"] != "code" or NONDETERMINISTIC in new.get("metadata", {}).get(
            "tags", []
        ):
            continue
        got = [_output_text(o) for o in coalesce_streams(new.get("outputs", []))]
        had = [_output_text(o) for o in coalesce_streams(old.get("outputs", []))]
        if got != had:
            first = next(
                (i for i, (x, y) in enumerate(zip(got, had, strict=False)) if x != y),
                min(len(got), len(had)),
            )
            new_text = got[first] if first < len(got) else "(nothing)"
            old_text = had[first] if first < len(had) else "(nothing)"
            problems.append(
                f"{where}: output {first} differs:\n      stored: {old_text[:300]!r}\n"
                f"      now:    {new_text[:300]!r}"
            )
    return problems


def run_job(job: Job, mode: str, full: bool) -> tuple[str, float, list[str]]:
    """Build one edition of one notebook; returns (label, seconds executing, problems)."""
    notebook = build_cells(job)
    seconds = 0.0
    if mode != "cells":
        start = time.perf_counter()
        try:
            notebook = execute(notebook, full)
        except Exception as error:  # CellExecutionError carries the cell and its traceback
            return job.label, time.perf_counter() - start, [f"execution failed:\n{error}"]
        seconds = time.perf_counter() - start
    if mode == "write":
        job.target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(notebook, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        job.target.write_text(text, encoding="utf-8")
        return job.label, seconds, []
    if not job.target.exists():
        return job.label, seconds, [f"{job.target.relative_to(ROOT)} is missing"]
    stored = json.loads(job.target.read_text(encoding="utf-8"))
    if mode == "cells":
        notebook = {
            "cells": [
                {**c, "outputs": []} if c["cell_type"] == "code" else c for c in notebook["cells"]
            ]
        }
        stored = {
            "cells": [
                {**c, "outputs": []} if c["cell_type"] == "code" else c
                for c in stored.get("cells", [])
            ]
        }
    return job.label, seconds, compare(notebook, stored)


def notebook_names() -> list[str]:
    return sorted(p.stem for p in SOURCES.glob("[0-9][0-9]_*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("only", nargs="*", help="notebook numbers or names (default: all)")
    parser.add_argument("--lang", choices=LANGS, action="append", help="one edition only")
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--no-execute", action="store_true", help="with --check: cells only")
    parser.add_argument("--full", action="store_true", help="the notes' full training run")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (2)")
    args = parser.parse_args(argv)
    if args.no_execute and not args.check:
        parser.error("--no-execute goes with --check")
    if args.full and args.check:
        parser.error("--full is for building: the stored notebooks hold the short run CI checks")
    names = notebook_names()
    if args.only:
        chosen = [n for n in names if any(n == o or n.startswith(o + "_") for o in args.only)]
        unknown = [o for o in args.only if not any(n == o or n.startswith(o + "_") for n in names)]
        if unknown:
            parser.error(f"no notebook {', '.join(unknown)}; there are {', '.join(names)}")
        names = chosen
    jobs = [Job(n, lang) for n in names for lang in (args.lang or LANGS)]
    mode = "cells" if args.no_execute else "check" if args.check else "write"
    start = time.perf_counter()
    failed = 0
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_job, job, mode, args.full) for job in jobs]
        for future in futures:
            label, seconds, problems = future.result()
            status = "ok" if not problems else "STALE" if mode != "write" else "FAILED"
            if problems and problems[0].startswith("execution failed"):
                status = "FAILED"
            timing = f"{seconds:6.1f} s" if mode != "cells" else ""
            print(f"{status:6} {label:32} {timing}", flush=True)
            for problem in problems:
                print(f"    {problem}")
            failed += bool(problems)
    print(f"{len(jobs)} notebooks in {time.perf_counter() - start:.1f} s", flush=True)
    if failed and mode != "write":
        print(
            "rebuild the stored notebooks with: python scripts/build_notebooks.py",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
