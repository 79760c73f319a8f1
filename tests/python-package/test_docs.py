# test_docs.py — the quick start's programs are the examples run here
#
# SPDX-License-Identifier: MIT
#
# meson runs examples/python/jobs.py and pipeline.py on every backend; the
# guide check runs the quick start's copies on SQLite. They must be the same
# programs, character for character.

import pathlib
import re

import pytest

SOURCE = pathlib.Path(__file__).resolve().parents[2]


def guide_programs():
    text = (SOURCE / 'docs' / 'quickstart-python.md').read_text(encoding='utf-8')
    return {m.group(2): m.group(1)
            for m in re.finditer(r'^```python\n(# ([\w.]+\.py)\n.*?)^```$', text,
                                 re.M | re.S)}


@pytest.mark.parametrize('name', ['jobs.py', 'pipeline.py'])
def test_quickstart_shows_the_example(name):
    example = (SOURCE / 'examples' / 'python' / name).read_text(encoding='utf-8')
    assert guide_programs()[name] == example


def test_quickstart_leads_with_the_package():
    text = (SOURCE / 'docs' / 'quickstart-python.md').read_text(encoding='utf-8')
    assert text.index('import pgqrs') < text.index('gi.require_version')
