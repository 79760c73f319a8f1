# test_install.py — meson installs every module of the package
#
# SPDX-License-Identifier: MIT

import pathlib
import re

SOURCE = pathlib.Path(__file__).resolve().parents[2]


def test_meson_installs_every_module():
    listed = set(re.findall(r"'pgqrs/([\w]+\.py)'",
                            (SOURCE / 'python' / 'meson.build').read_text()))
    modules = {p.name for p in (SOURCE / 'python' / 'pgqrs').glob('*.py')}
    assert listed == modules
