"""Drives the real Glance code against one database (run with /usr/bin/python3).

Usage: driver.py URL ACTION[=ARG]...

Runs the actions in order in one process (the real tool's start-up is slow) and
prints one JSON line per action on stdout. Actions:

  states=REV,REV,...  upgrade with Glance's own Alembic scripts to each revision in
                      turn (as `db upgrade --version REV` does, triggers included);
                      result: {REV: inspect_schema listing}
  fill-legacy         rows as a pre-Ocata (mitaka02) node writes them: Zed's DB API
                      cannot (its models have visibility), so through Glance's engine
                      with SQLAlchemy Core on the reflected tables
  fill                rows through glance.db.sqlalchemy.api: images of every
                      visibility, properties, locations with and without a backend,
                      members, tags, tasks with task_info, soft-deleted rows
  legacy-write=TAG    an image written the pre-Ocata way (is_public, no visibility), as
                      an old node does during the expand window; result: its visibility
  roundtrip=TAG       read every image, member, tag, location, property and task through
                      the DB API, then write a new image of each visibility with all of
                      them (TAG makes the ids unique), read it back and update it
  fix-times           set every timestamp to a fixed value (so two fills compare equal)

Fixed ids and values, so two databases filled alike hold the same rows.
"""
import datetime
import json
import sys
import uuid

from oslo_config import cfg
from oslo_db import options as db_options

CONF = cfg.CONF
db_options.set_defaults(CONF)
CONF([], project='glance', default_config_files=[])

import sqlalchemy  # noqa: E402
from glance import context  # noqa: E402
from glance.db.sqlalchemy import api  # noqa: E402

T0 = datetime.datetime(2020, 1, 2, 3, 4, 5)
OLD = datetime.datetime(2019, 1, 1, 0, 0, 0)
OWNER = 'tenant1'
VISIBILITIES = ['public', 'private', 'shared', 'community']


def image_id(n, tag='0'):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, 'glance-manage-reference/%s/%d' % (tag, n)))


def admin():
    return context.RequestContext(is_admin=True, project_id=OWNER)


def engine():
    return api.get_engine()


def fill_legacy():
    """The mitaka02 schema: is_public images, members, properties, locations, tags, tasks."""
    eng = engine()
    meta = sqlalchemy.MetaData()
    meta.reflect(bind=eng)
    t = meta.tables
    with eng.begin() as conn:
        for n in range(8):
            deleted = n >= 6
            conn.execute(t['images'].insert().values(
                id=image_id(n), name='legacy-%d' % n, size=1024 * n, status='deleted' if deleted else 'active',
                is_public=(n % 3 == 0), created_at=T0, updated_at=T0, deleted_at=OLD if deleted else None,
                deleted=deleted, disk_format='qcow2', container_format='bare', checksum='%032x' % n,
                owner=OWNER, min_disk=n, min_ram=2 * n, protected=(n == 1), virtual_size=4096 * n))
            conn.execute(t['image_properties'].insert().values(
                image_id=image_id(n), name='os_distro', value='debian', created_at=T0, deleted=deleted,
                deleted_at=OLD if deleted else None))
            conn.execute(t['image_locations'].insert().values(
                image_id=image_id(n), value='file:///var/lib/glance/images/%d' % n, created_at=T0, deleted=deleted,
                deleted_at=OLD if deleted else None,
                meta_data='{"store": "fast"}' if n % 2 else '{}', status='deleted' if deleted else 'active'))
            conn.execute(t['image_tags'].insert().values(
                image_id=image_id(n), value='tag%d' % n, created_at=T0, deleted=deleted,
                deleted_at=OLD if deleted else None))
        # Images 1 and 2 are shared (a live member); image 4's only member is deleted.
        for n, member, deleted in ((1, 'tenant2', False), (2, 'tenant3', False), (4, 'tenant2', True)):
            conn.execute(t['image_members'].insert().values(
                image_id=image_id(n), member=member, can_share=False, created_at=T0, deleted=deleted,
                deleted_at=OLD if deleted else None, status='accepted'))
        for n in range(3):
            deleted = n == 2
            tid = image_id(n, 'task')
            conn.execute(t['tasks'].insert().values(
                id=tid, type='import', status='success', owner=OWNER, created_at=T0, deleted=deleted,
                deleted_at=OLD if deleted else None))
            conn.execute(t['task_info'].insert().values(task_id=tid, input='{"n": %d}' % n, result='{}', message=''))
    return {'images': 8}


def create_image(ctx, n, tag, visibility, deleted=False):
    iid = image_id(n, tag)
    api.image_create(ctx, {
        'id': iid, 'name': '%s-%d' % (tag, n), 'status': 'active', 'visibility': visibility,
        'size': 1024 * n, 'virtual_size': 4096 * n, 'disk_format': 'raw', 'container_format': 'bare',
        'owner': OWNER, 'min_disk': 1, 'min_ram': 2, 'protected': False, 'os_hidden': n % 2 == 1,
        'checksum': '%032x' % n, 'os_hash_algo': 'sha512', 'os_hash_value': '%0128x' % n,
        'properties': {'os_distro': 'debian', 'hw_disk_bus': 'virtio'},
        'locations': [
            {'url': 'file:///var/lib/glance/images/%s' % iid, 'metadata': {'store': 'fast'}, 'status': 'active'},
            {'url': 'http://example.com/%s' % iid, 'metadata': {}, 'status': 'active'},
        ],
    })
    api.image_tag_create(ctx, iid, 'tag-a')
    api.image_tag_create(ctx, iid, 'tag-b')
    if visibility == 'shared':
        api.image_member_create(ctx, {'image_id': iid, 'member': 'tenant2', 'can_share': False, 'status': 'accepted'})
        gone = api.image_member_create(ctx, {'image_id': iid, 'member': 'tenant3', 'can_share': True})
        api.image_member_delete(ctx, gone['id'])
    task = api.task_create(ctx, {
        'id': image_id(n, tag + '-task'), 'type': 'import', 'status': 'pending', 'owner': OWNER,
        'input': {'image_id': iid}, 'result': None, 'message': '', 'image_id': iid,
        'request_id': 'req-%d' % n, 'user_id': 'user1'})
    if deleted:
        api.image_tag_delete(ctx, iid, 'tag-b')
        api.image_destroy(ctx, iid)
        api.task_delete(ctx, task['id'])
    return iid


def fill():
    ctx = admin()
    ids = [create_image(ctx, n, 'api', VISIBILITIES[n % 4], deleted=n >= 4) for n in range(6)]
    return {'images': len(ids)}


def legacy_write(tag):
    eng = engine()
    meta = sqlalchemy.MetaData()
    meta.reflect(bind=eng, only=['images'])
    images = meta.tables['images']
    out = {}
    with eng.begin() as conn:
        for n, is_public in ((0, True), (1, False)):
            iid = image_id(n, tag)
            conn.execute(images.insert().values(
                id=iid, name='old-node', status='active', is_public=is_public, created_at=T0, deleted=False,
                min_disk=0, min_ram=0, protected=False, owner=OWNER))
            out[iid] = conn.execute(sqlalchemy.select(images.c.visibility).where(images.c.id == iid)).scalar()
    return out


def props(image):
    return {p['name']: p['value'] for p in image['properties'] if not p['deleted']}


def roundtrip(tag):
    ctx = admin()
    seen = {'images': len(api.image_get_all(ctx)), 'locations': 0, 'properties': 0, 'members': 0, 'tags': 0}
    for image in api.image_get_all(ctx):
        seen['locations'] += len(image['locations'])
        seen['properties'] += len(image['properties'])
        seen['members'] += len(api.image_member_find(ctx, image_id=image['id']))
        seen['tags'] += len(api.image_tag_get_all(ctx, image['id']))
    seen['tasks'] = len(api.task_get_all(ctx))
    written = {}
    for n, visibility in enumerate(VISIBILITIES):
        iid = create_image(ctx, n, tag, visibility)
        got = api.image_get(ctx, iid)
        assert got['visibility'] == visibility, (visibility, got['visibility'])
        assert sorted(l['url'].split(':')[0] for l in got['locations']) == ['file', 'http'], got['locations']
        assert props(got) == {'os_distro': 'debian', 'hw_disk_bus': 'virtio'}, got['properties']
        assert sorted(api.image_tag_get_all(ctx, iid)) == ['tag-a', 'tag-b']
        api.image_update(ctx, iid, {'name': 'renamed', 'properties': {'os_distro': 'ubuntu'}}, purge_props=True)
        assert props(api.image_get(ctx, iid)) == {'os_distro': 'ubuntu'}
        api.image_location_add(ctx, iid, {'url': 'file:///extra', 'metadata': {}, 'status': 'active'})
        written[visibility] = len(api.image_get(ctx, iid)['locations'])
    members = api.image_member_find(ctx, image_id=image_id(2, tag))
    assert [m['member'] for m in members] == ['tenant2'], members
    task = api.task_get(ctx, image_id(0, tag + '-task'))
    assert task['input'] == {'image_id': image_id(0, tag)}, task
    return {'seen': seen, 'written': written}


def fix_times():
    eng = engine()
    meta = sqlalchemy.MetaData()
    meta.reflect(bind=eng)
    with eng.begin() as conn:
        for table in meta.sorted_tables:
            values = {c: (OLD if c == 'deleted_at' else T0) for c in ('created_at', 'updated_at', 'deleted_at', 'expires_at')
                      if c in table.c}
            for column, value in values.items():
                conn.execute(table.update().where(table.c[column].isnot(None)).values({column: value}))
    return {}


def states(revisions):
    from alembic import command
    from glance.db.sqlalchemy import alembic_migrations
    import inspect_schema
    config = alembic_migrations.get_alembic_config(engine())
    out = {}
    for revision in revisions.split(','):
        command.upgrade(config, revision)
        out[revision] = inspect_schema.listing(str(engine().url))
    return out


ACTIONS = {'states': states, 'fill-legacy': fill_legacy, 'fill': fill, 'legacy-write': legacy_write,
           'roundtrip': roundtrip, 'fix-times': fix_times}

if __name__ == '__main__':
    CONF.set_override('connection', sys.argv[1], group='database')
    for action in sys.argv[2:]:
        name, _, arg = action.partition('=')
        result = ACTIONS[name](arg) if arg else ACTIONS[name]()
        sys.stdout.write(json.dumps({'action': action, 'result': result}, default=str) + '\n')
        sys.stdout.flush()
