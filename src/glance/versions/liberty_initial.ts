import { defineRevision } from '../../engine/revision.js'
import { column, types } from '../../ops/column-types.js'
import type { MigrationOps } from '../../ops/migration-ops.js'
import { autoincrementId, FALSE, timestamps } from '../tables.js'

const { string, text, integer, bigInteger, boolean, dateTime, numeric } = types
const notNull = { nullable: false }
const imageChild = { columns: ['image_id'], refTable: 'images', refColumns: ['id'] }
const namespaceChild = { columns: ['namespace_id'], refTable: 'metadef_namespaces', refColumns: ['id'] }
const artifactRef = (columnName: string) => ({ columns: [columnName], refTable: 'artifacts', refColumns: ['id'] })
const createdUpdated = () => [timestamps.createdAt(), timestamps.updatedAt(false)]

/** The schema every Liberty-era Glance database had; later revisions start from here. */
export default defineRevision({
  id: 'liberty',
  revises: null,
  message: 'liberty initial',
  upgrade(op) {
    addImagesTables(op)
    addImageChildTables(op)
    addImageSharingTables(op)
    addTasksTables(op)
    addMetadefsTables(op)
    addMetadefChildTables(op)
    addArtifactsTables(op)
    addArtifactBlobTables(op)
    addArtifactLinkTables(op)
  },
})

function addImagesTables(op: MigrationOps): void {
  op.createTable(
    'images',
    [
      column('id', string(36), notNull),
      column('name', string(255)),
      // master declares BigInteger().with_variant(Integer, 'sqlite')
      column('size', bigInteger({ sqliteInteger: true })),
      column('status', string(30), notNull),
      column('is_public', boolean(), notNull),
      timestamps.createdAt(),
      timestamps.updatedAt(),
      timestamps.deletedAt(),
      timestamps.deleted(),
      column('disk_format', string(20)),
      column('container_format', string(20)),
      column('checksum', string(32)),
      column('owner', string(255)),
      column('min_disk', integer(), notNull),
      column('min_ram', integer(), notNull),
      column('protected', boolean(), { nullable: false, default: FALSE }),
      column('virtual_size', bigInteger({ sqliteInteger: true })),
    ],
    { primaryKey: ['id'] },
  )
  op.createIndex('checksum_image_idx', 'images', ['checksum'])
  op.createIndex('ix_images_deleted', 'images', ['deleted'])
  op.createIndex('ix_images_is_public', 'images', ['is_public'])
  op.createIndex('owner_image_idx', 'images', ['owner'])
}

/** An image's properties and locations. */
function addImageChildTables(op: MigrationOps): void {
  op.createTable(
    'image_properties',
    [
      autoincrementId(),
      column('image_id', string(36), notNull),
      column('name', string(255), notNull),
      column('value', text()),
      timestamps.createdAt(),
      timestamps.updatedAt(),
      timestamps.deletedAt(),
      timestamps.deleted(),
    ],
    {
      primaryKey: ['id'],
      foreignKeys: [imageChild],
      uniques: [{ name: 'ix_image_properties_image_id_name', columns: ['image_id', 'name'] }],
    },
  )
  op.createIndex('ix_image_properties_deleted', 'image_properties', ['deleted'])
  op.createIndex('ix_image_properties_image_id', 'image_properties', ['image_id'])

  op.createTable(
    'image_locations',
    [
      autoincrementId(),
      column('image_id', string(36), notNull),
      column('value', text(), notNull),
      timestamps.createdAt(),
      timestamps.updatedAt(),
      timestamps.deletedAt(),
      timestamps.deleted(),
      column('meta_data', text()),
      column('status', string(30), { nullable: false, default: { kind: 'string', value: 'active' } }),
    ],
    { primaryKey: ['id'], foreignKeys: [imageChild] },
  )
  op.createIndex('ix_image_locations_deleted', 'image_locations', ['deleted'])
  op.createIndex('ix_image_locations_image_id', 'image_locations', ['image_id'])
}

/** Members and tags of an image. */
function addImageSharingTables(op: MigrationOps): void {
  op.createTable(
    'image_members',
    [
      autoincrementId(),
      column('image_id', string(36), notNull),
      column('member', string(255), notNull),
      column('can_share', boolean(), notNull),
      timestamps.createdAt(),
      timestamps.updatedAt(),
      timestamps.deletedAt(),
      timestamps.deleted(),
      column('status', string(20), { nullable: false, default: { kind: 'string', value: 'pending' } }),
    ],
    {
      primaryKey: ['id'],
      foreignKeys: [imageChild],
      uniques: [{ name: 'image_members_image_id_member_deleted_at_key', columns: ['image_id', 'member', 'deleted_at'] }],
    },
  )
  op.createIndex('ix_image_members_deleted', 'image_members', ['deleted'])
  op.createIndex('ix_image_members_image_id', 'image_members', ['image_id'])
  op.createIndex('ix_image_members_image_id_member', 'image_members', ['image_id', 'member'])

  op.createTable(
    'image_tags',
    [
      autoincrementId(),
      column('image_id', string(36), notNull),
      column('value', string(255), notNull),
      timestamps.createdAt(),
      timestamps.updatedAt(),
      timestamps.deletedAt(),
      timestamps.deleted(),
    ],
    { primaryKey: ['id'], foreignKeys: [imageChild] },
  )
  op.createIndex('ix_image_tags_image_id', 'image_tags', ['image_id'])
  op.createIndex('ix_image_tags_image_id_tag_value', 'image_tags', ['image_id', 'value'])
}

function addTasksTables(op: MigrationOps): void {
  op.createTable(
    'tasks',
    [
      column('id', string(36), notNull),
      column('type', string(30), notNull),
      column('status', string(30), notNull),
      column('owner', string(255), notNull),
      column('expires_at', dateTime()),
      timestamps.createdAt(),
      timestamps.updatedAt(),
      timestamps.deletedAt(),
      timestamps.deleted(),
    ],
    { primaryKey: ['id'] },
  )
  op.createIndex('ix_tasks_deleted', 'tasks', ['deleted'])
  op.createIndex('ix_tasks_owner', 'tasks', ['owner'])
  op.createIndex('ix_tasks_status', 'tasks', ['status'])
  op.createIndex('ix_tasks_type', 'tasks', ['type'])
  op.createIndex('ix_tasks_updated_at', 'tasks', ['updated_at'])

  op.createTable(
    'task_info',
    [column('task_id', string(36), notNull), column('input', text()), column('result', text()), column('message', text())],
    { primaryKey: ['task_id'], foreignKeys: [{ columns: ['task_id'], refTable: 'tasks', refColumns: ['id'] }] },
  )
}

function addMetadefsTables(op: MigrationOps): void {
  op.createTable(
    'metadef_namespaces',
    [
      autoincrementId(),
      column('namespace', string(80), notNull),
      column('display_name', string(80)),
      column('description', text()),
      column('visibility', string(32)),
      column('protected', boolean()),
      column('owner', string(255), notNull),
      timestamps.createdAt(),
      timestamps.updatedAt(),
    ],
    { primaryKey: ['id'], uniques: [{ name: 'uq_metadef_namespaces_namespace', columns: ['namespace'] }] },
  )
  op.createIndex('ix_metadef_namespaces_owner', 'metadef_namespaces', ['owner'])

  op.createTable(
    'metadef_resource_types',
    [
      autoincrementId(),
      column('name', string(80), notNull),
      column('protected', boolean(), notNull),
      timestamps.createdAt(),
      timestamps.updatedAt(),
    ],
    { primaryKey: ['id'], uniques: [{ name: 'uq_metadef_resource_types_name', columns: ['name'] }] },
  )

  op.createTable(
    'metadef_namespace_resource_types',
    [
      column('resource_type_id', integer(), notNull),
      column('namespace_id', integer(), notNull),
      column('properties_target', string(80)),
      column('prefix', string(80)),
      timestamps.createdAt(),
      timestamps.updatedAt(),
    ],
    {
      primaryKey: ['resource_type_id', 'namespace_id'],
      foreignKeys: [namespaceChild, { columns: ['resource_type_id'], refTable: 'metadef_resource_types', refColumns: ['id'] }],
    },
  )
  op.createIndex('ix_metadef_ns_res_types_namespace_id', 'metadef_namespace_resource_types', ['namespace_id'])
}

/** A namespace's objects, properties and tags. */
function addMetadefChildTables(op: MigrationOps): void {
  op.createTable(
    'metadef_objects',
    [
      autoincrementId(),
      column('namespace_id', integer(), notNull),
      column('name', string(80), notNull),
      column('description', text()),
      column('required', text()),
      column('json_schema', text(), notNull),
      timestamps.createdAt(),
      timestamps.updatedAt(),
    ],
    {
      primaryKey: ['id'],
      foreignKeys: [namespaceChild],
      uniques: [{ name: 'uq_metadef_objects_namespace_id_name', columns: ['namespace_id', 'name'] }],
    },
  )
  op.createIndex('ix_metadef_objects_name', 'metadef_objects', ['name'])

  op.createTable(
    'metadef_properties',
    [
      autoincrementId(),
      column('namespace_id', integer(), notNull),
      column('name', string(80), notNull),
      column('json_schema', text(), notNull),
      timestamps.createdAt(),
      timestamps.updatedAt(),
    ],
    {
      primaryKey: ['id'],
      foreignKeys: [namespaceChild],
      uniques: [{ name: 'uq_metadef_properties_namespace_id_name', columns: ['namespace_id', 'name'] }],
    },
  )
  op.createIndex('ix_metadef_properties_name', 'metadef_properties', ['name'])

  op.createTable(
    'metadef_tags',
    [
      autoincrementId(),
      column('namespace_id', integer(), notNull),
      column('name', string(80), notNull),
      timestamps.createdAt(),
      timestamps.updatedAt(),
    ],
    {
      primaryKey: ['id'],
      foreignKeys: [namespaceChild],
      uniques: [{ name: 'uq_metadef_tags_namespace_id_name', columns: ['namespace_id', 'name'] }],
    },
  )
  op.createIndex('ix_metadef_tags_name', 'metadef_tags', ['name'])
}

function addArtifactsTables(op: MigrationOps): void {
  op.createTable(
    'artifacts',
    [
      column('id', string(36), notNull),
      column('name', string(255), notNull),
      column('type_name', string(255), notNull),
      column('type_version_prefix', bigInteger(), notNull),
      column('type_version_suffix', string(255)),
      column('type_version_meta', string(255)),
      column('version_prefix', bigInteger(), notNull),
      column('version_suffix', string(255)),
      column('version_meta', string(255)),
      column('description', text()),
      column('visibility', string(32), notNull),
      column('state', string(32), notNull),
      column('owner', string(255), notNull),
      ...createdUpdated(),
      timestamps.deletedAt(),
      column('published_at', dateTime()),
    ],
    { primaryKey: ['id'] },
  )
  op.createIndex('ix_artifact_name_and_version', 'artifacts', ['name', 'version_prefix', 'version_suffix'])
  op.createIndex('ix_artifact_owner', 'artifacts', ['owner'])
  op.createIndex('ix_artifact_state', 'artifacts', ['state'])
  op.createIndex('ix_artifact_type', 'artifacts', ['type_name', 'type_version_prefix', 'type_version_suffix'])
  op.createIndex('ix_artifact_visibility', 'artifacts', ['visibility'])
}

/** Artifact blobs and their locations (dropped again by pike_contract01). */
function addArtifactBlobTables(op: MigrationOps): void {
  op.createTable(
    'artifact_blobs',
    [
      column('id', string(36), notNull),
      column('artifact_id', string(36), notNull),
      column('size', bigInteger(), notNull),
      column('checksum', string(32)),
      column('name', string(255), notNull),
      column('item_key', string(329)),
      column('position', integer()),
      ...createdUpdated(),
    ],
    { primaryKey: ['id'], foreignKeys: [artifactRef('artifact_id')] },
  )
  op.createIndex('ix_artifact_blobs_artifact_id', 'artifact_blobs', ['artifact_id'])
  op.createIndex('ix_artifact_blobs_name', 'artifact_blobs', ['name'])
}

/** How artifacts depend on one another. */
function addArtifactLinkTables(op: MigrationOps): void {
  op.createTable(
    'artifact_dependencies',
    [
      column('id', string(36), notNull),
      column('artifact_source', string(36), notNull),
      column('artifact_dest', string(36), notNull),
      column('artifact_origin', string(36), notNull),
      column('is_direct', boolean(), notNull),
      column('position', integer()),
      column('name', string(36)),
      ...createdUpdated(),
    ],
    {
      primaryKey: ['id'],
      // Declared dest, origin, source: MySQL numbers the constraints in this order.
      foreignKeys: [artifactRef('artifact_dest'), artifactRef('artifact_origin'), artifactRef('artifact_source')],
    },
  )
  op.createIndex('ix_artifact_dependencies_dest_id', 'artifact_dependencies', ['artifact_dest'])
  op.createIndex('ix_artifact_dependencies_direct_dependencies', 'artifact_dependencies', ['artifact_source', 'is_direct'])
  op.createIndex('ix_artifact_dependencies_origin_id', 'artifact_dependencies', ['artifact_origin'])
  op.createIndex('ix_artifact_dependencies_source_id', 'artifact_dependencies', ['artifact_source'])

  op.createTable(
    'artifact_properties',
    [
      column('id', string(36), notNull),
      column('artifact_id', string(36), notNull),
      column('name', string(255), notNull),
      column('string_value', string(255)),
      column('int_value', integer()),
      column('numeric_value', numeric()),
      column('bool_value', boolean()),
      column('text_value', text()),
      ...createdUpdated(),
      column('position', integer()),
    ],
    { primaryKey: ['id'], foreignKeys: [artifactRef('artifact_id')] },
  )
  op.createIndex('ix_artifact_properties_artifact_id', 'artifact_properties', ['artifact_id'])
  op.createIndex('ix_artifact_properties_name', 'artifact_properties', ['name'])

  op.createTable(
    'artifact_tags',
    [
      column('id', string(36), notNull),
      column('artifact_id', string(36), notNull),
      column('value', string(255), notNull),
      ...createdUpdated(),
    ],
    { primaryKey: ['id'], foreignKeys: [artifactRef('artifact_id')] },
  )
  op.createIndex('ix_artifact_tags_artifact_id', 'artifact_tags', ['artifact_id'])
  op.createIndex('ix_artifact_tags_artifact_id_tag_value', 'artifact_tags', ['artifact_id', 'value'])

  op.createTable(
    'artifact_blob_locations',
    [
      column('id', string(36), notNull),
      column('blob_id', string(36), notNull),
      column('value', text(), notNull),
      ...createdUpdated(),
      column('position', integer()),
      column('status', string(36)),
    ],
    { primaryKey: ['id'], foreignKeys: [{ columns: ['blob_id'], refTable: 'artifact_blobs', refColumns: ['id'] }] },
  )
  op.createIndex('ix_artifact_blob_locations_blob_id', 'artifact_blob_locations', ['blob_id'])
}
