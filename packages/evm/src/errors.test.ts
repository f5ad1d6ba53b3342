import { isTollgateError } from '@tollgate/core'
import { expect, test } from 'vitest'
import {
  AccountNotFoundError,
  ChainMismatchError,
  InvalidAuthorizationError,
  MissingEip712DomainError,
  NoExactEvmRequirementsError,
  NotATokenError,
} from './errors.js'

test('evm errors keep the values that explain them as fields', () => {
  const asset = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'
  expect(new InvalidAuthorizationError({ field: 'nonce', value: '0x12' })).toMatchObject({
    field: 'nonce',
    value: '0x12',
    code: 'TOLLGATE_EVM_INVALID_AUTHORIZATION',
  })
  expect(new InvalidAuthorizationError({ field: 'from', value: 'x'.repeat(100) }).value).toBe(
    `${'x'.repeat(80)}…`,
  )
  expect(new MissingEip712DomainError({ asset, network: 'eip155:8453' })).toMatchObject({
    asset,
    network: 'eip155:8453',
  })
  expect(
    new NoExactEvmRequirementsError({ offered: [{ scheme: 'upto', network: 'eip155:1' }] }),
  ).toMatchObject({ offered: [{ scheme: 'upto', network: 'eip155:1' }] })
  expect(new ChainMismatchError({ expected: 8453, actual: 1 })).toMatchObject({
    expected: 8453,
    actual: 1,
  })
  const cause = new Error('execution reverted')
  expect(new NotATokenError({ address: asset, cause })).toMatchObject({ address: asset, cause })
  const missing = new AccountNotFoundError({ action: 'registerAgent' })
  expect(missing).toMatchObject({ action: 'registerAgent', code: 'TOLLGATE_EVM_ACCOUNT_NOT_FOUND' })
  expect(missing.shortMessage).toBe('registerAgent needs an account: the wallet client has none.')
  expect(new AccountNotFoundError().shortMessage).toBe('The wallet client has no account.')
  expect(isTollgateError(missing)).toBe(true)
})
