-- mitaka02 -> head by hand on MariaDB/MySQL: the new images columns in one
-- instant ALTER (visibility with its final definition), one set-based UPDATE
-- each for visibility and the location metadata, then is_public dropped and
-- the indexes built in one in-place ALTER; the remaining DDL as the
-- revisions have it.
ALTER TABLE images ADD COLUMN visibility ENUM('private','public','shared','community') NOT NULL DEFAULT 'shared', ADD COLUMN os_hidden BOOL NOT NULL DEFAULT false, ADD COLUMN os_hash_algo VARCHAR(64), ADD COLUMN os_hash_value VARCHAR(128), ALGORITHM=INSTANT;
UPDATE images SET visibility = CASE WHEN is_public = 1 THEN 'public' WHEN EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id AND m.deleted = 0) THEN 'shared' ELSE 'private' END;
ALTER TABLE images DROP INDEX ix_images_is_public, DROP COLUMN is_public, ADD INDEX visibility_image_idx (visibility), ADD INDEX os_hidden_image_idx (os_hidden), ADD INDEX os_hash_value_image_idx (os_hash_value), ALGORITHM=INPLACE, LOCK=NONE;
UPDATE image_locations SET meta_data = REPLACE(meta_data, '"backend":', '"store":') WHERE INSTR(meta_data, BINARY '"backend":') > 0;
ALTER TABLE tasks ADD COLUMN image_id VARCHAR(36), ADD COLUMN request_id VARCHAR(64), ADD COLUMN user_id VARCHAR(64), ADD INDEX ix_tasks_image_id (image_id);
CREATE TABLE node_reference (
	node_reference_id BIGINT NOT NULL AUTO_INCREMENT, 
	node_reference_url VARCHAR(255) NOT NULL, 
	PRIMARY KEY (node_reference_id), 
	CONSTRAINT uq_node_reference_node_reference_url UNIQUE (node_reference_url)
)ENGINE=InnoDB CHARSET=utf8;
CREATE TABLE cached_images (
	id BIGINT NOT NULL AUTO_INCREMENT, 
	image_id VARCHAR(36) NOT NULL, 
	last_accessed DATETIME NOT NULL, 
	last_modified DATETIME NOT NULL, 
	size BIGINT NOT NULL, 
	hits INTEGER NOT NULL, 
	checksum VARCHAR(32), 
	node_reference_id BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(node_reference_id) REFERENCES node_reference (node_reference_id), 
	CONSTRAINT ix_cached_images_image_id_node_reference_id UNIQUE (image_id, node_reference_id)
)ENGINE=InnoDB CHARSET=utf8;
DROP TABLE artifact_blob_locations;
DROP TABLE artifact_properties;
DROP TABLE artifact_blobs;
DROP TABLE artifact_dependencies;
DROP TABLE artifact_tags;
DROP TABLE artifacts;
UPDATE alembic_version SET version_num = '2024_1_contract01';
