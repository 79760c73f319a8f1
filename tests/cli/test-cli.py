#!/usr/bin/python3
"""Every subcommand of the `pgqrs` tool on one backend, as a TAP program.

    pgqrs-test-env --backend NAME --other -- test-cli.py PATH-TO-PGQRS

It drives the tool built in the build tree against PGQRS_TEST_DSN (a fresh
database), checks exit statuses, tables and --json documents, and bad input:
unknown queues, malformed JSON, bad DSNs. The workflow runs that `pgqrs run`
inspects are made through the library's own Python binding (PyGObject), as
an application would make them.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback

PGQRS = os.path.abspath(sys.argv[1])
DSN = os.environ['PGQRS_TEST_DSN']
BACKEND = os.environ['PGQRS_TEST_BACKEND']
# What `pgqrs status` calls it: PgBouncer is PostgreSQL's; sqld and the Turso
# engine are both reached over the libSQL protocol.
BACKEND_KIND = {'pgbouncer': 'postgres', 'sqld': 'turso'}.get(BACKEND, BACKEND)
WORKDIR = tempfile.mkdtemp(prefix='pgqrs-cli-test-')

# The documented exit statuses.
OK, FAILURE, USAGE, NOT_FOUND, CONNECTION, SCHEMA = 0, 1, 2, 3, 4, 5


def pgqrs(*args, stdin=None, dsn=DSN, status=OK, timeout=60):
  """Runs the tool; fails unless it exits with @status. Errors must say
  something on stderr, success must not."""
  env = dict(os.environ, PGQRS_DSN=dsn, LC_ALL='C.UTF-8', LANGUAGE='')
  result = subprocess.run([PGQRS, *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=WORKDIR, timeout=timeout)
  if result.returncode != status:
    raise AssertionError(f'pgqrs {" ".join(args)}: exit status {result.returncode}, '
                         f'expected {status}\nstdout: {result.stdout}\nstderr: {result.stderr}')
  if status != OK and not result.stderr.startswith('pgqrs'):
    raise AssertionError(f'pgqrs {" ".join(args)}: no error message: {result.stderr!r}')
  return result


def pgqrs_json(*args, **kwargs):
  return json.loads(pgqrs('--json', *args, **kwargs).stdout)


def other_dsn():
  """The DSN of another, empty database (pgqrs-test-env --other)."""
  return os.environ['PGQRS_TEST_OTHER_DSN']


def metrics(queue):
  return pgqrs_json('queue', 'metrics', queue)


def write_script(name, text):
  path = os.path.join(WORKDIR, name)
  with open(path, 'w') as f:
    f.write(text)
  os.chmod(path, 0o755)
  return path


TESTS = []


def test(function):
  TESTS.append(function)
  return function


@test
def help_for_every_command():
  top = pgqrs('--help').stdout
  commands = re.findall(r'^  ([a-z]+(?: [a-z]+)?)  ', top, re.M)
  assert len(commands) >= 18, commands
  for command in commands:
    text = pgqrs(*command.split(), '--help').stdout
    assert f'pgqrs {command}' in text and '--dsn' in text and '--json' in text, text
  assert pgqrs('--version').stdout.startswith('pgqrs ')


@test
def usage_errors():
  pgqrs(status=USAGE)
  pgqrs('frobnicate', status=USAGE)
  pgqrs('queue', status=USAGE)
  pgqrs('queue', 'frobnicate', status=USAGE)
  pgqrs('queue', 'create', status=USAGE)
  pgqrs('queue', 'create', 'a', 'b', status=USAGE)
  pgqrs('queue', 'list', '--no-such-option', status=USAGE)
  pgqrs('replay', 'q', 'not-a-number', status=USAGE)
  pgqrs('send', 'q', '1', '--delay', '-1', status=USAGE)
  pgqrs('consume', 'q', status=USAGE)
  pgqrs('consume', 'q', '--', 'no-such-command-anywhere', status=USAGE)


@test
def bad_dsn():
  pgqrs('status', dsn='nosuchscheme://x', status=USAGE)
  pgqrs('--dsn', 'sqlite://', 'status', status=USAGE)
  # The option wins over the environment.
  pgqrs('--dsn', 'nosuchscheme://x', 'status', status=USAGE)
  pgqrs('status', dsn='postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2',
        status=CONNECTION)


@test
def install_verify_status():
  fresh = other_dsn()
  pgqrs('verify', dsn=fresh, status=SCHEMA)
  assert 'pgqrs install' in pgqrs('queue', 'list', dsn=fresh, status=SCHEMA).stderr
  status = pgqrs_json('status', dsn=fresh)
  assert status == {'backend': BACKEND_KIND,
                    'schema': 'missing', 'schema_version': None, 'server_version': None,
                    'queues': None}, status
  assert pgqrs_json('install', dsn=fresh) == {'installed': True}
  pgqrs('install', dsn=fresh)                               # idempotent
  assert 'installed' in pgqrs('verify', dsn=fresh).stdout
  status = pgqrs_json('status', dsn=fresh)
  assert status['schema'] == 'installed' and status['schema_version'] >= 2, status
  assert status['server_version'].startswith('PostgreSQL ' if BACKEND_KIND == 'postgres'
                                             else 'SQLite 3.'), status
  assert re.search(r'^schema +installed$', pgqrs('status', dsn=fresh).stdout, re.M)
  # An empty list is a table with its header only, or an empty JSON array.
  assert pgqrs('queue', 'list', dsn=fresh).stdout.split() == ['ID', 'NAME', 'CREATED', 'AT']
  assert pgqrs_json('queue', 'list', dsn=fresh) == []
  assert pgqrs('worker', 'stats', dsn=fresh).stdout.startswith('QUEUE  TOTAL  READY')
  pgqrs('install')


@test
def queues():
  created = pgqrs_json('queue', 'create', 'cli_q')
  assert created['name'] == 'cli_q' and created['id'] > 0 and created['created_at'], created
  pgqrs('queue', 'create', 'cli_q', status=FAILURE)
  pgqrs('queue', 'create', '9 bad name', status=USAGE)
  pgqrs('queue', 'create', 'cli_other')
  names = [q['name'] for q in pgqrs_json('queue', 'list')]
  assert 'cli_q' in names and 'cli_other' in names, names
  table = pgqrs('queue', 'list').stdout.splitlines()
  assert table[0].split() == ['ID', 'NAME', 'CREATED', 'AT'], table
  assert any(line.split()[1] == 'cli_q' for line in table[1:]), table

  pgqrs('send', 'cli_q', '{"a": 1}')
  m = metrics('cli_q')
  assert (m['queue'], m['total'], m['pending']) == ('cli_q', 1, 1), m
  assert any(row['queue'] == 'cli_q' for row in pgqrs_json('queue', 'metrics'))
  assert 'DEAD LETTERED' in pgqrs('queue', 'metrics').stdout

  pgqrs('queue', 'delete', 'cli_q', status=FAILURE)         # it has a message
  assert pgqrs_json('queue', 'purge', 'cli_q') == {'queue': 'cli_q', 'purged': 1}
  assert metrics('cli_q')['total'] == 0
  pgqrs('send', 'cli_q', '2')
  assert pgqrs_json('queue', 'delete', 'cli_q', '--cascade') == {'queue': 'cli_q',
                                                                  'deleted': True}
  assert 'cli_q' not in [q['name'] for q in pgqrs_json('queue', 'list')]
  pgqrs('queue', 'delete', 'cli_other')


@test
def unknown_queue_is_not_found():
  for args in (('queue', 'delete', 'nope'), ('queue', 'purge', 'nope'),
               ('queue', 'metrics', 'nope'), ('send', 'nope', '1'),
               ('messages', 'nope', '--archived'), ('replay', 'nope', '1'),
               ('worker', 'list', '--queue', 'nope'), ('worker', 'stats', 'nope'),
               ('consume', 'nope', '--', 'true')):
    pgqrs(*args, status=NOT_FOUND)


@test
def send():
  pgqrs('queue', 'create', 'cli_send')
  one = pgqrs('send', 'cli_send', '{"task": "one"}').stdout.split()
  assert len(one) == 1 and int(one[0]) > 0, one
  sent = pgqrs_json('send', 'cli_send', stdin='{"n": 1}\n\n[2, 3]\n  "four"  \nnull\n')
  assert sent['queue'] == 'cli_send' and len(sent['ids']) == 4, sent
  assert sent['ids'] == sorted(sent['ids']) and sent['ids'][0] > int(one[0]), sent
  assert metrics('cli_send')['pending'] == 5

  delayed = pgqrs('send', 'cli_send', '--delay', '3600', '{"later": true}').stdout.split()
  assert len(delayed) == 1
  m = metrics('cli_send')
  assert (m['pending'], m['delayed']) == (5, 1), m

  # Malformed JSON sends nothing, from the argument or from any line.
  pgqrs('send', 'cli_send', '{"unclosed": ', status=USAGE)
  result = pgqrs('send', 'cli_send', stdin='{"ok": 1}\n{not json}\n', status=USAGE)
  assert 'line 2' in result.stderr, result.stderr
  assert metrics('cli_send')['total'] == 6


@test
def consume_retries_a_failing_command():
  pgqrs('queue', 'create', 'cli_consume')
  ids = pgqrs_json('send', 'cli_consume', stdin='{"n": 1}\n{"n": 2}\n{"n": 3}\n')['ids']
  log = os.path.join(WORKDIR, 'consume.log')
  # Message n=2 fails on its first delivery and succeeds on the second.
  script = write_script('handler.sh', f'''#!/bin/sh
payload=$(cat)
echo "$PGQRS_QUEUE $PGQRS_MESSAGE_ID $PGQRS_ATTEMPT $payload" >> {log}
case "$payload" in
  *'"n":2'*) [ "$PGQRS_ATTEMPT" -gt 1 ] || exit 7 ;;
esac
''')
  result = pgqrs('consume', 'cli_consume', '--drain', '--retry-delay', '0.2', '--json',
                 '--', script)
  summary = json.loads(result.stdout)
  assert summary['processed'] == 3 and summary['failed'] == 1, summary
  assert f'message {ids[1]} (attempt 1) failed: the command exited with status 7' in result.stderr
  with open(log) as f:
    lines = [line.split(' ', 3) for line in f.read().splitlines()]
  assert sorted((int(l[1]), int(l[2])) for l in lines) == \
    sorted([(ids[0], 1), (ids[1], 1), (ids[1], 2), (ids[2], 1)]), lines
  assert all(l[0] == 'cli_consume' for l in lines)
  assert {l[3] for l in lines} == {'{"n":1}', '{"n":2}', '{"n":3}'}, lines
  m = metrics('cli_consume')
  assert (m['archived'], m['pending'], m['delayed'], m['leased']) == (3, 0, 0, 0), m


@test
def dead_letters_and_replay():
  pgqrs('queue', 'create', 'cli_dead')
  [id] = pgqrs_json('send', 'cli_dead', '{"poison": true}')['ids']
  pgqrs('consume', 'cli_dead', '--drain', '--retries', '0', '--', 'false')
  dead = pgqrs_json('messages', 'cli_dead', '--dead')
  assert [(m['id'], m['archive_reason'], m['payload']) for m in dead] == \
    [(id, 'dead_letter', {'poison': True})], dead
  assert pgqrs_json('messages', 'cli_dead', '--archived', '--limit', '1')[0]['id'] == id
  assert pgqrs_json('messages', 'cli_dead', '--archived', '--offset', '1') == []
  table = pgqrs('messages', 'cli_dead', '--dead').stdout
  assert 'dead_letter' in table and '{"poison":true}' in table, table
  pgqrs('messages', 'cli_dead', '--dead', '--archived', status=USAGE)
  pgqrs('messages', 'cli_dead', '--dead', '--pending', status=USAGE)

  assert pgqrs_json('replay', 'cli_dead', str(id)) == {'queue': 'cli_dead', 'id': id,
                                                       'replayed': True}
  assert metrics('cli_dead')['pending'] == 1
  pgqrs('replay', 'cli_dead', str(id), status=FAILURE)      # not archived any more
  pgqrs('replay', 'cli_dead', '999999999', status=NOT_FOUND)
  pgqrs('queue', 'create', 'cli_dead_other')
  pgqrs('replay', 'cli_dead_other', str(id), status=NOT_FOUND)  # another queue's


@test
def consume_stops_gracefully_on_sigterm():
  pgqrs('queue', 'create', 'cli_signal')
  [id] = pgqrs_json('send', 'cli_signal', '{"slow": true}')['ids']
  started = os.path.join(WORKDIR, 'started')
  script = write_script('slow.sh', f'#!/bin/sh\ntouch {started}\nsleep 1\n')
  env = dict(os.environ, PGQRS_DSN=DSN)
  process = subprocess.Popen([PGQRS, 'consume', 'cli_signal', '--worker', 'cli-signal-worker',
                              '--', script], env=env, cwd=WORKDIR,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
  deadline = time.monotonic() + 30
  while not os.path.exists(started):
    assert time.monotonic() < deadline and process.poll() is None, process.communicate()
    time.sleep(0.05)
  process.send_signal(signal.SIGTERM)
  out, err = process.communicate(timeout=30)
  assert process.returncode == OK, (process.returncode, out, err)
  # The command in flight finished and its message is archived; the worker
  # ended stopped.
  m = metrics('cli_signal')
  assert (m['archived'], m['leased'], m['pending']) == (1, 0, 0), m
  workers = {w['name']: w for w in pgqrs_json('worker', 'list', '--queue', 'cli_signal')}
  assert workers['cli-signal-worker']['status'] == 'stopped', workers


@test
def messages_by_state_and_by_hand():
  pgqrs('queue', 'create', 'cli_look')
  [now, later] = pgqrs_json('send', 'cli_look', stdin='{"n": 1}\n')['ids'] + \
    pgqrs_json('send', 'cli_look', '--delay', '3600', '{"n": 2}')['ids']
  # A consumer that holds one message while the test looks.
  held = os.path.join(WORKDIR, 'held')
  script = write_script('hold.sh', f'#!/bin/sh\necho $PGQRS_MESSAGE_ID > {held}.tmp\n'
                                   f'mv {held}.tmp {held}\nsleep 30\n')
  env = dict(os.environ, PGQRS_DSN=DSN)
  process = subprocess.Popen([PGQRS, 'consume', 'cli_look', '--worker', 'cli-holder', '--',
                              script], env=env, cwd=WORKDIR,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  try:
    deadline = time.monotonic() + 30
    while not os.path.exists(held):
      assert time.monotonic() < deadline and process.poll() is None
      time.sleep(0.05)
    with open(held) as f:
      assert int(f.read()) == now
    # Sent once the consumer's one handler slot is taken: a consumer leases
    # ahead only for free slots (docs/design.md), so this one stays pending.
    [leased] = pgqrs_json('send', 'cli_look', '{"n": 3}')['ids']
    pending = pgqrs_json('messages', 'cli_look', '--pending')
    assert [m['id'] for m in pending] == [leased], pending
    assert [m['id'] for m in pgqrs_json('messages', 'cli_look', '--delayed')] == [later]
    holders = pgqrs_json('messages', 'cli_look', '--leased')
    assert [(m['id'], m['holder'], m['read_count']) for m in holders] == \
      [(now, 'cli-holder', 1)], holders
    everything = pgqrs_json('messages', 'cli_look')
    assert sorted(m['id'] for m in everything) == sorted([now, later, leased]), everything
    assert [m['id'] for m in pgqrs_json('messages', 'cli_look', '--limit', '1', '--offset', '1')] \
      == [m['id'] for m in everything][1:2]
    assert 'cli-holder' in pgqrs('messages', 'cli_look', '--leased').stdout
    assert metrics('cli_look')['leased'] == 1           # looking leased nothing

    # By hand: release the held one, archive and delete others.
    assert pgqrs_json('release', 'cli_look', str(now)) == {'queue': 'cli_look', 'id': now,
                                                           'released': True}
    assert metrics('cli_look')['leased'] == 0
  finally:
    process.send_signal(signal.SIGKILL)
    process.wait()
  assert 'Archived message' in pgqrs('archive', 'cli_look', str(leased)).stdout
  pgqrs('archive', 'cli_look', str(leased), status=FAILURE)    # archived already
  assert pgqrs_json('delete', 'cli_look', str(later))['deleted'] is True
  pgqrs('delete', 'cli_look', str(later), status=NOT_FOUND)
  pgqrs('release', 'cli_look', str(now), '--delay', '3600')
  m = metrics('cli_look')
  assert (m['total'], m['delayed'], m['archived']) == (2, 1, 1), m
  pgqrs('archive', 'nope', '1', status=NOT_FOUND)
  pgqrs('release', 'cli_look', 'x', status=USAGE)


@test
def workers():
  pgqrs('queue', 'create', 'cli_workers')
  pgqrs('send', 'cli_workers', '1')
  pgqrs('consume', 'cli_workers', '--drain', '--worker', 'cli-w1', '--', 'true')
  listed = pgqrs_json('worker', 'list', '--queue', 'cli_workers')
  assert [(w['name'], w['queue'], w['status']) for w in listed] == \
    [('cli-w1', 'cli_workers', 'stopped')], listed
  assert any(w['name'] == 'cli-w1' for w in pgqrs_json('worker', 'list'))
  assert 'cli-w1' in pgqrs('worker', 'list').stdout
  stats = pgqrs_json('worker', 'stats', 'cli_workers')
  assert (stats['queue'], stats['total'], stats['stopped'], stats['held_messages']) == \
    ('cli_workers', 1, 1, 0), stats
  assert any(s['queue'] == 'cli_workers' for s in pgqrs_json('worker', 'stats'))
  # A stopped worker is not reclaimed again.  The first call may reclaim
  # cli-holder, which messages_by_state_and_by_hand killed: on a slow
  # engine its heartbeat is old enough by now.
  assert pgqrs_json('worker', 'reclaim', '--older-than', '0')['reclaimed'] in (0, 1)
  assert pgqrs_json('worker', 'reclaim', '--older-than', '0') == {'reclaimed': 0}
  listed = pgqrs_json('worker', 'list', '--queue', 'cli_workers')
  assert [(w['name'], w['status']) for w in listed] == [('cli-w1', 'stopped')], listed
  assert 'Reclaimed 0 workers' in pgqrs('worker', 'reclaim').stdout
  pgqrs('worker', 'reclaim', '--older-than', '-5', status=USAGE)


class Skip(Exception):
  pass


def library():
  try:
    import gi
  except ImportError:
    raise Skip('no PyGObject')
  try:
    gi.require_version('Pgqrs', '1')
  except ValueError:
    raise Skip('built without introspection')
  gi.require_version('Json', '1.0')
  from gi.repository import Json, Pgqrs
  return Json, Pgqrs.Store.new(DSN, None)


@test
def runs():
  Json, store = library()
  pgqrs('queue', 'create', 'cli_runs')
  store.define_workflow('cli_flow', 'cli_runs', None)

  done = store.create_workflow('cli_flow', Json.from_string('{"in": 1}'), None)
  done.start(None)
  done.complete(Json.from_string('{"out": 2}'), None)
  shown = pgqrs_json('run', 'show', str(done.get_id()))
  assert (shown['id'], shown['workflow'], shown['status'], shown['input'], shown['output']) == \
    (done.get_id(), 'cli_flow', 'SUCCESS', {'in': 1}, {'out': 2}), shown
  assert re.search(r'^status +SUCCESS$', pgqrs('run', 'show', str(done.get_id())).stdout, re.M)
  assert pgqrs('run', 'wait', str(done.get_id())).stdout == '{"out":2}\n'
  assert pgqrs_json('run', 'wait', str(done.get_id()))['output'] == {'out': 2}

  failed = store.create_workflow('cli_flow', Json.from_string('{}'), None)
  failed.start(None)
  failed.fail(Json.from_string('{"why": "broken"}'), None)
  pgqrs('run', 'wait', str(failed.get_id()), status=FAILURE)

  queued = store.create_workflow('cli_flow', Json.from_string('{}'), None)
  result = pgqrs('run', 'wait', str(queued.get_id()), '--timeout', '0.3', status=FAILURE)
  cancelled = pgqrs_json('run', 'cancel', str(queued.get_id()))
  assert cancelled['status'] in ('CANCELLING', 'CANCELLED'), cancelled
  pgqrs('run', 'cancel', str(done.get_id()), status=FAILURE)   # finished already

  runs = pgqrs_json('run', 'list', '--workflow', 'cli_flow')
  assert [r['id'] for r in runs] == [queued.get_id(), failed.get_id(), done.get_id()], runs
  assert [r['id'] for r in pgqrs_json('run', 'list', '--status', 'success',
                                      '--status', 'ERROR')] == [failed.get_id(), done.get_id()]
  assert [r['id'] for r in pgqrs_json('run', 'list', '--since', '1h', '--limit', '1')] == \
    [queued.get_id()]
  assert pgqrs_json('run', 'list', '--until', '2000-01-01T00:00:00Z') == []
  assert 'cli_flow' in pgqrs('run', 'list').stdout
  pgqrs('run', 'list', '--status', 'sleeping', status=USAGE)
  pgqrs('run', 'list', '--since', 'yesterday-ish', status=USAGE)

  stepped = store.create_workflow('cli_flow', Json.from_string('{}'), None)
  stepped.start(None)
  step = stepped.acquire_step('fetch', None)
  step.complete(Json.from_string('[1, 2]'), None)
  steps = pgqrs_json('run', 'steps', str(stepped.get_id()))
  assert [(s['name'], s['status'], s['output']) for s in steps] == \
    [('fetch', 'SUCCESS', [1, 2])], steps
  assert 'fetch' in pgqrs('run', 'steps', str(stepped.get_id())).stdout
  assert pgqrs_json('run', 'steps', str(queued.get_id())) == []

  sleeper = store.create_workflow('cli_flow', Json.from_string('{}'), None)
  sleeper.start(None)
  sleeper.pause('until Monday', 3600, None)
  resumed = pgqrs_json('run', 'resume', str(sleeper.get_id()))
  assert (resumed['status'], resumed['pause_reason']) == ('PAUSED', 'until Monday'), resumed
  assert sleeper.start(None)                                   # no longer refused
  pgqrs('run', 'resume', str(sleeper.get_id()), status=FAILURE)  # running: not paused

  for command in ('show', 'cancel', 'wait', 'steps', 'resume'):
    pgqrs('run', command, '999999999', status=NOT_FOUND)
    pgqrs('run', command, 'x', status=USAGE)


def main():
  print(f'1..{len(TESTS)}')
  failed = 0
  for number, function in enumerate(TESTS, 1):
    name = function.__name__.replace('_', ' ')
    try:
      function()
      print(f'ok {number} - {name} ({BACKEND})')
    except Skip as e:
      print(f'ok {number} - {name} ({BACKEND}) # SKIP {e}')
    except Exception:
      failed += 1
      print(f'not ok {number} - {name} ({BACKEND})')
      for line in traceback.format_exc().splitlines():
        print(f'# {line}')
    sys.stdout.flush()
  return 1 if failed else 0


if __name__ == '__main__':
  sys.exit(main())
