# test_docs.py — the quick start's programs are the examples run here
#
# SPDX-License-Identifier: MIT
#
# meson runs examples/python/jobs.py and pipeline.py on every backend
# pgqrs-test-env makes; the guide check runs the quick start's copies on
# SQLite. They must be the same programs, character for character. Here they
# run on this suite's backend too (sqld's server is conftest.py's), and
# print what the quick start shows.

import ast
import os
import pathlib
import re
import subprocess
import sys

import pytest

from conftest import is_postgres

SOURCE = pathlib.Path(__file__).resolve().parents[2]


def guide_programs():
    text = (SOURCE / 'docs' / 'quickstart-python.md').read_text(encoding='utf-8')
    return {m.group(2): m.group(1)
            for m in re.finditer(r'^```python\n(# ([\w.]+\.py)\n.*?)^```$', text,
                                 re.M | re.S)}


def guide_outputs():
    """What the quick start shows each program print: the untagged block
    right after it, as check-guides.py reads it."""
    text = (SOURCE / 'docs' / 'quickstart-python.md').read_text(encoding='utf-8')
    return {m.group(1): m.group(2)
            for m in re.finditer(r'^```python\n# ([\w.]+\.py)\n.*?^```\n\s*```\n(.*?)^```$',
                                 text, re.M | re.S)}


@pytest.mark.parametrize('name', ['jobs.py', 'pipeline.py'])
def test_quickstart_shows_the_example(name):
    example = (SOURCE / 'examples' / 'python' / name).read_text(encoding='utf-8')
    assert guide_programs()[name] == example


def test_quickstart_leads_with_the_package():
    text = (SOURCE / 'docs' / 'quickstart-python.md').read_text(encoding='utf-8')
    assert text.index('import pgqrs') < text.index('gi.require_version')


@pytest.mark.parametrize('name', ['jobs.py', 'pipeline.py'])
def test_example_runs_as_written(name, dsn, tmp_path):
    result = subprocess.run(
        [sys.executable, str(SOURCE / 'examples' / 'python' / name)],
        cwd=tmp_path, env=dict(os.environ, PGQRS_DSN=dsn),
        capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, '')
    assert in_key_order(result.stdout) == in_key_order(guide_outputs()[name])


def in_key_order(output):
    """@output, its printed dicts with their keys sorted on PostgreSQL,
    whose jsonb gives an object's keys back in an order of its own
    (docs/concepts.md); elsewhere as it is."""
    if not is_postgres():
        return output
    return re.sub(r'\{.*\}', lambda m: repr(sorted(ast.literal_eval(m.group()).items())),
                  output)
