import type { Revision } from '../../engine/revision.js'
import liberty_initial from './liberty_initial.js'
import mitaka01_add_image_created_updated_idx from './mitaka01_add_image_created_updated_idx.js'
import mitaka02_update_metadef_os_nova_server from './mitaka02_update_metadef_os_nova_server.js'
import ocata_expand01_add_visibility from './ocata_expand01_add_visibility.js'
import pike_expand01_empty from './pike_expand01_empty.js'
import queens_expand01_empty from './queens_expand01_empty.js'
import rocky_expand01_add_os_hidden from './rocky_expand01_add_os_hidden.js'
import rocky_expand02_add_os_hash_ from './rocky_expand02_add_os_hash_.js'
import train_expand01_empty from './train_expand01_empty.js'
import ussuri_expand01_empty from './ussuri_expand01_empty.js'
import wallaby_expand01_add_user_imageid_requestid_to_tasks from './wallaby_expand01_add_user_imageid_requestid_to_tasks.js'
import xena_expand01_empty from './xena_expand01_empty.js'
import yoga_expand01_empty from './yoga_expand01_empty.js'
import zed_expand01_empty from './zed_expand01_empty.js'
import r_2023_1_expand01_empty from './2023_1_expand01_empty.js'
import r_2024_1_expand01_add_cache_tables from './2024_1_expand01_add_cache_tables.js'
import ocata_contract01_drop_is_public from './ocata_contract01_drop_is_public.js'
import pike_contract01_drop_artifacts_tables from './pike_contract01_drop_artifacts_tables.js'
import queens_contract01_empty from './queens_contract01_empty.js'
import rocky_contract01_empty from './rocky_contract01_empty.js'
import rocky_contract02_empty from './rocky_contract02_empty.js'
import train_contract01_empty from './train_contract01_empty.js'
import ussuri_contract01_empty from './ussuri_contract01_empty.js'
import wallaby_contract01_empty from './wallaby_contract01_empty.js'
import xena_contract01_empty from './xena_contract01_empty.js'
import yoga_contract01_empty from './yoga_contract01_empty.js'
import zed_contract01_empty from './zed_contract01_empty.js'
import r_2023_1_contract01_empty from './2023_1_contract01_empty.js'
import r_2024_1_contract01_empty from './2024_1_contract01_empty.js'

/** Every upstream revision, trunk first, then the expand and contract branches in upstream order. */
export const GLANCE_REVISIONS: readonly Revision[] = [
  liberty_initial,
  mitaka01_add_image_created_updated_idx,
  mitaka02_update_metadef_os_nova_server,
  ocata_expand01_add_visibility,
  pike_expand01_empty,
  queens_expand01_empty,
  rocky_expand01_add_os_hidden,
  rocky_expand02_add_os_hash_,
  train_expand01_empty,
  ussuri_expand01_empty,
  wallaby_expand01_add_user_imageid_requestid_to_tasks,
  xena_expand01_empty,
  yoga_expand01_empty,
  zed_expand01_empty,
  r_2023_1_expand01_empty,
  r_2024_1_expand01_add_cache_tables,
  ocata_contract01_drop_is_public,
  pike_contract01_drop_artifacts_tables,
  queens_contract01_empty,
  rocky_contract01_empty,
  rocky_contract02_empty,
  train_contract01_empty,
  ussuri_contract01_empty,
  wallaby_contract01_empty,
  xena_contract01_empty,
  yoga_contract01_empty,
  zed_contract01_empty,
  r_2023_1_contract01_empty,
  r_2024_1_contract01_empty,
]
