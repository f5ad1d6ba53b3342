import type { PaymentRequirements } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
import { createWalletClient, type Hex, http } from 'viem'
import { describe, expect, test } from 'vitest'
import { AccountNotFoundError } from './errors.js'
import { signAuthorization } from './signAuthorization.js'
import { verifyAuthorization } from './verifyAuthorization.js'

const devnet = useDevnet({ accounts: 2 })

const requirements = (): PaymentRequirements => ({
  scheme: 'exact',
  network: devnet.network,
  amount: '777',
  asset: devnet.usdcAlt.address,
  payTo: devnet.accounts[1]!.address,
  maxTimeoutSeconds: 60,
  extra: { name: devnet.usdcAlt.name, version: devnet.usdcAlt.version },
})
const nonce = `0x${'5a'.repeat(32)}` as Hex

describe('signAuthorization', () => {
  test('a local account, a wallet client with it, and a JSON-RPC account sign the same bytes', async () => {
    const payer = devnet.accounts[0]!
    const now = Math.floor(Date.now() / 1000)
    const options = { requirements: requirements(), now: () => now * 1000, nonce }
    const local = await signAuthorization(payer.account, options)
    const viaClient = await signAuthorization(devnet.walletClient(payer.account), options)
    // The node signs for an address it unlocked (eth_signTypedData_v4).
    const jsonRpc = await signAuthorization(
      createWalletClient({
        chain: devnet.chain,
        transport: http(devnet.rpcUrl),
        account: payer.address,
      }),
      options,
    )
    expect(local.authorization).toEqual({
      from: payer.address,
      to: devnet.accounts[1]!.address,
      value: '777',
      validAfter: String(now - 600),
      validBefore: String(now + 60),
      nonce,
    })
    expect(viaClient).toEqual(local)
    expect(jsonRpc).toEqual(local)
    expect(
      await verifyAuthorization(devnet.publicClient, {
        payload: jsonRpc,
        requirements: requirements(),
      }),
    ).toEqual({ isValid: true, payer: payer.address })
  })

  test('a wallet client without an account, or a JSON-RPC account alone, cannot sign', async () => {
    const client = createWalletClient({ chain: devnet.chain, transport: http(devnet.rpcUrl) })
    await expect(signAuthorization(client, { requirements: requirements() })).rejects.toThrow(
      AccountNotFoundError,
    )
    await expect(
      signAuthorization(
        { type: 'json-rpc', address: devnet.accounts[0]!.address },
        { requirements: requirements() },
      ),
    ).rejects.toThrow(AccountNotFoundError)
  })
})
