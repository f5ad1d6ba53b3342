import { BaseError } from '@tollgate/core'

export type FixtureOutsideTestErrorType = FixtureOutsideTestError & {
  name: 'FixtureOutsideTestError'
}

/** A test fixture (`useDevnet()`, `useRegistries()`) was read before its `beforeAll` ran. */
export class FixtureOutsideTestError extends BaseError {
  override name = 'FixtureOutsideTestError' as const
  /** The fixture's name. */
  readonly fixture: string

  constructor({ fixture }: { fixture: string }) {
    super(`${fixture}() is only available inside tests and hooks.`, {
      code: 'TOLLGATE_TEST_FIXTURE_OUTSIDE_TEST',
      metaMessages: ['Call it at the top of the test file; read it inside test() or a hook.'],
    })
    this.fixture = fixture
  }
}

/** The type of {@link RedisServerNotFoundError}. */
export type RedisServerNotFoundErrorType = RedisServerNotFoundError & {
  name: 'RedisServerNotFoundError'
}

/** `startRedis()` found no `redis-server` executable. */
export class RedisServerNotFoundError extends BaseError {
  override name = 'RedisServerNotFoundError' as const
  /** The paths looked at. */
  readonly searched: readonly string[]

  constructor({ searched }: { searched: readonly string[] }) {
    super('redis-server is not installed: the Redis store tests need it.', {
      code: 'TOLLGATE_TEST_REDIS_NOT_FOUND',
      metaMessages: [
        "Install Debian's package: `apt-get install redis-server` (as root, `npm test` does it).",
        `Looked in: ${searched.join(', ')}`,
      ],
    })
    this.searched = searched
  }
}

/** The type of {@link RedisServerStartError}. */
export type RedisServerStartErrorType = RedisServerStartError & { name: 'RedisServerStartError' }

/** `redis-server` exited, or did not accept connections in time. */
export class RedisServerStartError extends BaseError {
  override name = 'RedisServerStartError' as const
  /** The port was taken between probing it and binding it (`startRedis` tries another). */
  readonly portTaken: boolean

  constructor({
    details,
    portTaken,
    cause,
  }: {
    details: string
    portTaken: boolean
    cause?: unknown
  }) {
    super('redis-server failed to start.', {
      code: 'TOLLGATE_TEST_REDIS_START',
      ...(cause === undefined ? { details } : { cause, metaMessages: [details] }),
    })
    this.portTaken = portTaken
  }
}
