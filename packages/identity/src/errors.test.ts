import { isTollgateError } from '@tollgate/core'
import { expect, test } from 'vitest'
import {
  FetchDocumentError,
  InvalidDeadlineError,
  RegistrationIncompleteError,
  TransactionRevertedError,
} from './errors.js'
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

  expect(
    new InvalidDeadlineError({ deadline: 1_000n, now: 100n, max: 400n }).message,
  ).toMatchInlineSnapshot(`
      "The wallet signature deadline is outside the accepted window.

      Deadline: 1000
      Latest block time: 100
      Latest allowed: 400"
    `)
})
