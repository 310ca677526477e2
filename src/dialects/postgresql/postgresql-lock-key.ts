/** Any fixed 64-bit key; "glance-manage" hashed, so other tools are unlikely to pick it. */
export const LOCK_KEY = '7305962771434108228'
