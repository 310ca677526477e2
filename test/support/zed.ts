/**
 * The revisions Zed 25.1.0 (the real tool here) knows, in the order its
 * `db sync` applies them: the expand branch first, then the contract branch.
 */
export const ZED_EXPAND = [
  'liberty',
  'mitaka01',
  'mitaka02',
  'ocata_expand01',
  'pike_expand01',
  'queens_expand01',
  'rocky_expand01',
  'rocky_expand02',
  'train_expand01',
  'ussuri_expand01',
  'wallaby_expand01',
] as const

export const ZED_CONTRACT = [
  'ocata_contract01',
  'pike_contract01',
  'queens_contract01',
  'rocky_contract01',
  'rocky_contract02',
  'train_contract01',
  'ussuri_contract01',
  'wallaby_contract01',
] as const

export const ZED_ORDER: readonly string[] = [...ZED_EXPAND, ...ZED_CONTRACT]
