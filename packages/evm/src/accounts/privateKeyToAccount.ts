import {
  bytesToHex,
  type Hex,
  hashMessage,
  hashTypedData,
  hexToBytes,
  keccak256,
  parseSignature,
  serializeTransaction,
} from 'viem'
import {
  type PrivateKeyAccount,
  type PrivateKeyToAccountOptions,
  privateKeyToAccount as viemPrivateKeyToAccount,
} from 'viem/accounts'
import { bytes32Pattern } from '../authorization.js'
import { loadSecp256k1 } from '../secp256k1/loadSecp256k1.js'
import { markDigestSigner, type SignDigest } from './digestSigner.js'

export type { PrivateKeyAccount, PrivateKeyToAccountOptions } from 'viem/accounts'

/**
 * viem's `privateKeyToAccount`, signing with libsecp256k1 instead of pure JavaScript: natively
 * where the optional `secp256k1` addon loads (linux-x64, darwin-arm64, win32-x64), else compiled
 * to WebAssembly (`tiny-secp256k1`). The same account, the same signatures byte for byte (RFC 6979
 * nonces, low `s`), at a tenth (native) or a fifth (WebAssembly) of the CPU of viem's, and none of
 * the short-lived big integers a JavaScript signature leaves to the garbage collector. For agents
 * that sign a payment per request.
 *
 * `sign`, `signMessage`, `signTypedData` and `signTransaction` sign through libsecp256k1 (a
 * facilitator's settlement transactions too); EIP-7702 authorizations are signed by viem's own
 * account (the signatures are the same).
 * `signAuthorization` of this package signs an EIP-3009 transfer's digest directly (its domain
 * separator cached), skipping the typed-data encoding, when given this account or a copy of it
 * that keeps its `signTypedData`.
 *
 * The library loads with the first signature (the WebAssembly build takes about 65 ms to compile).
 *
 * @example
 * import { privateKeyToAccount } from '@tollgate/evm/accounts'
 * import { wrapFetch } from '@tollgate/fetch'
 *
 * const pay = wrapFetch(fetch, { account: privateKeyToAccount(process.env.AGENT_KEY as `0x${string}`) })
 */
export function privateKeyToAccount(
  privateKey: Hex,
  options?: PrivateKeyToAccountOptions,
): PrivateKeyAccount {
  // viem checks the key and derives the address; its account signs what is left to it.
  const account = viemPrivateKeyToAccount(privateKey, options)
  const signDigest = createDigestSigner(hexToBytes(privateKey))
  return {
    ...account,
    sign: ({ hash }) => signDigest(hash),
    signMessage: ({ message }) => signDigest(hashMessage(message)),
    // As viem signs one: the digest of the serialized transaction (an EIP-4844 one without its
    // sidecars), then the transaction serialized with the signature.
    async signTransaction(transaction, { serializer = serializeTransaction } = {}) {
      const signable =
        transaction.type === 'eip4844' ? { ...transaction, sidecars: false } : transaction
      const signature = await signDigest(keccak256(await serializer(signable)))
      return serializer(transaction, parseSignature(signature))
    },
    signTypedData: markDigestSigner(
      (typedData) => signDigest(hashTypedData(typedData)),
      signDigest,
    ) as PrivateKeyAccount['signTypedData'],
  }
}

/** A digest signer over a 32-byte private key, as viem serializes signatures (`v` 27 or 28). */
function createDigestSigner(key: Uint8Array): SignDigest {
  return async (digest) => {
    if (!bytes32Pattern.test(digest)) throw new TypeError('A digest to sign is 32 bytes of 0x-hex.')
    const { signature, recoveryId } = (await loadSecp256k1()).sign(hexToBytes(digest), key)
    // viem's serialization: `v` is 27 for recovery id 0, 28 otherwise.
    return `${bytesToHex(signature)}${recoveryId === 0 ? '1b' : '1c'}`
  }
}
