// Gas per payment, per scheme, from receipts on one anvil devnet: EIP-3009 `exact`
// (`transferWithAuthorization`, and `BatchSettler` batches), Permit2 `exact` (the x402 exact proxy,
// and Multicall3 batches of its `settle`), and `upto` (the x402 upto proxy; never batched: only the
// facilitator the payer named may call it). Permit2 is measured on the test USDC the EIP-3009 rows
// use (same token code) and on the plain ERC-20 without EIP-3009.
// Usage, from the repository root: `node --import tsx bench/permit2Gas.ts [--singles N]`.
import { startDevnet } from '@tollgate/contracts/devnet'
import { deployBatchSettler } from './src/deployBatchSettler.js'
import { measureGas } from './src/measureGas.js'
import { measurePermit2Gas } from './src/measurePermit2Gas.js'

const singlesFlag = process.argv.indexOf('--singles')
const singles = singlesFlag > 0 ? Number(process.argv[singlesFlag + 1]) : 20
const batchSizes = [20, 50] as const

await using devnet = await startDevnet({ accounts: 52 })
const [sender, ...payers] = devnet.accounts
if (!sender) throw new Error('no accounts')
const batchSettler = await deployBatchSettler(devnet)
const approvals: bigint[] = []
for (const payer of payers) {
  for (const token of ['usdc', 'plain'] as const) await devnet.approvePermit2(payer.address, token)
}
// The one-time approval a payer sends before its first Permit2 payment of a token.
const approvalHash = await devnet.walletClient(devnet.deployer.account).writeContract({
  address: devnet.plainToken.address,
  abi: [
    {
      type: 'function',
      name: 'approve',
      stateMutability: 'nonpayable',
      inputs: [
        { name: 'spender', type: 'address' },
        { name: 'amount', type: 'uint256' },
      ],
      outputs: [{ name: '', type: 'bool' }],
    },
  ],
  functionName: 'approve',
  args: [devnet.permit2.permit2, (1n << 256n) - 1n],
})
approvals.push(
  (await devnet.publicClient.waitForTransactionReceipt({ hash: approvalHash })).gasUsed,
)

const price = 1_000n
const usdc = { ...devnet.usdc, label: 'test USDC' }
const plain = { ...devnet.plainToken, label: 'plain ERC-20' }
const eip3009 = await measureGas(devnet, {
  token: devnet.usdc,
  batchSettler,
  payers,
  sender,
  price,
  singles,
  batchSizes,
})
const rows = [
  await measurePermit2Gas(devnet, {
    scheme: 'exact',
    token: usdc,
    payers,
    sender,
    price,
    charge: price,
    singles,
    batchSizes,
  }),
  await measurePermit2Gas(devnet, {
    scheme: 'exact',
    token: plain,
    payers,
    sender,
    price,
    charge: price,
    singles,
    batchSizes,
  }),
  await measurePermit2Gas(devnet, {
    scheme: 'upto',
    token: usdc,
    payers,
    sender,
    price: 5_000n,
    charge: 1_234n,
    singles,
    batchSizes,
  }),
  await measurePermit2Gas(devnet, {
    scheme: 'upto',
    token: plain,
    payers,
    sender,
    price: 5_000n,
    charge: 1_234n,
    singles,
    batchSizes,
  }),
]

const pct = (value: number) => `${((value / eip3009.single) * 100).toFixed(1)}% of EIP-3009 single`
const out: string[] = ['Gas per payment (receipts; one payee with a balance, distinct payers)']
out.push(
  `EIP-3009 exact, test USDC, single transferWithAuthorization: ${eip3009.single.toFixed(0)} (mean of ${eip3009.singleCount})`,
)
for (const batch of eip3009.batches)
  out.push(
    `EIP-3009 exact, test USDC, BatchSettler ${batch.encoding} batch of ${batch.size}: ${batch.perPayment.toFixed(0)} per payment = ${pct(batch.perPayment)}`,
  )
for (const row of rows) {
  out.push(
    `Permit2 ${row.scheme}, ${row.token}, single proxy settle: ${row.single.toFixed(0)} (mean of ${row.singleCount}) = ${pct(row.single)}`,
  )
  for (const batch of row.batches)
    out.push(
      `Permit2 ${row.scheme}, ${row.token}, Multicall3 batch of ${batch.size}: ${batch.perPayment.toFixed(0)} per payment = ${pct(batch.perPayment)}`,
    )
  if (row.scheme === 'upto')
    out.push(`Permit2 upto, ${row.token}: no batch (only the named facilitator may call settle)`)
}
out.push(
  `One-time approve(Permit2, max) of a payer, per token: ${approvals[0]} gas (paid by the payer, once)`,
)
process.stdout.write(`${out.join('\n')}\n`)
