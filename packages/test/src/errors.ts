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
