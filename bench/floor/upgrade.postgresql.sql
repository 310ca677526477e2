-- mitaka02 -> head by hand on PostgreSQL: columns added with no rewrite, one
-- set-based UPDATE for visibility and one for the location metadata, then the
-- constraints; the remaining DDL as the revisions have it. One transaction.
BEGIN;
CREATE TYPE image_visibility AS ENUM ('private', 'public', 'shared', 'community');
ALTER TABLE images ADD COLUMN visibility image_visibility, ADD COLUMN os_hidden BOOLEAN DEFAULT false NOT NULL, ADD COLUMN os_hash_algo VARCHAR(64), ADD COLUMN os_hash_value VARCHAR(128);
UPDATE images SET visibility = (CASE WHEN is_public THEN 'public' WHEN EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id AND m.deleted = false) THEN 'shared' ELSE 'private' END)::image_visibility;
ALTER TABLE images DROP COLUMN is_public, ALTER COLUMN visibility SET NOT NULL, ALTER COLUMN visibility SET DEFAULT 'shared';
CREATE INDEX visibility_image_idx ON images (visibility);
CREATE INDEX os_hidden_image_idx ON images (os_hidden);
CREATE INDEX os_hash_value_image_idx ON images (os_hash_value);
UPDATE image_locations SET meta_data = REPLACE(meta_data, '"backend":', '"store":') WHERE POSITION('"backend":' IN meta_data) > 0;
ALTER TABLE tasks ADD COLUMN image_id VARCHAR(36), ADD COLUMN request_id VARCHAR(64), ADD COLUMN user_id VARCHAR(64);
CREATE INDEX ix_tasks_image_id ON tasks (image_id);
CREATE TABLE node_reference (
	node_reference_id BIGSERIAL NOT NULL, 
	node_reference_url VARCHAR(255) NOT NULL, 
	PRIMARY KEY (node_reference_id), 
	CONSTRAINT uq_node_reference_node_reference_url UNIQUE (node_reference_url)
);
CREATE TABLE cached_images (
	id BIGSERIAL NOT NULL, 
	image_id VARCHAR(36) NOT NULL, 
	last_accessed TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	last_modified TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	size BIGINT NOT NULL, 
	hits INTEGER NOT NULL, 
	checksum VARCHAR(32), 
	node_reference_id BIGINT NOT NULL, 
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
