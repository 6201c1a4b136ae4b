"""README's "From Python" example runs as written."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[3] / "README.md"


def python_blocks(section: str) -> list:
    text = README.read_text()
    start = text.index(f"## {section}")
    end = text.find("\n## ", start + 1)
    return re.findall(r"```python\n(.*?)```", text[start:end], flags=re.S)


def test_readme_from_python_example_runs(capsys):
    (example,) = python_blocks("From Python")
    exec(compile(example, str(README), "exec"), {"__name__": "readme_example"})
    assert "memory report (mode view)" in capsys.readouterr().out
