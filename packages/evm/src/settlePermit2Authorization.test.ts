import { plainTokenAbi } from '@tollgate/contracts'
import type { PaymentRequirements } from '@tollgate/core'
import { reasons } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
import type { Address } from 'viem'
import { beforeAll, describe, expect, test } from 'vitest'
import { settlePermit2Authorization } from './settlePermit2Authorization.js'
import { signPermit2Authorization } from './signPermit2Authorization.js'
import { verifyPermit2Authorization } from './verifyPermit2Authorization.js'

const devnet = useDevnet({ accounts: 4 })

function requirements(
  scheme: 'exact' | 'upto',
  amount: string,
  payTo: Address,
): PaymentRequirements {
  const { address, name, version } = devnet.plainToken
  const facilitatorAddress = devnet.deployer.address
  return {
    scheme,
    network: devnet.network,
    amount,
    asset: address,
    payTo,
    maxTimeoutSeconds: 300,
    extra:
      scheme === 'upto'
        ? { name, version, assetTransferMethod: 'permit2', facilitatorAddress }
        : { name, version, assetTransferMethod: 'permit2' },
  }
}

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.plainToken.address,
    abi: plainTokenAbi,
    functionName: 'balanceOf',
    args: [address],
  })

const facilitatorWallet = () => devnet.walletClient(devnet.deployer.account)

beforeAll(async () => {
  const [payer, , unapproved] = devnet.accounts
  await devnet.approvePermit2(payer!.address, 'plain')
  expect(unapproved).toBeDefined()
})

describe('exact over Permit2', () => {
  test('verifies, settles the whole amount once, and refuses the replay', async () => {
    const [payer, payee] = devnet.accounts as [
      (typeof devnet.accounts)[0],
      (typeof devnet.accounts)[0],
    ]
    const wanted = requirements('exact', '2500', payee.address)
    const payload = await signPermit2Authorization(payer.account, { requirements: wanted })
    expect(payload.permit2Authorization.spender).toBe('0x402085c248EeA27D92E8b30b2C58ed07f9E20001')
    expect(payload.permit2Authorization.nonce).toMatch(/^\d+$/)
    const verified = await verifyPermit2Authorization(devnet.publicClient, {
      payload,
      requirements: wanted,
      checks: { simulate: true },
    })
    expect(verified).toMatchObject({ isValid: true, payer: payer.address })

    const before = await balanceOf(payee.address)
    const settled = await settlePermit2Authorization(facilitatorWallet(), {
      payload,
      requirements: wanted,
      publicClient: devnet.publicClient,
    })
    expect(settled).toMatchObject({ success: true, network: devnet.network, payer: payer.address })
    expect((await balanceOf(payee.address)) - before).toBe(2500n)

    const again = await settlePermit2Authorization(facilitatorWallet(), {
      payload,
      requirements: wanted,
      publicClient: devnet.publicClient,
      checks: { nonce: false, simulate: false },
    })
    expect(again).toMatchObject({ success: false, errorReason: reasons.permit2InvalidNonce })
    expect((await balanceOf(payee.address)) - before).toBe(2500n)
    expect(
      (await verifyPermit2Authorization(devnet.publicClient, { payload, requirements: wanted }))
        .invalidReason,
    ).toBe(reasons.permit2InvalidNonce)
  })

  test('names what is wrong, in the reference order', async () => {
    const [payer, payee, unapproved, other] = devnet.accounts as [
      (typeof devnet.accounts)[0],
      (typeof devnet.accounts)[0],
      (typeof devnet.accounts)[0],
      (typeof devnet.accounts)[0],
    ]
    const wanted = requirements('exact', '100', payee.address)
    const payload = await signPermit2Authorization(payer.account, { requirements: wanted })
    const check = async (overrides: Partial<PaymentRequirements>, signed = payload) =>
      (
        await verifyPermit2Authorization(devnet.publicClient, {
          payload: signed,
          requirements: { ...wanted, ...overrides },
        })
      ).invalidReason
    expect(await check({ payTo: other.address })).toBe(reasons.invalidPermit2RecipientMismatch)
    expect(await check({ amount: '99' })).toBe(reasons.permit2AmountMismatch)
    expect(await check({ asset: devnet.usdc.address })).toBe(reasons.permit2TokenMismatch)
    const flipped = payload.signature[20] === 'a' ? 'b' : 'a'
    const forged = {
      ...payload,
      signature: `${payload.signature.slice(0, 20)}${flipped}${payload.signature.slice(21)}`,
    }
    expect(await check({}, forged as typeof payload)).toBe(reasons.invalidPermit2Signature)
    const late = await signPermit2Authorization(payer.account, {
      requirements: wanted,
      now: () => Date.now() - 600_000,
    })
    expect(await check({}, late)).toBe(reasons.permit2DeadlineExpired)
    const notApproved = await signPermit2Authorization(unapproved.account, { requirements: wanted })
    expect(await check({}, notApproved)).toBe(reasons.permit2AllowanceRequired)
  })
})

describe('upto', () => {
  test('settles exactly the charge, at most the maximum, and nothing for zero', async () => {
    const [payer, payee] = devnet.accounts as [
      (typeof devnet.accounts)[0],
      (typeof devnet.accounts)[0],
    ]
    const max = requirements('upto', '5000', payee.address)
    const sign = () => signPermit2Authorization(payer.account, { requirements: max })
    const payload = await sign()
    expect(payload.permit2Authorization.spender).toBe('0x4020A4f3b7b90ccA423B9fabCc0CE57C6C240002')
    expect(
      await verifyPermit2Authorization(devnet.publicClient, {
        payload,
        requirements: max,
        facilitators: [devnet.deployer.address],
        checks: { simulate: true },
      }),
    ).toMatchObject({ isValid: true })
    expect(
      (
        await verifyPermit2Authorization(devnet.publicClient, {
          payload,
          requirements: max,
          facilitators: [payee.address],
        })
      ).invalidReason,
    ).toBe(reasons.uptoFacilitatorMismatch)

    const before = await balanceOf(payee.address)
    const settled = await settlePermit2Authorization(facilitatorWallet(), {
      payload,
      requirements: { ...max, amount: '1234' },
      publicClient: devnet.publicClient,
    })
    expect(settled).toMatchObject({ success: true, amount: '1234' })
    expect((await balanceOf(payee.address)) - before).toBe(1234n)

    const above = await settlePermit2Authorization(facilitatorWallet(), {
      payload: await sign(),
      requirements: { ...max, amount: '5001' },
      publicClient: devnet.publicClient,
    })
    expect(above).toMatchObject({
      success: false,
      errorReason: reasons.invalidUptoEvmPayloadSettlementExceedsAmount,
    })

    const zero = await settlePermit2Authorization(facilitatorWallet(), {
      payload: await sign(),
      requirements: { ...max, amount: '0' },
      publicClient: devnet.publicClient,
    })
    expect(zero).toEqual({
      success: true,
      transaction: '',
      network: devnet.network,
      payer: payer.address,
      amount: '0',
    })
    expect((await balanceOf(payee.address)) - before).toBe(1234n)
  })

  test('only the facilitator the payer named can settle', async () => {
    const [payer, payee, , other] = devnet.accounts as [
      (typeof devnet.accounts)[0],
      (typeof devnet.accounts)[0],
      (typeof devnet.accounts)[0],
      (typeof devnet.accounts)[0],
    ]
    const max = requirements('upto', '800', payee.address)
    const payload = await signPermit2Authorization(payer.account, { requirements: max })
    const result = await settlePermit2Authorization(devnet.walletClient(other.account), {
      payload,
      requirements: { ...max, amount: '10' },
      publicClient: devnet.publicClient,
    })
    expect(result).toMatchObject({ success: false, errorReason: reasons.uptoFacilitatorMismatch })
  })
})
