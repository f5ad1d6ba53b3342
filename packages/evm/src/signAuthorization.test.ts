import type { PaymentRequirements } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
import { createWalletClient, type Hex, http } from 'viem'
import { mnemonicToAccount, toAccount } from 'viem/accounts'
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

  test('an in-memory key signs the digest; an account built with toAccount is only asked for typed data', async () => {
    const hd = mnemonicToAccount('test test test test test test test test test test test junk')
    const options = { requirements: requirements(), now: () => 1_800_000_000_000, nonce }
    const asked: string[] = []
    // A policy-engine or KMS account: it may sign raw hashes, but must be shown the typed data.
    const wrapped = toAccount({
      address: hd.address,
      sign: async () => {
        asked.push('sign')
        throw new Error('raw hash signing is refused')
      },
      signMessage: (args) => hd.signMessage(args),
      signTransaction: (tx) => hd.signTransaction(tx),
      signTypedData: async (typedData) => {
        asked.push('signTypedData')
        return hd.signTypedData(typedData)
      },
    })
    const fromKey = await signAuthorization(hd, options)
    // The in-memory key does not go through viem's typed-data encoding at all.
    const digestOnly = {
      ...hd,
      signTypedData: () => Promise.reject(new Error('typed data was encoded')),
    }
    expect(await signAuthorization(digestOnly, options)).toEqual(fromKey)
    const fromTypedData = await signAuthorization(wrapped, options)
    expect(asked).toEqual(['signTypedData'])
    expect(fromKey).toEqual(fromTypedData)
    expect(
      await verifyAuthorization(devnet.publicClient, {
        payload: fromKey,
        requirements: requirements(),
        now: () => 1_800_000_000_000,
        checks: { nonce: false, balance: false, domain: false, simulate: false },
      }),
    ).toEqual({ isValid: true, payer: hd.address })
  })
})
