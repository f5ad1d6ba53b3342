import { InvalidAgentReferenceError, isTollgateError } from '@tollgate/core'
import { AccountNotFoundError } from '@tollgate/evm'
import { expect, test } from 'vitest'
import {
  AccountCannotSignError,
  AgentNotFoundError,
  FetchDocumentError,
  InvalidDeadlineError,
  InvalidFeedbackValueError,
  InvalidValidationResponseError,
  RegistrationIncompleteError,
  RegistryChainMismatchError,
  TransactionRevertedError,
  UnsupportedPublishTargetError,
} from './errors.js'
import * as identity from './exports/index.js'
import { toDataUri } from './fetchDocument.js'

test('errors are Tollgate errors with stable codes and actionable messages', () => {
  const fetchError = new FetchDocumentError({
    reason: 'too_large',
    uri: toDataUri('x'.repeat(1000)),
    limit: 262_144,
  })
  expect(isTollgateError(fetchError)).toBe(true)
  expect(fetchError.code).toBe('TOLLGATE_IDENTITY_FETCH')
  // A long URI is cut in the message.
  expect(fetchError.message).toMatchInlineSnapshot(`
    "The document is larger than the size limit.

    URI: data:application/json;base64,eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4...
    Limit: 262144"
  `)

  const incomplete = new RegistrationIncompleteError({
    agentId: 5n,
    cause: new TransactionRevertedError({
      functionName: 'setAgentURI',
      hash: `0x${'ab'.repeat(32)}`,
    }),
  })
  expect(incomplete.agentId).toBe(5n)
  expect(incomplete.message).toMatchInlineSnapshot(`
    "Agent 5 was minted but its URI was not set.

    Finish with setAgentUri(client, { agentId: 5n, uri })."
  `)
  expect(incomplete.walk()).toBeInstanceOf(TransactionRevertedError)

  const deadline = new InvalidDeadlineError({
    deadline: 1_000n,
    blockTimestamp: 100n,
    maxDeadline: 400n,
  })
  expect(deadline).toMatchObject({ deadline: 1_000n, blockTimestamp: 100n, maxDeadline: 400n })
  expect(deadline.message).toMatchInlineSnapshot(`
      "The wallet signature deadline is outside the accepted window.

      Deadline: 1000
      Latest block time: 100
      Latest allowed: 400"
    `)
})

test('errors keep the values that explain them as fields', () => {
  const registry = '0x8004A818BFB912233c491871b3d84c89A494BD9e'
  expect(new RegistryChainMismatchError({ expected: 8453, actual: 1 })).toMatchObject({
    expected: 8453,
    actual: 1,
  })
  expect(new AgentNotFoundError({ registry, agentId: 7n })).toMatchObject({
    registry,
    agentId: 7n,
  })
  expect(new InvalidValidationResponseError({ response: 101 }).response).toBe(101)
  expect(new InvalidFeedbackValueError({ value: '1e99', reason: 'too large' })).toMatchObject({
    value: '1e99',
    reason: 'too large',
  })
  expect(new UnsupportedPublishTargetError({ uri: 'http://x' }).uri).toBe('http://x')
  expect(new AccountCannotSignError({ address: registry }).address).toBe(registry)
  expect(
    new FetchDocumentError({ reason: 'timeout', uri: 'https://a.example/x', limit: 10_000 }),
  ).toMatchObject({ uri: 'https://a.example/x', limit: 10_000 })
  expect(
    new TransactionRevertedError({ functionName: 'register', hash: `0x${'ab'.repeat(32)}` }),
  ).toMatchObject({ functionName: 'register', reason: 'reverted' })
})

test("one class per concept: identity's AccountNotFoundError and InvalidAgentReferenceError are evm's and core's", () => {
  expect(identity.AccountNotFoundError).toBe(AccountNotFoundError)
  expect(identity.InvalidAgentReferenceError).toBe(InvalidAgentReferenceError)
  expect(new identity.AccountNotFoundError({ action: 'registerAgent' }).shortMessage).toBe(
    'registerAgent needs an account: the wallet client has none.',
  )
})
