import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { AnvilNotFoundError } from './errors.js'

// `@foundry-rs/anvil` ships its binary in one optional dependency per platform.
const platformPackages: Record<string, string> = {
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
}

export type ResolveAnvilBinaryParameters = {
  /** @default process.platform */
  platform?: NodeJS.Platform | undefined
  /** @default process.arch */
  arch?: string | undefined
}

/**
 * Path of the anvil executable installed by `@foundry-rs/anvil`, so it can be spawned directly rather than
 * through the package's Node wrapper (one process less, and signals reach anvil itself).
 */
export function resolveAnvilBinary({
  platform = process.platform,
  arch = process.arch,
}: ResolveAnvilBinaryParameters = {}): string {
  const platformPackage = platformPackages[`${platform}-${arch}`]
  if (!platformPackage)
    throw new AnvilNotFoundError({ details: `no anvil build for ${platform}-${arch}` })
  const binaryName = platform === 'win32' ? 'anvil.exe' : 'anvil'

  let wrapperManifest: string
  try {
    wrapperManifest = createRequire(import.meta.url).resolve('@foundry-rs/anvil/package.json')
  } catch (cause) {
    throw new AnvilNotFoundError({ details: 'cannot resolve @foundry-rs/anvil', cause })
  }
  // pnpm does not hoist the platform package: it is only visible from the wrapper's own (real) location.
  try {
    const manifest = createRequire(wrapperManifest).resolve(`${platformPackage}/package.json`)
    const binary = join(dirname(manifest), 'bin', binaryName)
    if (existsSync(binary)) return binary
  } catch {
    // fall through to the wrapper's postinstall download location
  }
  const downloaded = join(dirname(wrapperManifest), '..', 'dist', binaryName)
  if (existsSync(downloaded)) return downloaded
  throw new AnvilNotFoundError({ details: `${platformPackage} is not installed` })
}
