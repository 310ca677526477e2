-- mitaka02 -> head by hand on SQLite: images rebuilt once with its final
-- definition, visibility computed in the copy; one UPDATE for the location
-- metadata; the remaining DDL as the revisions have it. One transaction,
-- foreign keys off around it as for any SQLite table rebuild.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE _floor_images (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(255), 
	size INTEGER, 
	status VARCHAR(30) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME, 
	deleted_at DATETIME, 
	deleted BOOLEAN NOT NULL, 
	disk_format VARCHAR(20), 
	container_format VARCHAR(20), 
	checksum VARCHAR(32), 
	owner VARCHAR(255), 
	min_disk INTEGER NOT NULL, 
	min_ram INTEGER NOT NULL, 
	protected BOOLEAN DEFAULT 0 NOT NULL, 
	virtual_size INTEGER, 
	visibility VARCHAR(9) DEFAULT 'shared' NOT NULL, 
	os_hidden BOOLEAN DEFAULT 0 NOT NULL, 
	os_hash_algo VARCHAR(64), 
	os_hash_value VARCHAR(128), 
	PRIMARY KEY (id)
);
INSERT INTO _floor_images (id, name, size, status, created_at, updated_at, deleted_at, deleted, disk_format, container_format, checksum, owner, min_disk, min_ram, protected, virtual_size, visibility, os_hidden)
SELECT id, name, size, status, created_at, updated_at, deleted_at, deleted, disk_format, container_format, checksum, owner, min_disk, min_ram, protected, virtual_size,
  CASE WHEN is_public = 1 THEN 'public' WHEN EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id AND m.deleted = 0) THEN 'shared' ELSE 'private' END, 0
FROM images;
DROP TABLE images;
ALTER TABLE _floor_images RENAME TO images;
CREATE INDEX checksum_image_idx ON images (checksum);
CREATE INDEX ix_images_deleted ON images (deleted);
CREATE INDEX owner_image_idx ON images (owner);
CREATE INDEX created_at_image_idx ON images (created_at);
CREATE INDEX updated_at_image_idx ON images (updated_at);
CREATE INDEX visibility_image_idx ON images (visibility);
CREATE INDEX os_hidden_image_idx ON images (os_hidden);
CREATE INDEX os_hash_value_image_idx ON images (os_hash_value);
UPDATE image_locations SET meta_data = REPLACE(meta_data, '"backend":', '"store":') WHERE INSTR(meta_data, '"backend":') > 0;
ALTER TABLE tasks ADD COLUMN image_id VARCHAR(36);
ALTER TABLE tasks ADD COLUMN request_id VARCHAR(64);
ALTER TABLE tasks ADD COLUMN user_id VARCHAR(64);
CREATE INDEX ix_tasks_image_id ON tasks (image_id);
CREATE TABLE node_reference (
	node_reference_id INTEGER NOT NULL, 
	node_reference_url VARCHAR(255) NOT NULL, 
	PRIMARY KEY (node_reference_id), 
	CONSTRAINT uq_node_reference_node_reference_url UNIQUE (node_reference_url)
);
CREATE TABLE cached_images (
	id INTEGER NOT NULL, 
	image_id VARCHAR(36) NOT NULL, 
	last_accessed DATETIME NOT NULL, 
	last_modified DATETIME NOT NULL, 
	size BIGINT NOT NULL, 
	hits INTEGER NOT NULL, 
	checksum VARCHAR(32), 
	node_reference_id INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(node_reference_id) REFERENCES node_reference (node_reference_id), 
	CONSTRAINT ix_cached_images_image_id_node_reference_id UNIQUE (image_id, node_reference_id)
);
DROP TABLE artifact_blob_locations;
DROP TABLE artifact_properties;
DROP TABLE artifact_blobs;
DROP TABLE artifact_dependencies;
DROP TABLE artifact_tags;
DROP TABLE artifacts;
UPDATE alembic_version SET version_num = '2024_1_contract01';
COMMIT;
PRAGMA foreign_keys = ON;
