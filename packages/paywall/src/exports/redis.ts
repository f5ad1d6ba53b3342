// The Redis store: shared state for several API processes behind one URL, and across a restart.
// `redis` (node-redis) is an optional peer dependency; this entry never imports it.

export {
  type CreateRedisStoreErrorType,
  type CreateRedisStoreParameters,
  createRedisStore,
  type RedisSetOptions,
  type RedisStoreClient,
} from '../store/redis/createRedisStore.js'
export {
  InvalidRedisStoreTtlError,
  type InvalidRedisStoreTtlErrorType,
  RedisStoreError,
  type RedisStoreErrorType,
  type RedisStoreFailure,
  type RedisStoreOperation,
} from '../store/redis/errors.js'
