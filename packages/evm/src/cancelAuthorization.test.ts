import { testUsdcAbi } from '@tollgate/contracts'
import type { PaymentRequirements } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
import { expect, test } from 'vitest'
import { CancelAuthorizationFailedError, cancelAuthorization } from './cancelAuthorization.js'
import { ChainMismatchError } from './errors.js'
import { readAuthorizationState } from './readAuthorizationState.js'
import { settleAuthorization } from './settleAuthorization.js'
import { signAuthorization } from './signAuthorization.js'

const devnet = useDevnet({ accounts: 3 })

function requirements(): PaymentRequirements {
  const { address, name, version } = devnet.usdc
  return {
    scheme: 'exact',
    network: devnet.network,
    amount: '10000',
    asset: address,
    payTo: devnet.accounts[1]!.address,
    maxTimeoutSeconds: 300,
    extra: { name, version },
  }
}

test('the payer cancels an unspent authorization: its nonce is used, and it can never be settled', async () => {
  const [payer, , relayer] = devnet.accounts as [
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
  ]
  const payload = await signAuthorization(payer.account, { requirements: requirements() })
  const nonce = payload.authorization.nonce as `0x${string}`
  const fromBlock = await devnet.publicClient.getBlockNumber()
  // Any funded account sends it; the payer signs.
  const { transaction, authorizer } = await cancelAuthorization(payer.account, {
    requirements: requirements(),
    nonce,
    walletClient: devnet.walletClient(relayer.account),
  })
  expect(authorizer).toBe(payer.address)
  const events = await devnet.publicClient.getContractEvents({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    eventName: 'AuthorizationCanceled',
    fromBlock,
  })
  expect(events.map((e) => [e.transactionHash, e.args.authorizer, e.args.nonce])).toEqual([
    [transaction, payer.address, nonce],
  ])
  expect(
    await readAuthorizationState(devnet.publicClient, {
      asset: devnet.usdc.address,
      authorizer: payer.address,
      nonce,
    }),
  ).toBe(true)
  const settlement = await settleAuthorization(devnet.walletClient(relayer.account), {
    payload,
    requirements: requirements(),
    publicClient: devnet.publicClient,
  })
  expect(settlement).toMatchObject({ success: false })

  // Cancelled once: a second cancellation is refused, with the nonce and the authorizer.
  const again = await cancelAuthorization(payer.account, {
    requirements: requirements(),
    nonce,
    walletClient: devnet.walletClient(relayer.account),
  }).catch((error: unknown) => error)
  expect(again).toBeInstanceOf(CancelAuthorizationFailedError)
  expect(again).toMatchObject({
    code: 'TOLLGATE_EVM_CANCEL_AUTHORIZATION_FAILED',
    authorizer: payer.address,
    nonce,
  })
})

test('a wallet client on another chain is refused before anything is signed or sent', async () => {
  const walletClient = devnet.walletClient(devnet.accounts[2]!.account)
  const error = await cancelAuthorization(devnet.accounts[0]!.account, {
    requirements: { ...requirements(), network: 'eip155:8453' },
    nonce: `0x${'11'.repeat(32)}`,
    walletClient,
  }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ChainMismatchError)
})
