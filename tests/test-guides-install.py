#!/usr/bin/python3
"""The guides after `meson install`, as a user of a prefix of their own (TAP).

    test-guides-install.py --source-dir SRC --work-dir DIR --forbid BUILD
                           [--option NAME=VALUE ...] GUIDE.md ...

The build folder of the test suite is configured for /usr/local, which a
test must not write to, and its files name that prefix (pgqrs-1.pc, the
Python package's _config.py), so installing it with --destdir would leave a
copy that does not work where it lies. This configures the same source with
--prefix DIR/prefix in DIR/build instead (the options given, with nothing
of the test suite, the examples, the docs or the benchmarks), builds it
(incrementally: DIR is kept between runs), installs it into an emptied
prefix, and follows every guide against that copy with tests/check-guides.py
--prefix: the commands of the quick starts for an installed pgqrs, and only
the variables *Installation* tells the user of such a prefix to set. The
build folder of the suite (--forbid) is on no path.
"""

import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def comment(text):
  return ''.join('# ' + line + '\n' for line in text.rstrip('\n').split('\n'))


def step(number, title, command, env=None):
  result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          errors='replace', env=env)
  if result.returncode == 0:
    print(f'ok {number} - {title}', flush=True)
    return True
  print(f'not ok {number} - {title}: "{" ".join(command)}" exited with status '
        f'{result.returncode}\n' + comment(result.stdout + result.stderr), flush=True)
  return False


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
  parser.add_argument('--source-dir', required=True)
  parser.add_argument('--work-dir', required=True)
  parser.add_argument('--forbid', action='append', default=[])
  parser.add_argument('--option', action='append', default=[])
  parser.add_argument('guides', nargs='+')
  args = parser.parse_args()
  work = os.path.abspath(args.work_dir)
  build = os.path.join(work, 'build')
  prefix = os.path.join(work, 'prefix')

  print(f'1..{3 + len(args.guides)}', flush=True)
  # Nothing of the suite's own build tree reaches the inner meson either.
  env = {name: value for name, value in os.environ.items()
         if not name.startswith(('MESON_', 'G_TEST_'))
         and name not in ('GI_TYPELIB_PATH', 'LD_LIBRARY_PATH', 'PKG_CONFIG_PATH', 'PYTHONPATH',
                          'PGQRS_BACKEND_DIR')}
  options = ['-D' + option for option in args.option]
  if os.path.exists(os.path.join(build, 'build.ninja')):
    setup = ['meson', 'configure', build] + options
  else:
    shutil.rmtree(build, ignore_errors=True)
    setup = ['meson', 'setup', build, args.source_dir, '--prefix', prefix] + options
  ok = step(1, f'meson setup --prefix {prefix}', setup, env)
  ok = ok and step(2, 'meson compile', ['meson', 'compile', '-C', build], env)
  if ok:
    shutil.rmtree(prefix, ignore_errors=True)
  ok = ok and step(3, 'meson install', ['meson', 'install', '-C', build, '--no-rebuild', '--quiet'],
                   env)
  for number, guide in enumerate(args.guides, 4):
    name = os.path.basename(guide)
    if not ok:
      print(f'not ok {number} - {name}: not installed', flush=True)
      continue
    command = [sys.executable, os.path.join(HERE, 'check-guides.py'), '--prefix', prefix]
    for forbidden in args.forbid + [build, args.source_dir]:
      command += ['--forbid', forbidden]
    step(number, f'{name}, after meson install', command + [guide], env)
  return 0


if __name__ == '__main__':
  sys.exit(main())
