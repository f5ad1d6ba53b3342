// biome-ignore lint/performance/noBarrelFile: the package's one entry, which the workspace aliases `@tollgate/test` to
export {
  FixtureOutsideTestError,
  type FixtureOutsideTestErrorType,
  RedisServerNotFoundError,
  type RedisServerNotFoundErrorType,
  RedisServerStartError,
  type RedisServerStartErrorType,
} from './errors.js'
export {
  type FetchHandler,
  type ListenHandler,
  type ListenReturnType,
  listen,
} from './listen.js'
export {
  type StartRedisParameters,
  type StartRedisReturnType,
  startRedis,
} from './startRedis.js'
export { type DevnetHandle, type UseDevnetParameters, useDevnet } from './useDevnet.js'
