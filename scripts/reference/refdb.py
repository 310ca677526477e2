"""Scratch databases and the real tool, for the scripts in scripts/reference (run with /usr/bin/python3)."""
import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import urllib.parse

import sqlalchemy

HERE = os.path.dirname(os.path.abspath(__file__))
GLANCE_MANAGE = os.path.join(HERE, 'glance-manage')
DRIVERS = {'postgresql': 'postgresql+psycopg2', 'mysql': 'mysql+pymysql'}
ENV = {'postgresql': 'TEST_POSTGRESQL_URL', 'mysql': 'TEST_MYSQL_URL'}


def sqlalchemy_url(url):
    """A test URL (postgresql://, mysql://) in SQLAlchemy's spelling, with Glance's charset on MySQL."""
    scheme, rest = url.split('://', 1)
    scheme = DRIVERS.get(scheme, scheme)
    if scheme.startswith('mysql') and 'charset=' not in rest:
        rest += ('&' if '?' in rest else '?') + 'charset=utf8'
    return '%s://%s' % (scheme, rest)


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path='/' + name))


@contextlib.contextmanager
def scratch(dialect):
    """Yields the SQLAlchemy URL of a new, empty database on `dialect`; drops it afterwards."""
    if dialect == 'sqlite':
        tmp = tempfile.mkdtemp(prefix='glance-reference-')
        try:
            yield 'sqlite:///%s/glance.sqlite' % tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    server = os.environ.get(ENV[dialect])
    if not server:
        raise SystemExit('%s is not set' % ENV[dialect])
    name = 'glance_ref_%s' % secrets.token_hex(5)
    admin = sqlalchemy.create_engine(sqlalchemy_url(server), isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.exec_driver_sql('CREATE DATABASE %s' % name)
    try:
        yield sqlalchemy_url(with_database(server, name))
    finally:
        with admin.connect() as conn:
            if dialect == 'postgresql':
                conn.exec_driver_sql('DROP DATABASE %s WITH (FORCE)' % name)
            else:
                conn.exec_driver_sql('DROP DATABASE %s' % name)
        admin.dispose()


def config_file(url):
    """A glance-manage.conf naming `url` (in a new temporary directory)."""
    tmp = tempfile.mkdtemp(prefix='glance-reference-conf-')
    path = os.path.join(tmp, 'glance-manage.conf')
    with open(path, 'w') as f:
        f.write('[database]\nconnection = %s\n' % url.replace('%', '%%'))
    return path


def manage(url, *args, check=True):
    """Runs the real glance-manage with `args` on `url`; returns the CompletedProcess."""
    conf = config_file(url)
    env = dict(os.environ, HOME=os.path.dirname(conf))
    result = subprocess.run([GLANCE_MANAGE, '--config-file', conf] + list(args),
                            capture_output=True, text=True, env=env, cwd=os.path.dirname(conf))
    shutil.rmtree(os.path.dirname(conf), ignore_errors=True)
    if check and result.returncode != 0:
        raise SystemExit('glance-manage %s failed (exit %d): %s' % (
            ' '.join(args), result.returncode, result.stderr.strip().splitlines()[-1:]))
    return result
