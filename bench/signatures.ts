// Microseconds per ECDSA check of a payment signature: viem's `recoverAddress` (what verification
// used before), `@tollgate/evm` `recoverEcdsaSigner` for a payer seen for the first time (a
// recovery), and for a payer whose key is cached (a verification on precomputed tables).
// Usage, from the repository root: `node --import tsx bench/signatures.ts [count]`.
import { recoverEcdsaSigner } from '@tollgate/evm'
import { type Hex, keccak256, recoverAddress, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'

const count = Number(process.argv[2] ?? 300)
const payer = privateKeyToAccount(generatePrivateKey())

async function signMany(n: number, tag: string) {
  const items: { hash: Hex; signature: Hex }[] = []
  for (let i = 0; i < n; i++) {
    const hash = keccak256(toHex(`payment ${tag} ${i} ${Math.random()}`))
    items.push({ hash, signature: await payer.sign({ hash }) })
  }
  return items
}

async function time(
  name: string,
  items: readonly { hash: Hex; signature: Hex }[],
  check: (hash: Hex, signature: Hex) => Promise<unknown>,
) {
  const start = performance.now()
  for (const { hash, signature } of items)
    if ((await check(hash, signature)) !== payer.address) throw new Error(`${name}: wrong signer`)
  const us = ((performance.now() - start) * 1000) / items.length
  process.stdout.write(`${name.padEnd(48)} ${us.toFixed(0)} µs per signature\n`)
}

// Each set is checked once per way: answers are cached by (digest, signature).
const first = await signMany(count, 'a')
const second = await signMany(count, 'b')
await time('viem recoverAddress', first, (hash, signature) => recoverAddress({ hash, signature }))
await time('recoverEcdsaSigner, a recovery (no key cached)', first, (hash, signature) =>
  recoverEcdsaSigner(hash, signature),
)
// Seen twice with the address it signs for: the key is cached and its table built (untimed).
for (const warm of await signMany(2, 'warm'))
  await recoverEcdsaSigner(warm.hash, warm.signature, payer.address)
await time('recoverEcdsaSigner, cached payer key', second, (hash, signature) =>
  recoverEcdsaSigner(hash, signature, payer.address),
)
