"""Records the statements the real tool sends for each revision (run with /usr/bin/python3).

Usage: ddl_trace.py sqlite|postgresql|mysql > FILE

One engine per process: oslo.db's engine facade keeps the first engine it starts.
Two orders vary from run to run in Glance, so the file fixes them: MySQL's table options
follow Python's hash seed (run with PYTHONHASHSEED=0, as golden.sh does), and the indexes
that a SQLite batch recreation re-creates after its RENAME come in no stable order at all
(they are recorded sorted).

On a new database per engine (PostgreSQL and MySQL from TEST_POSTGRESQL_URL /
TEST_MYSQL_URL), upgrades with Glance's own Alembic scripts one Zed revision at a
time, in upgrade order, as `db upgrade --version R` does (so with the MySQL
triggers), and prints {revision: [statement, ...]} with
every statement SQLAlchemy sent except reads, transaction control and the
alembic_version bookkeeping, exactly as sent (bound parameters as `?`/`%s` with
their values after ` -- params: `). test/ddl-golden.test.ts compares our
compilers' output with these files without any server.
"""
import json
import re
import sys

import sqlalchemy

import refdb

REVISIONS = ['liberty', 'mitaka01', 'mitaka02', 'ocata_expand01', 'pike_expand01', 'queens_expand01',
             'rocky_expand01', 'rocky_expand02', 'train_expand01', 'ussuri_expand01', 'wallaby_expand01',
             'ocata_contract01', 'pike_contract01', 'queens_contract01', 'rocky_contract01', 'rocky_contract02',
             'train_contract01', 'ussuri_contract01', 'wallaby_contract01']
SKIP = re.compile(r'^\s*(SELECT|SHOW|PRAGMA|BEGIN|COMMIT|ROLLBACK|SET|DESCRIBE)\b', re.I)

sent = []


def record(conn, cursor, statement, parameters, context, executemany):
    if SKIP.match(statement) or 'alembic_version' in statement:
        return
    text = statement.strip()
    if parameters:
        text += ' -- params: %s' % json.dumps(parameters, default=str)
    sent.append(text)


def sorted_recreated_indexes(statements):
    """`statements` with each run of CREATE INDEX after a batch recreation's RENAME sorted."""
    out, run, after_rename = [], [], False
    for s in statements + [None]:
        if after_rename and s is not None and s.startswith('CREATE INDEX'):
            run.append(s)
            continue
        out.extend(sorted(run))
        run, after_rename = [], False
        if s is not None:
            out.append(s)
            after_rename = bool(re.match(r'ALTER TABLE _alembic_tmp_\w+ RENAME TO', s))
    return out


def trace(dialect):
    with refdb.scratch(dialect) as url:
        from oslo_config import cfg
        from oslo_db import options as db_options
        conf = cfg.CONF
        db_options.set_defaults(conf)
        conf([], project='glance', default_config_files=[])
        conf.set_override('connection', url, group='database')
        from alembic import command
        from glance.db.sqlalchemy import alembic_migrations, api
        config = alembic_migrations.get_alembic_config(api.get_engine())
        out = {}
        for revision in REVISIONS:
            del sent[:]
            command.upgrade(config, revision)
            out[revision] = sorted_recreated_indexes(sent)
        api.get_engine().dispose()
        return out


if __name__ == '__main__':
    sqlalchemy.event.listen(sqlalchemy.engine.Engine, 'before_cursor_execute', record)
    sys.stdout.write(json.dumps(trace(sys.argv[1]), indent=1) + '\n')
