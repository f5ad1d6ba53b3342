import { type Hex, keccak256, recoverTypedDataAddress, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount as viemPrivateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { getTransferWithAuthorizationTypedData } from '../authorization.js'
import { signAuthorization } from '../signAuthorization.js'
import { resolveSigner } from '../signer.js'
import { privateKeyToAccount } from './privateKeyToAccount.js'

const asset = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const requirements = {
  network: 'eip155:31337',
  asset,
  payTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const,
  amount: '1000',
  maxTimeoutSeconds: 60,
  extra: { name: 'USD Coin', version: '2' },
}
const now = () => 1_800_000_000_000

describe('privateKeyToAccount (@tollgate/evm/accounts)', () => {
  test('signs digests, messages, typed data and transactions byte for byte as viem does', async () => {
    for (let round = 0; round < 24; round++) {
      const key = generatePrivateKey()
      const ours = privateKeyToAccount(key)
      const viems = viemPrivateKeyToAccount(key)
      expect(ours.address).toBe(viems.address)
      expect(ours.publicKey).toBe(viems.publicKey)
      const hash = keccak256(toHex(`digest ${round}`))
      expect(await ours.sign({ hash })).toBe(await viems.sign({ hash }))
      const message = `message ${round}`
      expect(await ours.signMessage({ message })).toBe(await viems.signMessage({ message }))
      const nonce = keccak256(toHex(`nonce ${round}`))
      const typedData = getTransferWithAuthorizationTypedData({
        authorization: {
          from: ours.address,
          to: requirements.payTo,
          value: BigInt(round) * 10n ** 15n,
          validAfter: 0n,
          validBefore: 2n ** 40n,
          nonce,
        },
        domain: { name: 'USD Coin', version: '2', chainId: 31337, verifyingContract: asset },
      })
      expect(await ours.signTypedData(typedData)).toBe(await viems.signTypedData(typedData))
      for (const transaction of [
        {
          type: 'eip1559',
          chainId: 8453,
          nonce: round,
          to: asset,
          data: nonce,
          gas: 90_000n,
          maxFeePerGas: 2n * 10n ** 9n,
          maxPriorityFeePerGas: 10n ** 6n,
          value: 0n,
        },
        {
          type: 'legacy',
          chainId: 1,
          nonce: round,
          to: asset,
          gas: 21_000n,
          gasPrice: 10n ** 9n,
          value: 1n,
        },
        {
          type: 'eip2930',
          chainId: 10,
          nonce: round,
          to: asset,
          gas: 50_000n,
          gasPrice: 10n ** 9n,
          accessList: [],
        },
      ] as const)
        expect(await ours.signTransaction(transaction)).toBe(
          await viems.signTransaction(transaction),
        )
    }
  })

  test("signAuthorization signs the transfer's digest directly, with the same signature", async () => {
    const key = generatePrivateKey()
    const options = { requirements, now, nonce: `0x${'5a'.repeat(32)}` as Hex }
    const ours = await signAuthorization(privateKeyToAccount(key), options)
    expect(ours).toEqual(await signAuthorization(viemPrivateKeyToAccount(key), options))
    // A copy that keeps the account's own signTypedData takes the same route.
    const copy = { ...privateKeyToAccount(key) }
    expect(resolveSigner(copy, 'sign').signDigest).toBeTypeOf('function')
    expect(resolveSigner(viemPrivateKeyToAccount(key), 'sign').signDigest).toBeUndefined()
    expect(await signAuthorization(copy, options)).toEqual(ours)
  })

  test('a copy whose signTypedData is replaced is signed through the replacement', async () => {
    const account = privateKeyToAccount(generatePrivateKey())
    const seen: unknown[] = []
    const audited = {
      ...account,
      signTypedData: ((typedData) => {
        seen.push(typedData)
        return account.signTypedData(typedData)
      }) as typeof account.signTypedData,
    }
    expect(resolveSigner(audited, 'sign').signDigest).toBeUndefined()
    const payload = await signAuthorization(audited, { requirements, now })
    expect(seen).toHaveLength(1)
    const typedData = getTransferWithAuthorizationTypedData({
      authorization: {
        from: account.address,
        to: requirements.payTo,
        value: 1000n,
        validAfter: BigInt(payload.authorization.validAfter),
        validBefore: BigInt(payload.authorization.validBefore),
        nonce: payload.authorization.nonce as Hex,
      },
      domain: { name: 'USD Coin', version: '2', chainId: 31337, verifyingContract: asset },
    })
    expect(seen[0]).toEqual(typedData)
    expect(
      await recoverTypedDataAddress({ ...typedData, signature: payload.signature as Hex }),
    ).toBe(account.address)
  })

  test('refuses a digest that is not 32 bytes, and a key that is not one', async () => {
    const account = privateKeyToAccount(generatePrivateKey())
    await expect(account.sign({ hash: '0x1234' })).rejects.toThrow(/32 bytes/)
    expect(() => privateKeyToAccount(`0x${'00'.repeat(32)}`)).toThrow()
    expect(() => privateKeyToAccount('0x1234')).toThrow()
  })
})
