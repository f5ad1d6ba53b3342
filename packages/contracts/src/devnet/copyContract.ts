import { gunzipSync } from 'node:zlib'
import type { Address, Hex, TestClient } from 'viem'
import { ContractNotFoundError } from './errors.js'

type DumpedAccount = { code: Hex; storage: Record<Hex, Hex> }

export type CopyContractParameters = {
  from: Address
  to: Address
}

/**
 * Copies a contract's runtime code and every storage slot to another address (`anvil_setCode` and
 * `anvil_setStorageAt`). The slots come from `anvil_dumpState`: mappings cannot be enumerated any other way.
 */
export async function copyContract(
  client: Pick<TestClient<'anvil'>, 'dumpState' | 'setCode' | 'setStorageAt'>,
  { from, to }: CopyContractParameters,
): Promise<void> {
  const dump = await client.dumpState()
  const state = JSON.parse(gunzipSync(Buffer.from(dump.slice(2), 'hex')).toString('utf8')) as {
    accounts: Record<string, DumpedAccount>
  }
  const find = (address: Address) =>
    Object.entries(state.accounts).find(([key]) => key.toLowerCase() === address.toLowerCase())?.[1]
  const source = find(from)
  if (!source || source.code === '0x') throw new ContractNotFoundError({ address: from })
  // Slots the destination holds and the source does not are cleared, so copying twice gives the same result.
  const stale = Object.keys(find(to)?.storage ?? {}).filter((index) => !(index in source.storage))
  const zero = `0x${'0'.repeat(64)}` as const
  await Promise.all([
    client.setCode({ address: to, bytecode: source.code }),
    ...Object.entries(source.storage).map(([index, value]) =>
      client.setStorageAt({ address: to, index: index as Hex, value }),
    ),
    ...stale.map((index) => client.setStorageAt({ address: to, index: index as Hex, value: zero })),
  ])
}
