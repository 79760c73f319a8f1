#!/usr/bin/python3
"""Follow a guide of docs/ as a newcomer would, and fail where it is wrong.

    check-guides.py --build-dir BUILD --source-dir SRC [--python-override DIR] GUIDE.md
    check-guides.py --prefix PREFIX GUIDE.md

A program of a guide is a fenced block whose first line is a comment naming
its file (`# queue.py`, `// queue.js`, `/* queue.c */`, `// queue.vala`,
`# tour.sh` for a shell script of the command-line guide); an
untagged fenced block right after it (blank lines between at most) is what
the program prints. Other blocks are fragments and are left alone.

The programs are written into one fresh directory and run there, in the
guide's order (later ones use what earlier ones stored), with the commands
and the environment that the quick start of their language gives for a
build folder. The checker fails if that quick start stops showing those
commands, so the guide and this check cannot drift apart.

Each program must exit with status 0, write nothing on stderr, and print
exactly its output block. The Python quick start says its scripts work with
or without the PyGObject override, so with --python-override a guide with
Python programs is followed twice: as written, then with the override on
PYTHONPATH.

With --prefix, the guide is followed against the copy `meson install` put
under PREFIX instead: with the commands its quick start gives for an
installed pgqrs, and only the environment that *Installation* tells the user
of a prefix of their own to set (its `P=/opt/pgqrs` block, run with P set to
PREFIX). Nothing of the build or source tree is on any path then.

Standard library only: it runs with the system Python, the one PyGObject is
installed for.
"""

import argparse
import collections
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

# Below the test's timeout in docs/meson.build, for a message that says which
# program hung.
PROGRAM_TIMEOUT = 30
BUILD_TIMEOUT = 60

# How the quick start of a language has the reader build and run a program:
# its commands ({stem} is the file name without its extension; they run
# through /bin/sh, as typed), the tools they need, and the environment it sets:
#   'exports': GI_TYPELIB_PATH and LD_LIBRARY_PATH, which it exports;
#   'meson devenv': nothing: its commands run `meson devenv -C build` for
#              real, in a folder where `build` is the build folder;
#   'B and S': only its shell variables B and S, the build and source folders;
#   'tools':   the build folder's tools on PATH, as in `meson devenv -C BUILD`,
#              and no PGQRS_DSN: the scripts name their database themselves.
Language = collections.namedtuple('Language', 'fence quickstart build run tools setup')

LANGUAGES = {
  '.py': Language('python', 'quickstart-python.md', (), '/usr/bin/python3 {stem}.py',
                  ('/usr/bin/python3',), 'exports'),
  '.js': Language('js', 'quickstart-javascript.md', (), 'gjs -m {stem}.js',
                  ('gjs',), 'exports'),
  '.c': Language('c', 'quickstart-c.md',
                 ("meson devenv -C build -w $PWD sh -c "
                  "'cc {stem}.c $(pkg-config --cflags --libs pgqrs-1) -o {stem}'",),
                 'meson devenv -C build -w $PWD ./{stem}', ('cc', 'pkg-config', 'meson'),
                 'meson devenv'),
  '.vala': Language('vala', 'quickstart-vala.md',
                    ('valac --vapidir=$B/pgqrs --pkg pgqrs-1 --pkg gio-2.0 --pkg json-glib-1.0 '
                     '-X -I$B/pgqrs -X -I$S/pgqrs -X -L$B/pgqrs -X -lpgqrs-1 {stem}.vala',),
                    'LD_LIBRARY_PATH=$B/pgqrs ./{stem}', ('valac', 'cc'), 'B and S'),
  '.sh': Language('sh', 'cli.md', (), 'sh {stem}.sh', ('sh',), 'tools'),
}

# The same after `meson install`: the commands the quick starts give for an
# installed pgqrs. In these, /usr/local is the prefix the quick start assumes;
# the check runs them with the prefix given instead, as *Installation* says
# for another prefix ($P in its block of variables).
Installed = collections.namedtuple('Installed', 'quickstart build run')

INSTALLED = {
  '.py': Installed('quickstart-python.md', (), '/usr/bin/python3 {stem}.py'),
  '.js': Installed('quickstart-javascript.md', (), 'gjs -m {stem}.js'),
  '.c': Installed('quickstart-c.md', ('cc {stem}.c $(pkg-config --cflags --libs pgqrs-1) -o {stem}',),
                  './{stem}'),
  '.vala': Installed('quickstart-vala.md',
                     ('valac --vapidir=/usr/local/share/vala/vapi --pkg pgqrs-1 {stem}.vala',),
                     './{stem}'),
  '.sh': Installed('cli.md', (), 'sh {stem}.sh'),
}

# The block of *Installation* that sets up a shell for a prefix of one's own:
# its first line names the prefix.
PREFIX_LINE = re.compile(r'^P=(\S+)$')

# What the check takes away from its own environment before applying that
# block: the variables that could point at a build tree.
SEARCH_PATHS = ('GI_TYPELIB_PATH', 'LD_LIBRARY_PATH', 'PKG_CONFIG_PATH', 'PYTHONPATH',
                'PGQRS_DSN', 'PGQRS_BACKEND_DIR')

FILE_COMMENT = re.compile(r'^(?:#|//|/\*)\s*([\w.-]+(\.[a-z]+))\s*(?:\*/)?$')

Block = collections.namedtuple('Block', 'line info text')   # line: of the opening fence


class GuideError(Exception):
  pass


class Program:
  def __init__(self, block, name, ext):
    self.line = block.line
    self.name = name
    self.stem = name[:-len(ext)]
    self.language = LANGUAGES[ext]
    self.ext = ext
    self.source = block.text
    self.output = None        # the text of the output block, if there is one
    self.output_line = None


def read_blocks(path):
  """The fenced blocks of a Markdown file, each with whether only blank lines
  separate it from the block before."""
  with open(path, encoding='utf-8') as f:
    lines = f.read().split('\n')
  blocks = []
  opened = None
  adjacent = False
  for number, line in enumerate(lines, 1):
    if opened is None:
      if line.startswith('```'):
        opened = (number, line[3:].strip(), [])
      elif line.strip():
        adjacent = False
    elif line.rstrip() == '```':
      start, info, body = opened
      blocks.append((Block(start, info, ''.join(l + '\n' for l in body)), adjacent))
      opened = None
      adjacent = True
    else:
      opened[2].append(line)
  if opened is not None:
    raise GuideError(f'{path}:{opened[0]}: the block opened here is never closed')
  return blocks


def read_programs(path):
  programs = []
  previous = None
  for block, adjacent in read_blocks(path):
    match = FILE_COMMENT.match(block.text.split('\n', 1)[0])
    if block.info == '':
      if previous is None or not adjacent:
        raise GuideError(f'{path}:{block.line}: an output block (a block without a language) '
                         'must come right after the program that prints it')
      previous.output = block.text
      previous.output_line = block.line
      previous = None
    elif match:
      name, ext = match.group(1), match.group(2)
      if ext not in LANGUAGES:
        raise GuideError(f'{path}:{block.line}: {name}: no way to run a {ext} program is known')
      if block.info != LANGUAGES[ext].fence:
        raise GuideError(f'{path}:{block.line}: {name} is in a "{block.info}" block, '
                         f'not "{LANGUAGES[ext].fence}"')
      if any(p.name == name for p in programs):
        raise GuideError(f'{path}:{block.line}: a second program named {name}')
      previous = Program(block, name, ext)
      programs.append(previous)
    else:
      previous = None
  return programs


def shell_commands(path):
  """The lines of a guide's sh blocks, continuation lines joined and blanks
  collapsed."""
  commands = []
  for block, _ in read_blocks(path):
    if block.info == 'sh':
      for line in block.text.replace('\\\n', ' ').split('\n'):
        commands.append(' '.join(line.split()))
  return commands


def check_commands_shown(guides_dir, language):
  """Fails unless the quick start of the language shows the commands this
  checker runs, for one of its own programs."""
  path = os.path.join(guides_dir, language.quickstart)
  shown = shell_commands(path)
  stems = [p.stem for p in read_programs(path) if p.language == language]
  for template in language.build + (language.run,):
    wanted = [template.format(stem=stem) for stem in stems] or [template]
    if not any(w in command for w in wanted for command in shown):
      raise GuideError(f'{path}: no sh block shows "{wanted[0]}", the command this check '
                       'runs; if the guide now says otherwise, change tests/check-guides.py '
                       'with it')


def guide_environment(language, build_dir, source_dir, python_path):
  env = dict(os.environ)

  def prepend(name, value):
    env[name] = value + (os.pathsep + env[name] if env.get(name) else '')

  library_dir = os.path.join(build_dir, 'pgqrs')
  if language.setup == 'exports':
    prepend('GI_TYPELIB_PATH', os.path.join(library_dir, 'introspection'))
    prepend('LD_LIBRARY_PATH', library_dir)
  if language.setup == 'B and S':
    env['B'] = build_dir
    env['S'] = source_dir
    # As inside `meson devenv`, where pkg-config finds pgqrs-1 and valac
    # then holds the vapi's "since" versions against the package's.
    prepend('PKG_CONFIG_PATH', os.path.join(build_dir, 'meson-uninstalled'))
  if language.fence == 'python':
    # the pgqrs package, uninstalled: its source folder, as `meson devenv` has it
    prepend('PYTHONPATH', os.path.join(source_dir, 'python'))
  if language.setup == 'tools':
    prepend('PATH', os.path.join(build_dir, 'tools'))
    env.pop('PGQRS_DSN', None)
  if python_path:
    prepend('PYTHONPATH', python_path)
  # The outputs shown are untranslated, and debug messages are not part of them.
  env['LC_ALL'] = 'C.UTF-8'
  env['LANGUAGE'] = ''
  env.pop('G_MESSAGES_DEBUG', None)
  env['PYTHONDONTWRITEBYTECODE'] = '1'
  return env


def check_installed_commands_shown(guides_dir, ext):
  """Fails unless the quick start of the language shows the commands this
  checker runs for an installed pgqrs, for one of its own programs."""
  installed = INSTALLED[ext]
  path = os.path.join(guides_dir, installed.quickstart)
  shown = shell_commands(path)
  stems = [p.stem for p in read_programs(path) if p.ext == ext]
  for template in installed.build + (installed.run,):
    wanted = [template.format(stem=stem) for stem in stems] or [template]
    if not any(w == command or command.startswith(w + ' ') for w in wanted for command in shown):
      raise GuideError(f'{path}: no sh block shows "{wanted[0]}", the command this check '
                       'runs after `meson install`; if the guide now says otherwise, change '
                       'tests/check-guides.py with it')


def prefix_setup(guides_dir, prefix):
  """The lines of *Installation*'s block for a prefix of one's own, with its
  prefix replaced by PREFIX."""
  path = os.path.join(guides_dir, 'installation.md')
  for block, _ in read_blocks(path):
    lines = block.text.rstrip('\n').split('\n')
    match = PREFIX_LINE.match(lines[0]) if block.info == 'sh' else None
    if match:
      if not any(line.startswith('export ') for line in lines[1:]):
        raise GuideError(f'{path}:{block.line}: the block for a prefix of one\'s own exports nothing')
      return [f'P={shlex.quote(prefix)}'] + lines[1:]
  raise GuideError(f'{path}: no sh block starts with "P=/some/prefix", the variables a user '
                   'of a prefix of their own sets; the check after `meson install` runs it')


def installed_environment(forbidden):
  env = {name: value for name, value in os.environ.items()
         if name not in SEARCH_PATHS and not name.startswith(('MESON_', 'G_TEST_'))
         and not any(f in value for f in forbidden)}
  env['PATH'] = os.pathsep.join(d for d in os.environ.get('PATH', os.defpath).split(os.pathsep)
                                if not any(d.startswith(f) for f in forbidden))
  env['LC_ALL'] = 'C.UTF-8'
  env['LANGUAGE'] = ''
  env.pop('G_MESSAGES_DEBUG', None)
  env['PYTHONDONTWRITEBYTECODE'] = '1'
  return env


def run(command, directory, env, timeout):
  try:
    return subprocess.run(['/bin/sh', '-c', command], cwd=directory, env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          errors='replace')
  except subprocess.TimeoutExpired as e:
    raise GuideError(f'"{command}" did not finish within {timeout} s; it printed:\n'
                     f'{e.stdout or ""}{e.stderr or ""}')


def indent(text):
  return ''.join('    ' + line + '\n' for line in text.rstrip('\n').split('\n'))


def follow(guide, programs, build_dir, source_dir, python_path, label, installed=None):
  """installed: (the prefix the quick starts assume, the shell lines that set
  up a prefix of one's own, the environment without a build tree), to follow
  the guide after `meson install`."""
  with tempfile.TemporaryDirectory(prefix='pgqrs-guide-') as directory:
    for number, program in enumerate(programs, 1):
      where = f'{guide}:{program.line}: {program.name} (program {number} of {len(programs)}, {label})'
      if installed:
        assumed, setup, env = installed
        steps = INSTALLED[program.ext]
        # the commands as a user of the prefix types them, in a shell that
        # has run the setup block (the prefix the quick start assumes is $P)
        def command_of(template):
          return template.format(stem=program.stem).replace(assumed, '$P')
        build_commands = [command_of(t) for t in steps.build]
        run_command = command_of(steps.run)
        shell_prefix = '\n'.join(setup) + '\n'
      else:
        env = guide_environment(program.language, build_dir, source_dir, python_path)
        build_commands = [t.format(stem=program.stem) for t in program.language.build]
        run_command = program.language.run.format(stem=program.stem)
        shell_prefix = ''
      with open(os.path.join(directory, program.name), 'w', encoding='utf-8') as f:
        f.write(program.source)
      if not installed and program.language.setup == 'meson devenv' and not os.path.exists(
          os.path.join(directory, 'build')):
        os.symlink(build_dir, os.path.join(directory, 'build'))

      for command in build_commands:
        result = run(shell_prefix + command, directory, env, BUILD_TIMEOUT)
        if result.returncode != 0:
          raise GuideError(f'{where}: "{command}" failed with status {result.returncode}:\n'
                           + indent(result.stdout + result.stderr))

      command = run_command
      result = run(shell_prefix + command, directory, env, PROGRAM_TIMEOUT)
      if result.returncode != 0:
        raise GuideError(f'{where}: "{command}" exited with status {result.returncode}; '
                         f'stdout:\n{indent(result.stdout)}stderr:\n{indent(result.stderr)}')
      if result.stderr:
        raise GuideError(f'{where}: "{command}" wrote on stderr:\n{indent(result.stderr)}')
      if program.output is not None and result.stdout != program.output:
        diff = difflib.unified_diff(program.output.splitlines(True), result.stdout.splitlines(True),
                                    f'shown at {guide}:{program.output_line}',
                                    f'printed by {program.name}')
        raise GuideError(f'{where}: the output differs from the block shown:\n'
                         + ''.join(line if line.endswith('\n') else line + '\n\\ No newline\n'
                                   for line in diff))
      print(f'ok {program.name} ({label})'
            + ('' if program.output is not None else ': ran; the guide shows no output'))


def main():
  parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
  parser.add_argument('--build-dir', help='the Meson build folder')
  parser.add_argument('--source-dir', help='the source tree')
  parser.add_argument('--prefix', help='follow the guide against the copy installed here '
                      'instead of a build folder')
  parser.add_argument('--forbid', metavar='DIR', action='append', default=[],
                      help='with --prefix: a build or source tree that must not be on any path')
  parser.add_argument('--python-override', metavar='DIR',
                      help='a folder with gi/overrides/Pgqrs.py: also follow the guide with it')
  parser.add_argument('guide')
  args = parser.parse_args()
  if args.prefix is None and (args.build_dir is None or args.source_dir is None):
    parser.error('--build-dir and --source-dir are needed unless --prefix is given')
  if args.prefix is not None:
    return follow_installed(args)
  build_dir = os.path.abspath(args.build_dir)
  source_dir = os.path.abspath(args.source_dir)

  try:
    programs = read_programs(args.guide)
    if not programs:
      raise GuideError(f'{args.guide}: no programs found (a block whose first line is a comment '
                       'naming its file, such as "# queue.py")')
    languages = {p.language for p in programs}
    for language in languages:
      check_commands_shown(os.path.dirname(os.path.abspath(args.guide)), language)
      missing = [tool for tool in language.tools if shutil.which(tool) is None]
      if missing:
        raise GuideError(f'{args.guide}: cannot be followed without {", ".join(missing)}')

    follow(args.guide, programs, build_dir, source_dir, None, 'as written')
    if args.python_override and LANGUAGES['.py'] in languages:
      follow(args.guide, programs, build_dir, source_dir, os.path.abspath(args.python_override),
             'with the PyGObject override')
  except GuideError as e:
    print(f'FAIL {e}', file=sys.stderr)
    return 1
  return 0


def follow_installed(args):
  guides_dir = os.path.dirname(os.path.abspath(args.guide))
  prefix = os.path.abspath(args.prefix)
  try:
    programs = read_programs(args.guide)
    if not programs:
      raise GuideError(f'{args.guide}: no programs found')
    setup = prefix_setup(guides_dir, prefix)
    for ext in {p.ext for p in programs}:
      check_installed_commands_shown(guides_dir, ext)
      missing = [tool for tool in LANGUAGES[ext].tools
                 if tool != 'meson' and shutil.which(tool) is None]
      if missing:
        raise GuideError(f'{args.guide}: cannot be followed without {", ".join(missing)}')
    env = installed_environment([os.path.abspath(d) for d in args.forbid])
    # The quick starts assume /usr/local; *Installation*'s block another prefix.
    follow(args.guide, programs, None, None, None, f'installed under {prefix}',
           ('/usr/local', setup, env))
  except GuideError as e:
    print(f'FAIL {e}', file=sys.stderr)
    return 1
  return 0


if __name__ == '__main__':
  sys.exit(main())
