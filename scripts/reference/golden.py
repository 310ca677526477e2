"""Regenerates the golden schema listings from the real Glance tool (run with /usr/bin/python3).

Usage: golden.py OUTDIR [sqlite|postgresql|mysql ...]

For each engine (PostgreSQL and MySQL from TEST_POSTGRESQL_URL / TEST_MYSQL_URL,
as the test suite takes them), builds each state on a new database with
scripts/reference/glance-manage and writes OUTDIR/<dialect>-<state>.inspect.txt
(inspect_schema.py's listing). The states are the ones schema.md names:

  mitaka02                   fresh database, db upgrade --version mitaka02
  wallaby_expand01-online    then db expand (PostgreSQL refuses it: db upgrade --version wallaby_expand01)
  wallaby_contract01-online  then db migrate + db contract (PostgreSQL: db upgrade)
  wallaby_contract01         fresh database, db sync

The 2024_1_contract01-mastersim listings cannot be made by the Zed tool (see
test/fixtures/golden/README.md) and are not touched.
"""
import os
import subprocess
import sys
import tempfile

import refdb
import inspect_schema

STEPS = {
    'sqlite': [('mitaka02', [['upgrade', '--version', 'mitaka02']]),
               ('wallaby_expand01-online', [['expand']]),
               ('wallaby_contract01-online', [['migrate'], ['contract']])],
    'mysql': [('mitaka02', [['upgrade', '--version', 'mitaka02']]),
              ('wallaby_expand01-online', [['expand']]),
              ('wallaby_contract01-online', [['migrate'], ['contract']])],
    'postgresql': [('mitaka02', [['upgrade', '--version', 'mitaka02']]),
                   ('wallaby_expand01-online', [['upgrade', '--version', 'wallaby_expand01']]),
                   ('wallaby_contract01-online', [['upgrade']])],
}


def build(dialect, outdir):
    for path, states in (('online', STEPS[dialect]), ('sync', [('wallaby_contract01', [['sync']])])):
        with refdb.scratch(dialect) as url:
            for state, commands in states:
                for command in commands:
                    refdb.manage(url, 'db', *command)
                with open(os.path.join(outdir, '%s-%s.inspect.txt' % (dialect, state)), 'w') as f:
                    f.write(inspect_schema.listing(url))


if __name__ == '__main__':
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for dialect in sys.argv[2:] or ['sqlite', 'postgresql', 'mysql']:
        build(dialect, outdir)
