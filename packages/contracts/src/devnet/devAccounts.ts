import { pbkdf2Sync } from 'node:crypto'
import { type Address, bytesToHex, type Hex, type PrivateKeyAccount } from 'viem'
import { HDKey, privateKeyToAccount } from 'viem/accounts'

/** A funded devnet account with its key (a well-known test key: never use it on a real chain). */
export type DevnetAccount = {
  address: Address
  privateKey: Hex
  /** viem local account, for `walletClient(account)` or signing typed data. */
  account: PrivateKeyAccount
}

/** Anvil's default mnemonic: anvil funds and unlocks the first `--accounts` keys derived from it. */
export const devMnemonic = 'test test test test test test test test test test test junk'

let parentKey: HDKey | undefined
const derived: DevnetAccount[] = []

/**
 * The first `count` accounts of anvil's default mnemonic (`m/44'/60'/0'/0/i`): index 0 is the deployer.
 * Derived once per process; the BIP-39 seed uses Node's native PBKDF2, far faster than a JS one.
 */
export function getDevAccounts(count: number): DevnetAccount[] {
  for (let index = derived.length; index < count; index++) {
    parentKey ??= HDKey.fromMasterSeed(
      pbkdf2Sync(devMnemonic.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512'),
    ).derive("m/44'/60'/0'/0")
    const privateKey = bytesToHex(parentKey.deriveChild(index).privateKey!)
    const account = privateKeyToAccount(privateKey)
    derived.push({ address: account.address, privateKey, account })
  }
  return derived.slice(0, count)
}
