"""The tutorial's build (scripts/build_notebooks.py) and the docs site's hooks (docs/hooks/).

Executing the notebooks is CI's `build_notebooks.py --check` step; here: how a source
becomes two editions, what counts as stale, that the stored notebooks match their sources,
and how the site's hooks treat doctests and links.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


build = _load(ROOT / "scripts" / "build_notebooks.py", "build_notebooks")

SOURCE = """# header, not a cell

# %% [markdown] lang=en
# # Title
#
# Text.

# %% [markdown] lang=ko
# # 제목

# %%
x = Value(1, label="apple")  # "apple" in a comment stays
print(f"apple {x}", "apple pie", apple)

# %% tags=nondeterministic
print(time.time())

# %% lang=en
print("English only")

# %% lang=ko
print("한국어판에만")
"""


def test_a_source_becomes_two_editions_cell_by_cell():
    cells = build.parse_source(SOURCE)
    en = build.assemble(cells, "en", {})
    ko = build.assemble(cells, "ko", {"apple": "사과"})
    assert [c["cell_type"] for c in en["cells"]] == ["markdown", "code", "code", "code"]
    assert [c["cell_type"] for c in ko["cells"]] == ["markdown", "code", "code", "code"]
    assert en["cells"][0]["source"] == "# Title\n\nText."
    assert ko["cells"][0]["source"] == "# 제목"
    assert 'label="사과")  # "apple" in a comment stays' in ko["cells"][1]["source"]
    assert 'label="apple")' in en["cells"][1]["source"]
    assert en["cells"][2]["metadata"] == {"tags": ["nondeterministic"]}
    assert en["cells"][3]["source"] == 'print("English only")'
    assert ko["cells"][3]["source"] == 'print("한국어판에만")'


def test_the_glossary_translates_whole_string_literals_only():
    code = 'x = Value(1, label="apple")  # "apple" in a comment stays\n'
    code += 'print(f"apple {x}", \'apple\', "apple pie", apple)\n'
    translated = build.translate_strings(code, {"apple": "사과"})
    assert translated == (
        'x = Value(1, label="사과")  # "apple" in a comment stays\n'
        'print(f"apple {x}", \'사과\', "apple pie", apple)\n'
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# %% [markdown] lang=en\n# a\n# %%\nx = 1\n", "needs a lang=ko"),
        ("# %% [markdown] lang=ko\n# a\n", "must follow its lang=en"),
        ("# %% [markdown]\n# a\n", "needs lang=en or lang=ko"),
        ("# %% lang=fr\nx = 1\n", "unknown language"),
        ("# %% colour=red\nx = 1\n", "unknown cell attribute"),
        ("# %% [markdown] lang=en\nnot a comment\n# %% [markdown] lang=ko\n# b\n", "must start"),
    ],
)
def test_a_source_out_of_step_is_refused(source, message):
    with pytest.raises(build.SourceError, match=message):
        build.parse_source(source, "nb.py")


def _notebook(*outputs, tags=()):
    cell = {
        "cell_type": "code",
        "source": "print(1)",
        "metadata": {"tags": list(tags)} if tags else {},
        "outputs": list(outputs),
    }
    return {"cells": [cell]}


def _stream(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def test_stale_outputs_are_found_and_nondeterministic_cells_skipped():
    stored = _notebook(_stream("dApple: 2.2\n"))
    assert build.compare(copy.deepcopy(stored), stored) == []
    changed = _notebook(_stream("dApple: 2.3\n"))
    [problem] = build.compare(changed, stored)
    assert "output 0 differs" in problem and "2.3" in problem
    timing = _notebook(_stream("Wall time: 3.1 s\n"), tags=["nondeterministic"])
    other_timing = _notebook(_stream("Wall time: 9.9 s\n"), tags=["nondeterministic"])
    assert build.compare(timing, other_timing) == []


def test_printing_split_into_several_messages_is_the_same_output():
    split = _notebook(_stream("price:"), _stream(" 715\n"))
    whole = _notebook(_stream("price: 715\n"))
    assert build.compare(split, whole) == []
    assert build.coalesce_streams(split["cells"][0]["outputs"]) == [_stream("price: 715\n")]


def test_a_picture_that_went_missing_is_stale():
    svg = {"output_type": "display_data", "data": {"image/svg+xml": "<svg/>", "text/plain": "d"}}
    text_only = {"output_type": "display_data", "data": {"text/plain": "d"}}
    assert build.compare(_notebook(text_only), _notebook(svg)) != []


def test_an_edited_source_is_stale():
    new = _notebook()
    new["cells"][0]["source"] = "print(2)"
    assert build.compare(new, _notebook()) == ["cell 0: its source differs"]


def test_every_source_has_both_stored_editions():
    names = build.notebook_names()
    assert len(names) == 8
    for name in names:
        for lang in build.LANGS:
            assert build.Job(name, lang).target.exists(), f"{lang}/{name}.ipynb not built"


def test_the_korean_edition_labels_the_figures_in_korean():
    stored = json.loads(build.Job("01_computational_graphs", "ko").target.read_text("utf-8"))
    code = "".join("".join(c["source"]) for c in stored["cells"] if c["cell_type"] == "code")
    for label in ("사과", "귤", "소비세"):
        assert f'label="{label}"' in code
    svgs = [
        "".join(o["data"]["image/svg+xml"])
        for c in stored["cells"]
        for o in c.get("outputs", [])
        if "image/svg+xml" in o.get("data", {})
    ]
    assert svgs and any("소비세" in svg for svg in svgs)


@pytest.mark.slow
def test_the_stored_notebooks_match_their_sources(capsys):
    # cells only (no execution): CI's --check step executes them and compares the outputs
    assert build.main(["--check", "--no-execute"]) == 0, capsys.readouterr().out


doctest_fences = _load(ROOT / "docs" / "hooks" / "doctest_fences.py", "doctest_fences")
notebook_links = _load(ROOT / "docs" / "hooks" / "notebook_links.py", "notebook_links")


def test_doctests_in_docstrings_are_fenced_for_the_api_reference():
    text = "Sum.\n\n>>> 1 + 1\n2\n\nMore.\n\n```python\n>>> inside a fence\n```"
    assert doctest_fences.fence_doctests(text) == (
        "Sum.\n\n```pycon\n>>> 1 + 1\n2\n```\n\nMore.\n\n```python\n>>> inside a fence\n```"
    )


def test_notebook_links_point_at_site_pages_or_fail(tmp_path):
    from mkdocs.structure.files import File, Files

    docs = tmp_path / "docs"
    for name in ("nn.md", "tutorial/index.md", "gallery/apple.html"):
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text("x")
    files = Files(
        [
            File(name, str(docs), str(tmp_path / "site"), True)
            for name in ("nn.md", "tutorial/index.md", "gallery/apple.html")
        ]
    )
    page = ("tutorial/ko/02_chain_rule.ipynb", "tutorial/ko/02_chain_rule/")
    assert notebook_links.site_link("../../nn.md", *page, files) == "../../../nn/"
    assert notebook_links.site_link("../index.md", *page, files) == "../../"
    assert (
        notebook_links.site_link("../../gallery/apple.html", *page, files)
        == "../../../gallery/apple.html"
    )
    assert notebook_links.site_link("../nn.md", *page, files) is None  # one level short


def test_a_broken_notebook_link_is_a_warning_that_fails_the_strict_build(tmp_path, caplog):
    from types import SimpleNamespace

    from mkdocs.structure.files import File, Files

    (tmp_path / "nn.md").write_text("x")
    files = Files([File("nn.md", str(tmp_path), str(tmp_path / "site"), True)])
    page = SimpleNamespace(
        file=SimpleNamespace(src_uri="tutorial/01_x.ipynb"), url="tutorial/01_x/"
    )
    html = '<a href="../nn.md#data">guide</a> <a href="../nm.md">typo</a> <a href="#top">top</a>'
    with caplog.at_level("WARNING", logger="mkdocs.hooks.notebook_links"):
        out = notebook_links.on_page_content(html, page, None, files)
    assert '<a href="../../nn/#data">guide</a>' in out
    assert '<a href="#top">top</a>' in out
    assert [r.getMessage() for r in caplog.records] == [
        "notebook tutorial/01_x.ipynb links to '../nm.md', which does not exist"
    ]
