// The paywall engine: transport-free. HTTP is `@tollgate/paywall/http`, Redis `@tollgate/paywall/redis`.

export {
  type CreateMemoryStoreParameters,
  createMemoryStore,
} from '../store/createMemoryStore.js'
export type { PaywallStore } from '../store/types.js'
