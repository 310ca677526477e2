import { defineRevision } from '../../engine/revision.js'

/** Nova renamed the resource type; metadef associations must follow it. */
export default defineRevision({
  id: 'mitaka02',
  revises: 'mitaka01',
  message: 'update metadef os_nova_server',
  upgrade(op) {
    op.execute(
      { all: 'UPDATE metadef_resource_types SET name = ? WHERE metadef_resource_types.name = ?' },
      ['OS::Nova::Server', 'OS::Nova::Instance'],
      { kind: 'rows' },
    )
  },
})
