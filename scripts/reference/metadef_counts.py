"""What the real tool loads from Glance's own metadefs (run with /usr/bin/python3).

Usage: metadef_counts.py METADEFS_DIR

Loads METADEFS_DIR with the real `glance-manage db load_metadefs` into a new SQLite
database and prints, as JSON, the row count of each metadef table and the objects and
properties per namespace: the expectations test/metadefs.test.ts checks our load
against (test/fixtures/metadefs/glance-common-counts.json).
"""
import json
import os
import sys

import sqlalchemy

import refdb

TABLES = ['metadef_namespaces', 'metadef_objects', 'metadef_properties', 'metadef_tags',
          'metadef_resource_types', 'metadef_namespace_resource_types']


def per_namespace(conn, table):
    rows = conn.exec_driver_sql(
        'SELECT n.namespace, COUNT(*) FROM %s t JOIN metadef_namespaces n ON n.id = t.namespace_id'
        ' GROUP BY n.namespace ORDER BY n.namespace' % table)
    return dict(rows.fetchall())


if __name__ == '__main__':
    with refdb.scratch('sqlite') as url:
        refdb.manage(url, 'db', 'sync')
        refdb.manage(url, 'db', 'load_metadefs', '--path', os.path.abspath(sys.argv[1]))
        engine = sqlalchemy.create_engine(url)
        with engine.connect() as conn:
            out = {
                'tables': {t: conn.exec_driver_sql('SELECT COUNT(*) FROM %s' % t).scalar() for t in TABLES},
                'objects': per_namespace(conn, 'metadef_objects'),
                'properties': per_namespace(conn, 'metadef_properties'),
                'resource_types': [r[0] for r in conn.exec_driver_sql(
                    'SELECT name FROM metadef_resource_types ORDER BY name')],
            }
        engine.dispose()
    sys.stdout.write(json.dumps(out, indent=2, sort_keys=True) + '\n')
