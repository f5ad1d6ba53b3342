import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import {
  coreReasons,
  exactEvmReasons,
  legacyReasons,
  reasons,
  specReasons,
  uptoEvmReasons,
} from './reasons.js'

// The reference packages are root devDependencies, linked in the repository's node_modules.
const nodeModules = fileURLToPath(new URL('../../../node_modules/', import.meta.url))

/** Every file of an installed package's `dist/`, concatenated (code, maps, declarations). */
function distText(name: string): string {
  const root = join(nodeModules, name, 'dist')
  const parts: string[] = []
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry)
      if (statSync(path).isDirectory()) visit(path)
      else parts.push(readFileSync(path, 'utf8'))
    }
  }
  visit(root)
  return parts.join('\n')
}

const quoted = (text: string, value: string) =>
  text.includes(`"${value}"`) || text.includes(`'${value}'`) || text.includes(`\\"${value}\\"`)

const camelCase = (value: string) =>
  value.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())

describe('reasons', () => {
  test('each key is the camelCase of its string', () => {
    for (const [key, value] of Object.entries(reasons)) expect(key).toBe(camelCase(value))
  })

  test('the groups do not overlap and all reach `reasons`', () => {
    const groups = [specReasons, legacyReasons, coreReasons, exactEvmReasons, uptoEvmReasons]
    const total = groups.reduce((n, group) => n + Object.keys(group).length, 0)
    expect(Object.keys(reasons)).toHaveLength(total)
    expect(new Set(Object.values(reasons)).size).toBe(total)
  })

  test('names the brief relies on', () => {
    expect(reasons.invalidExactEvmSignature).toBe('invalid_exact_evm_signature')
    expect(reasons.invalidExactEvmNonceAlreadyUsed).toBe('invalid_exact_evm_nonce_already_used')
    expect(reasons.invalidExactEvmPayloadAuthorizationValidBefore).toBe(
      'invalid_exact_evm_payload_authorization_valid_before',
    )
    expect(reasons.invalidExactEvmPayloadAuthorizationValidAfter).toBe(
      'invalid_exact_evm_payload_authorization_valid_after',
    )
    expect(reasons.invalidX402Version).toBe('invalid_x402_version')
    expect(reasons.settlementPending).toBe('settlement_pending')
    expect(reasons.duplicateSettlement).toBe('duplicate_settlement')
    expect(reasons.unexpectedVerifyError).toBe('unexpected_verify_error')
    expect(reasons.unexpectedSettleError).toBe('unexpected_settle_error')
  })

  test('every exact and upto EVM reason is in the installed @x402/evm, byte for byte', () => {
    const text = distText('@x402/evm')
    const missing = Object.values({ ...exactEvmReasons, ...uptoEvmReasons }).filter(
      (value) => !quoted(text, value),
    )
    expect(missing).toEqual([])
  })

  test('settlement_pending and extension_echo_mismatch are in the installed @x402/core', () => {
    const text = distText('@x402/core')
    expect(quoted(text, reasons.settlementPending)).toBe(true)
    expect(quoted(text, reasons.extensionEchoMismatch)).toBe(true)
  })

  test('legacy and specification reasons are in the installed legacy x402', () => {
    const text = distText('x402')
    const fromLegacy = [
      ...Object.values(legacyReasons),
      ...Object.values(specReasons),
      reasons.invalidExactEvmPayloadUndeployedSmartWallet,
    ]
    expect(fromLegacy.filter((value) => !quoted(text, value))).toEqual([])
  })

  test('a misspelt reason is not found (the check can fail)', () => {
    const text = distText('@x402/evm')
    expect(quoted(text, 'invalid_exact_evm_signatures')).toBe(false)
  })
})
