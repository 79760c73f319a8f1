# _gi.py — load the introspected library and its PyGObject override
#
# SPDX-License-Identifier: MIT
#
# Installed, _config.py says where meson put the typelib, the shared library
# and the override, so that `import pgqrs` works without GI_TYPELIB_PATH or
# PYTHONPATH. From a build tree (meson devenv, the tests) there is no
# _config.py and the environment points at the build.

import ctypes
import os

import gi

try:
    from . import _config
except ImportError:
    _config = None

if _config is not None:
    gi.require_version('GIRepository', '2.0')
    from gi.repository import GIRepository

    if os.path.isdir(_config.TYPELIB_DIR):
        GIRepository.Repository.prepend_search_path(_config.TYPELIB_DIR)
    # The typelib names the library by its soname; a prefix outside the
    # loader's cache (/usr/local before ldconfig ran) is found this way.
    _library = os.path.join(_config.LIBDIR, 'libpgqrs-1.so.0')
    if os.path.exists(_library):
        ctypes.CDLL(_library, mode=ctypes.RTLD_GLOBAL)

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Json', '1.0')
gi.require_version('Pgqrs', '1')

import gi.overrides  # noqa: E402

# The package itself does without the override, but the process gets one
# Pgqrs module: a program that also uses gi.repository.Pgqrs must find the
# override of this install, not none. It is looked for where it is not on
# sys.path: the install's or the source tree's folder, or one of PYTHONPATH
# (which must win over an installed Pgqrs.py in PyGObject's own folder, as
# the binding tests do it).
_override_dirs = []
if _config is not None:
    _override_dirs.append(_config.OVERRIDES_DIR)
else:
    # uninstalled, in the source tree: the override next to the library
    _override_dirs.append(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       os.pardir, os.pardir, 'pgqrs', 'overrides',
                                       'gi', 'overrides'))
for _path in os.environ.get('PYTHONPATH', '').split(os.pathsep):
    if _path:
        _override_dirs.insert(0, os.path.join(_path, 'gi', 'overrides'))
for _dir in reversed(_override_dirs):
    if os.path.exists(os.path.join(_dir, 'Pgqrs.py')) and _dir not in gi.overrides.__path__:
        gi.overrides.__path__.insert(0, _dir)

from gi.repository import GLib, Gio, Pgqrs  # noqa: E402,F401
