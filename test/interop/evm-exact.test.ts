/**
 * The exact EVM scheme against the reference (`@x402/evm` 2.27.0) on anvil: for every negative case
 * both verifiers get the same payload and requirements and must answer the same `isValid` and
 * `invalidReason`; payloads signed by either client must verify and settle with the other side.
 *
 * Where we differ from the reference by design (none of these cases exercises it):
 * - we read the nonce and balance up front instead of simulating the transfer, so a transfer that
 *   only a simulation would catch (a paused token, a blacklisted payer) verifies here unless
 *   `checks.simulate` is on (`invalid_exact_evm_transaction_simulation_failed` then, as the reference);
 * - an RPC failure throws here; the reference reads it as `invalid_exact_evm_signature`;
 * - a high-`s` ECDSA signature is `invalid_exact_evm_signature` here (the token rejects it); the
 *   reference accepts it locally and fails in simulation (`..._transaction_simulation_failed`);
 * - an undeployed ERC-6492 wallet from an allowed factory has its signature checked here; the
 *   reference skips the check and relies on its simulation.
 */

import { testUsdcAbi } from '@tollgate/contracts'
import type { PaymentPayload, PaymentRequirements, VerifyResponse } from '@tollgate/core'
import { reasons } from '@tollgate/core'
import {
  createPaymentPayload,
  settleAuthorization,
  signAuthorization,
  verifyPayment,
} from '@tollgate/evm'
import { useDevnet } from '@tollgate/test'
import { type FacilitatorEvmSigner, toClientEvmSigner } from '@x402/evm'
import { ExactEvmScheme as ReferenceClient } from '@x402/evm/exact/client'
import { ExactEvmScheme as ReferenceFacilitator } from '@x402/evm/exact/facilitator'
import {
  type Abi,
  type Address,
  createPublicClient,
  custom,
  decodeAbiParameters,
  deploylessCallViaBytecodeBytecode,
  type Hex,
  hashTypedData,
  type LocalAccount,
  multicall3Abi,
  type TypedDataDefinition,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount, toAccount } from 'viem/accounts'
import { beforeAll, describe, expect, test } from 'vitest'

const devnet = useDevnet({ accounts: 4 })

type Token = 'usdc' | 'usdcAlt'
const tokens = ['usdc', 'usdcAlt'] as const

let reference: ReferenceFacilitator

// Every public chain has Multicall3 at this address; the reference's diagnosis of a failed
// simulation (nonce used, low balance, wrong name/version) reads through it, and answers
// `invalid_exact_evm_transaction_simulation_failed` for all of them when it is missing, as on a
// fresh anvil. So the devnet gets it, like a real chain.
const multicall3Address = '0xcA11bde05977b3631167028862bE2a173976CA11'

/**
 * Installs Multicall3's runtime code at its canonical address. viem does not export the bytecode,
 * but sends its creation code inside every deployless multicall: capture one, unwrap it, and let
 * `eth_call` of the creation code return the runtime code.
 */
async function installMulticall3() {
  let captured: Hex | undefined
  const capturing = createPublicClient({
    chain: { ...devnet.chain, contracts: {} },
    transport: custom({
      request: async ({ method, params }) => {
        if (method === 'eth_call') captured = (params as [{ data: Hex }])[0].data
        throw new Error('captured')
      },
    }),
  })
  await capturing
    .multicall({
      contracts: [
        {
          address: multicall3Address,
          abi: multicall3Abi,
          functionName: 'getCurrentBlockTimestamp',
        },
      ],
      deployless: true,
    })
    .catch(() => undefined)
  if (!captured) throw new Error('no deployless multicall was sent')
  const [creationCode] = decodeAbiParameters(
    [{ type: 'bytes' }, { type: 'bytes' }],
    `0x${captured.slice(deploylessCallViaBytecodeBytecode.length)}`,
  )
  const { data: runtime } = await devnet.publicClient.call({ data: creationCode })
  await devnet.testClient.setCode({ address: multicall3Address, bytecode: runtime! })
}

beforeAll(async () => {
  await installMulticall3()
  // A FacilitatorEvmSigner from plain viem clients pointed at the devnet (research/x402.md §4, §8).
  const facilitatorAccount = devnet.accounts[3]!.account
  const wallet = devnet.walletClient(facilitatorAccount)
  const client = devnet.publicClient
  const signer: FacilitatorEvmSigner = {
    getAddresses: () => [facilitatorAccount.address],
    readContract: (args) =>
      client.readContract({ ...args, abi: args.abi as Abi, args: args.args ?? [] }),
    verifyTypedData: (args) =>
      client.verifyTypedData(args as Parameters<typeof client.verifyTypedData>[0]),
    writeContract: (args) =>
      wallet.writeContract({
        ...args,
        abi: args.abi as Abi,
      } as Parameters<typeof wallet.writeContract>[0]),
    sendTransaction: (args) => wallet.sendTransaction(args),
    waitForTransactionReceipt: (args) => client.waitForTransactionReceipt(args),
    getCode: (args) => client.getCode(args),
  }
  reference = new ReferenceFacilitator(signer)
})

function requirementsFor(
  token: Token,
  payTo: Address,
  overrides: Partial<PaymentRequirements> = {},
): PaymentRequirements {
  const { address, name, version } = devnet[token]
  return {
    scheme: 'exact',
    network: devnet.network,
    amount: '10000',
    asset: address,
    payTo,
    maxTimeoutSeconds: 300,
    extra: { name, version },
    ...overrides,
  }
}

/** A viem account for an ERC-1271 wallet: the owner's ECDSA signature over the EIP-712 digest. */
function walletAccount(address: Address, owner: LocalAccount): LocalAccount {
  return toAccount({
    address,
    signMessage: () => Promise.reject(new Error('not used')),
    signTransaction: () => Promise.reject(new Error('not used')),
    signTypedData: (typedData) => owner.sign!({ hash: hashTypedData(typedData) }),
  })
}

/** Both verifiers on the same input. */
async function verifyBoth(
  paymentPayload: PaymentPayload,
  paymentRequirements: PaymentRequirements,
) {
  const [ours, theirs] = await Promise.all([
    verifyPayment(devnet.publicClient, { paymentPayload, paymentRequirements }),
    reference.verify(
      paymentPayload as Parameters<ReferenceFacilitator['verify']>[0],
      paymentRequirements as Parameters<ReferenceFacilitator['verify']>[1],
    ),
  ])
  return { ours, theirs: theirs as VerifyResponse }
}

const balanceOf = (token: Token, address: Address) =>
  devnet.publicClient.readContract({
    address: devnet[token].address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

type Payer = { address: Address; signer: LocalAccount }
type Case = {
  name: string
  /** The reference's reason (asserted: pins the reference behaviour we copy). */
  reason: string
  /** The x402 v2 specification §9 code for the same failure, where it lists one. */
  spec: string | undefined
  run: (
    payer: Payer,
    token: Token,
  ) => Promise<{ payload: PaymentPayload; requirements: PaymentRequirements }>
}

const now = () => Math.floor(Date.now() / 1000)
const payee = () => devnet.accounts[1]!.address

// Each case builds one failing payment; its reason is the reference's (`@x402/evm` 2.27.0).
const cases: Case[] = [
  {
    name: 'wrong payee',
    reason: reasons.invalidExactEvmRecipientMismatch,
    spec: 'invalid_exact_evm_payload_recipient_mismatch',
    run: async ({ signer }, token) => {
      const payload = await createPaymentPayload(signer, {
        requirements: requirementsFor(token, payee()),
      })
      return { payload, requirements: requirementsFor(token, devnet.accounts[2]!.address) }
    },
  },
  {
    name: 'overpayment',
    reason: reasons.invalidExactEvmPayloadAuthorizationValueMismatch,
    spec: 'invalid_exact_evm_payload_authorization_value',
    run: async ({ signer }, token) => {
      const payload = await createPaymentPayload(signer, {
        requirements: requirementsFor(token, payee(), { amount: '10001' }),
      })
      return { payload, requirements: requirementsFor(token, payee()) }
    },
  },
  {
    name: 'underpayment',
    reason: reasons.invalidExactEvmPayloadAuthorizationValueMismatch,
    spec: 'invalid_exact_evm_payload_authorization_value',
    run: async ({ signer }, token) => {
      const payload = await createPaymentPayload(signer, {
        requirements: requirementsFor(token, payee(), { amount: '9999' }),
      })
      return { payload, requirements: requirementsFor(token, payee()) }
    },
  },
  {
    name: 'expired (validBefore in the past)',
    reason: reasons.invalidExactEvmPayloadAuthorizationValidBefore,
    spec: 'invalid_exact_evm_payload_authorization_valid_before',
    run: async ({ signer }, token) => {
      const requirements = requirementsFor(token, payee())
      const payload = await createPaymentPayload(signer, {
        requirements,
        now: () => (now() - 1_000) * 1000,
      })
      return { payload, requirements }
    },
  },
  {
    name: 'expiring (validBefore < now + 6)',
    reason: reasons.invalidExactEvmPayloadAuthorizationValidBefore,
    spec: 'invalid_exact_evm_payload_authorization_valid_before',
    run: async ({ signer }, token) => {
      const requirements = requirementsFor(token, payee(), { maxTimeoutSeconds: 2 })
      const payload = await createPaymentPayload(signer, { requirements })
      return { payload, requirements }
    },
  },
  {
    name: 'not yet valid (validAfter in the future)',
    reason: reasons.invalidExactEvmPayloadAuthorizationValidAfter,
    spec: 'invalid_exact_evm_payload_authorization_valid_after',
    run: async ({ signer }, token) => {
      const requirements = requirementsFor(token, payee())
      const payload = await createPaymentPayload(signer, {
        requirements,
        now: () => (now() + 600) * 1000,
        validAfterSkewSeconds: 0,
      })
      return { payload, requirements }
    },
  },
  {
    name: 'bad signature (another key)',
    reason: reasons.invalidExactEvmSignature,
    spec: 'invalid_exact_evm_payload_signature',
    run: async ({ address }, token) => {
      const requirements = requirementsFor(token, payee())
      const impostor = privateKeyToAccount(generatePrivateKey())
      const payload = await createPaymentPayload(
        address === devnet.accounts[0]!.address ? impostor : walletAccount(address, impostor),
        { requirements },
      )
      // Claim the payer's address with the impostor's signature.
      const inner = payload.payload as { authorization: { from: string } }
      inner.authorization.from = address
      return { payload, requirements }
    },
  },
  {
    name: 'bad signature (tampered bytes)',
    reason: reasons.invalidExactEvmSignature,
    spec: 'invalid_exact_evm_payload_signature',
    run: async ({ signer }, token) => {
      const requirements = requirementsFor(token, payee())
      const payload = await createPaymentPayload(signer, { requirements })
      const inner = payload.payload as { signature: Hex }
      const flipped = (Number.parseInt(inner.signature.slice(10, 12), 16) ^ 0xff)
        .toString(16)
        .padStart(2, '0')
      inner.signature =
        `${inner.signature.slice(0, 10)}${flipped}${inner.signature.slice(12)}` as Hex
      return { payload, requirements }
    },
  },
  {
    name: 'signed for another chain',
    reason: reasons.invalidExactEvmSignature,
    spec: 'invalid_exact_evm_payload_signature',
    run: async ({ signer }, token) => {
      const requirements = requirementsFor(token, payee())
      const payload = await createPaymentPayload(signer, {
        requirements: { ...requirements, network: 'eip155:8453' },
      })
      return { payload: { ...payload, accepted: requirements }, requirements }
    },
  },
  {
    name: 'wrong domain name',
    reason: reasons.invalidExactEvmTokenNameMismatch,
    spec: undefined,
    run: async ({ signer }, token) => {
      const requirements = requirementsFor(token, payee(), {
        extra: { name: token === 'usdc' ? 'USDC' : 'USD Coin', version: '2' },
      })
      const payload = await createPaymentPayload(signer, { requirements })
      return { payload, requirements }
    },
  },
  {
    name: 'wrong domain version',
    reason: reasons.invalidExactEvmTokenVersionMismatch,
    spec: undefined,
    run: async ({ signer }, token) => {
      const requirements = requirementsFor(token, payee(), {
        extra: { name: devnet[token].name, version: '1' },
      })
      const payload = await createPaymentPayload(signer, { requirements })
      return { payload, requirements }
    },
  },
  {
    name: 'missing extra.name',
    reason: reasons.invalidExactEvmMissingEip712Domain,
    spec: 'invalid_payment_requirements',
    run: async ({ signer }, token) => {
      const requirements = requirementsFor(token, payee())
      const payload = await createPaymentPayload(signer, { requirements })
      return { payload, requirements: { ...requirements, extra: { version: '2' } } }
    },
  },
  {
    name: 'used nonce',
    reason: reasons.invalidExactEvmNonceAlreadyUsed,
    spec: undefined,
    run: async ({ signer }, token) => {
      const requirements = requirementsFor(token, payee())
      const payload = await createPaymentPayload(signer, { requirements })
      const settled = await settleAuthorization(devnet.walletClient(devnet.deployer.account), {
        payload: payload.payload as Parameters<typeof settleAuthorization>[1]['payload'],
        requirements,
        publicClient: devnet.publicClient,
      })
      expect(settled.success).toBe(true)
      return { payload, requirements }
    },
  },
  {
    name: 'low balance',
    reason: reasons.invalidExactEvmInsufficientBalance,
    spec: 'insufficient_funds',
    run: async ({ signer }, token) => {
      // Far more than the payer's 1 000 USDC.
      const requirements = requirementsFor(token, payee(), { amount: '5000000000' })
      const payload = await createPaymentPayload(signer, { requirements })
      return { payload, requirements }
    },
  },
  {
    name: 'wrong network (accepted on another network)',
    reason: reasons.invalidExactEvmNetworkMismatch,
    spec: 'invalid_network',
    run: async ({ signer }, token) => {
      const requirements = requirementsFor(token, payee())
      const payload = await createPaymentPayload(signer, { requirements })
      return {
        payload: { ...payload, accepted: { ...requirements, network: 'eip155:8453' } },
        requirements,
      }
    },
  },
  {
    name: 'wrong scheme',
    reason: reasons.invalidExactEvmScheme,
    spec: 'invalid_scheme',
    run: async ({ signer }, token) => {
      const requirements = requirementsFor(token, payee())
      const payload = await createPaymentPayload(signer, { requirements })
      return { payload, requirements: { ...requirements, scheme: 'upto' } }
    },
  },
]

describe.each(tokens)('negative cases, %s', (token) => {
  describe.each(['EOA', 'ERC-1271 wallet'] as const)('%s', (kind) => {
    let payer: Payer
    beforeAll(async () => {
      const owner = devnet.accounts[0]!
      if (kind === 'EOA') payer = { address: owner.address, signer: owner.account }
      else {
        const address = await devnet.deploySmartWallet(owner.address)
        payer = { address, signer: walletAccount(address, owner.account) }
      }
    })

    test.each(cases)('$name: same reason as the reference ($reason)', async ({ run, reason }) => {
      const { payload, requirements } = await run(payer, token)
      const { ours, theirs } = await verifyBoth(payload, requirements)
      expect(theirs.isValid).toBe(false)
      expect(theirs.invalidReason).toBe(reason)
      expect({ isValid: ours.isValid, invalidReason: ours.invalidReason }).toEqual({
        isValid: theirs.isValid,
        invalidReason: theirs.invalidReason,
      })
      expect(ours.payer).toBe(theirs.payer)
    })
  })
})

test('the reference reasons that differ from the specification (§9) list', () => {
  const known = new Set<string>(Object.values(reasons))
  for (const { spec } of cases) if (spec !== undefined) expect(known).toContain(spec)
  const differing = [
    ...new Map(cases.filter((c) => c.reason !== c.spec).map((c) => [c.reason, c.spec ?? '(none)'])),
  ]
  expect(differing).toMatchInlineSnapshot(`
    [
      [
        "invalid_exact_evm_recipient_mismatch",
        "invalid_exact_evm_payload_recipient_mismatch",
      ],
      [
        "invalid_exact_evm_payload_authorization_value_mismatch",
        "invalid_exact_evm_payload_authorization_value",
      ],
      [
        "invalid_exact_evm_signature",
        "invalid_exact_evm_payload_signature",
      ],
      [
        "invalid_exact_evm_token_name_mismatch",
        "(none)",
      ],
      [
        "invalid_exact_evm_token_version_mismatch",
        "(none)",
      ],
      [
        "invalid_exact_evm_missing_eip712_domain",
        "invalid_payment_requirements",
      ],
      [
        "invalid_exact_evm_nonce_already_used",
        "(none)",
      ],
      [
        "invalid_exact_evm_insufficient_balance",
        "insufficient_funds",
      ],
      [
        "invalid_exact_evm_network_mismatch",
        "invalid_network",
      ],
      [
        "invalid_exact_evm_scheme",
        "invalid_scheme",
      ],
    ]
  `)
})

describe.each(tokens)('cross-signing, %s', (token) => {
  describe.each(['EOA', 'ERC-1271 wallet'] as const)('%s', (kind) => {
    let payer: Payer
    beforeAll(async () => {
      const owner = devnet.accounts[0]!
      if (kind === 'EOA') payer = { address: owner.address, signer: owner.account }
      else {
        const address = await devnet.deploySmartWallet(owner.address)
        payer = { address, signer: walletAccount(address, owner.account) }
      }
    })

    test('our payload: the reference verifies and settles it', async () => {
      const requirements = requirementsFor(token, payee())
      const payload = await createPaymentPayload(payer.signer, { requirements })
      const { ours, theirs } = await verifyBoth(payload, requirements)
      expect(theirs).toMatchObject({ isValid: true, payer: payer.address })
      expect(ours).toEqual({ isValid: true, payer: payer.address })

      const before = await Promise.all([balanceOf(token, payer.address), balanceOf(token, payee())])
      const settled = await reference.settle(
        payload as Parameters<ReferenceFacilitator['settle']>[0],
        requirements as Parameters<ReferenceFacilitator['settle']>[1],
      )
      expect(settled).toMatchObject({
        success: true,
        payer: payer.address,
        network: devnet.network,
      })
      expect(
        await Promise.all([balanceOf(token, payer.address), balanceOf(token, payee())]),
      ).toEqual([before[0]! - 10_000n, before[1]! + 10_000n])
    })

    test("the reference client's payload: we verify and settle it", async () => {
      const requirements = requirementsFor(token, payee())
      const client = new ReferenceClient(
        toClientEvmSigner({
          address: payer.address,
          signTypedData: (message) => payer.signer.signTypedData(message as TypedDataDefinition),
        }),
      )
      const created = await client.createPaymentPayload(
        2,
        requirements as Parameters<ReferenceClient['createPaymentPayload']>[1],
      )
      const payload = {
        x402Version: 2,
        accepted: requirements,
        payload: created.payload,
      } as PaymentPayload
      const { ours, theirs } = await verifyBoth(payload, requirements)
      expect(ours).toEqual({ isValid: true, payer: payer.address })
      expect(theirs).toMatchObject({ isValid: true })

      const before = await Promise.all([balanceOf(token, payer.address), balanceOf(token, payee())])
      const settled = await settleAuthorization(devnet.walletClient(devnet.deployer.account), {
        payload: created.payload as Parameters<typeof settleAuthorization>[1]['payload'],
        requirements,
        publicClient: devnet.publicClient,
      })
      expect(settled).toMatchObject({ success: true, payer: payer.address })
      expect(
        await Promise.all([balanceOf(token, payer.address), balanceOf(token, payee())]),
      ).toEqual([before[0]! - 10_000n, before[1]! + 10_000n])
      // And the reference agrees the nonce is now spent.
      expect((await verifyBoth(payload, requirements)).theirs.invalidReason).toBe(
        reasons.invalidExactEvmNonceAlreadyUsed,
      )
    })
  })
})

test('signAuthorization and the reference client sign the same authorization identically', async () => {
  const owner = devnet.accounts[0]!
  const requirements = requirementsFor('usdc', payee())
  const theirs = await new ReferenceClient(toClientEvmSigner(owner.account)).createPaymentPayload(
    2,
    requirements as Parameters<ReferenceClient['createPaymentPayload']>[1],
  )
  const authorization = (theirs.payload as { authorization: { nonce: Hex; validBefore: string } })
    .authorization
  // The reference signs validAfter = 0 and validBefore = now + maxTimeoutSeconds.
  const ours = await signAuthorization(owner.account, {
    requirements,
    nonce: authorization.nonce,
    now: () => (Number(authorization.validBefore) - 300) * 1000,
    validAfterSkewSeconds: Number(authorization.validBefore),
  })
  expect(ours).toEqual(theirs.payload)
})
