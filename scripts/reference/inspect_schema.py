"""Lists a database's schema as SQLAlchemy's inspector reflects it (run with /usr/bin/python3).

Usage: inspect_schema.py URL

The listing is the format of the project's golden fixtures (test/fixtures/golden,
parsed by test/support/golden.ts): one TABLE block per table in name order with the
MySQL table options, columns in physical order, primary key, foreign keys, indexes
and unique constraints in name order, CHECK constraints, then one TRIGGER line per
trigger (the inspector has no trigger API, so those come from the catalog).
"""
import sys

import sqlalchemy
from sqlalchemy import inspect, text


def triggers(engine):
    name = engine.dialect.name
    with engine.connect() as conn:
        if name == 'sqlite':
            rows = conn.execute(text("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"))
        elif name == 'postgresql':
            rows = conn.execute(text(
                "SELECT DISTINCT trigger_name, event_object_table FROM information_schema.triggers"
                " WHERE trigger_schema = current_schema()"))
        else:
            rows = conn.execute(text(
                "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS"
                " WHERE TRIGGER_SCHEMA = DATABASE()"))
        return sorted((table, trigger) for trigger, table in rows)


def listing(url):
    engine = sqlalchemy.create_engine(url)
    insp = inspect(engine)
    out = []
    for table in sorted(insp.get_table_names()):
        out.append('TABLE %s' % table)
        if engine.dialect.name == 'mysql':
            opts = {k: v for k, v in insp.get_table_options(table).items()
                    if k in ('mysql_engine', 'mysql_default charset', 'mysql_collate')}
            out.append('  options: %r' % dict(sorted(opts.items())))
        for c in insp.get_columns(table):
            out.append('  col %s: %r nullable=%r default=%r autoinc=%r' % (
                c['name'], c['type'], c['nullable'], c['default'], c.get('autoincrement')))
        pk = insp.get_pk_constraint(table)
        out.append('  pk name=%r cols=%r' % (pk.get('name'), pk['constrained_columns']))
        for fk in insp.get_foreign_keys(table):
            out.append('  fk name=%r %r -> %s%r options=%r' % (
                fk['name'], fk['constrained_columns'], fk['referred_table'],
                fk['referred_columns'], fk.get('options', {})))
        for ix in sorted(insp.get_indexes(table), key=lambda i: i['name'] or ''):
            extra = {k: v for k, v in ix.items()
                     if k in ('duplicates_constraint', 'type')}
            out.append('  index %s %r unique=%r%s' % (
                ix['name'], ix['column_names'], ix['unique'], ' %r' % extra if extra else ''))
        for uq in sorted(insp.get_unique_constraints(table), key=lambda u: u['name'] or ''):
            out.append('  unique %s %r' % (uq['name'], uq['column_names']))
        try:
            checks = insp.get_check_constraints(table)
        except NotImplementedError:
            checks = []
        for ck in checks:
            out.append('  check %r: %s' % (ck['name'], ck['sqltext']))
    if engine.dialect.name == 'postgresql':
        for e in sorted(insp.get_enums(), key=lambda e: e['name']):
            out.append('ENUM %s %r' % (e['name'], e['labels']))
    for table, trigger in triggers(engine):
        out.append('TRIGGER %s ON %s' % (trigger, table))
    engine.dispose()
    return '\n'.join(out) + '\n'


if __name__ == '__main__':
    sys.stdout.write(listing(sys.argv[1]))
