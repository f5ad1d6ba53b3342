import { accessSync, constants } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { AnvilNotFoundError } from './errors.js'
import { resolveAnvilBinary } from './resolveAnvilBinary.js'

describe('resolveAnvilBinary', () => {
  test('finds the executable of this platform in its own package', () => {
    const binary = resolveAnvilBinary()
    expect(binary).toMatch(/@foundry-rs[/\\]anvil-[a-z0-9]+-[a-z0-9]+[/\\]bin[/\\]anvil(\.exe)?$/)
    expect(() => accessSync(binary, constants.X_OK)).not.toThrow()
  })

  test('looks for the package of each supported platform', () => {
    // Only this machine's platform package is installed: the others are reported missing by name.
    for (const [platform, arch, name] of [
      ['darwin', 'arm64', 'anvil-darwin-arm64'],
      ['darwin', 'x64', 'anvil-darwin-amd64'],
      ['linux', 'arm64', 'anvil-linux-arm64'],
      ['win32', 'x64', 'anvil-win32-amd64'],
    ] as const) {
      if (platform === process.platform && arch === process.arch) continue
      expect(() => resolveAnvilBinary({ platform, arch })).toThrow(
        `@foundry-rs/${name} is not installed`,
      )
    }
  })

  test('an unsupported platform throws AnvilNotFoundError', () => {
    const error = (() => {
      try {
        resolveAnvilBinary({ platform: 'aix', arch: 'ppc64' })
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(AnvilNotFoundError)
    expect((error as AnvilNotFoundError).code).toBe('TOLLGATE_DEVNET_ANVIL_NOT_FOUND')
    expect((error as Error).message).toContain('no anvil build for aix-ppc64')
  })
})
