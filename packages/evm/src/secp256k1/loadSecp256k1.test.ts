import { hexToBytes, keccak256, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { loadNativeSecp256k1, loadSecp256k1, loadWasmSecp256k1 } from './loadSecp256k1.js'

describe('loadSecp256k1', () => {
  test('the native addon is chosen where the optional package ships one', async () => {
    const prebuilt = ['linux-x64', 'darwin-arm64', 'win32-x64'].includes(
      `${process.platform}-${process.arch}`,
    )
    expect((await loadSecp256k1()).kind).toBe(prebuilt ? 'native' : 'wasm')
  })

  test('native and WebAssembly sign as viem does and recover the signer', async () => {
    const builds = [await loadNativeSecp256k1(), await loadWasmSecp256k1()]
    for (let round = 0; round < 16; round++) {
      const key = generatePrivateKey()
      const account = privateKeyToAccount(key)
      const digest = keccak256(toHex(`payment ${round}`))
      const expected = await account.sign({ hash: digest })
      for (const secp256k1 of builds) {
        const { signature, recoveryId } = secp256k1.sign(hexToBytes(digest), hexToBytes(key))
        expect(`${toHex(signature)}${recoveryId === 0 ? '1b' : '1c'}`, secp256k1.kind).toBe(
          expected,
        )
        const recovered = secp256k1.recover(hexToBytes(digest), signature, recoveryId as 0 | 1)
        expect(recovered && toHex(recovered), secp256k1.kind).toBe(account.publicKey)
      }
    }
  })

  test('a signature that names no key is refused by both, by null or by a throw', async () => {
    const builds = [await loadNativeSecp256k1(), await loadWasmSecp256k1()]
    const digest = hexToBytes(keccak256('0x01'))
    const zero = new Uint8Array(64) // r = s = 0
    for (const secp256k1 of builds) {
      let recovered: Uint8Array | null
      try {
        recovered = secp256k1.recover(digest, zero, 0)
      } catch {
        recovered = null
      }
      expect(recovered, secp256k1.kind).toBeNull()
    }
  })
})
