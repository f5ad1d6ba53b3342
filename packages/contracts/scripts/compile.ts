// Compiles every `.sol` file under `contracts/` with solc-js and writes one typed module per contract to
// `src/generated/<ContractName>.ts` (`<camelName>Abi` and, when deployable, `<camelName>Bytecode`, both `as const`).
// Also compiles Uniswap's Permit2 from the sources the npm package `@uniswap/v4-periphery` ships
// (`lib/permit2/src`), with the settings of Permit2's own build (solc 0.8.17, via IR, 1,000,000 runs, no metadata
// hash), into `src/generated/Permit2.ts`: nothing of Permit2 is kept in this repository.
// Skips the work when nothing that affects the output changed since the last run (hash in `src/generated/.cache.json`).
// Exits non-zero on any solc error; warnings are printed. Usage: `tsx scripts/compile.ts [--force]`.
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const sourcesDir = join(packageDir, 'contracts')
const outDir = join(packageDir, 'src', 'generated')
const cacheFile = join(outDir, '.cache.json')
const require = createRequire(join(packageDir, 'package.json'))

type Settings = {
  optimizer: { enabled: boolean; runs: number }
  evmVersion: string
  viaIR?: boolean | undefined
}

type SolcMessage = {
  severity: 'error' | 'warning' | 'info'
  type: string
  formattedMessage?: string | undefined
  message: string
}

type SolcOutput = {
  errors?: SolcMessage[] | undefined
  contracts?: Record<
    string,
    Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>
  >
}

type Cache = { hash: string; files: string[] }

/** Where Permit2's sources come from: the Permit2 project `@uniswap/v4-periphery` ships under `lib/`. */
const permit2Package = '@uniswap/v4-periphery'
const permit2Root = 'lib/permit2'
const permit2Settings = {
  viaIR: true,
  optimizer: { enabled: true, runs: 1_000_000 },
  metadata: { bytecodeHash: 'none' },
}

const baseSettings: Settings = {
  optimizer: { enabled: true, runs: 200 },
  // Anvil's default hardfork (prague) runs cancun bytecode; cancun keeps the artifacts usable on older nodes.
  evmVersion: 'cancun',
}

function listSources(dir: string): string[] {
  if (!existsSync(dir)) return []
  const files: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...listSources(path))
    else if (entry.isFile() && entry.name.endsWith('.sol')) files.push(path)
  }
  return files.sort()
}

/** Source unit name of a file under the package: `contracts/token/TestUSDC.sol`, `/`-separated on every OS. */
function unitName(path: string): string {
  return relative(packageDir, path).split(sep).join('/')
}

/** Resolves `@scope/pkg/path.sol` (or `pkg/path.sol`) from node_modules, as seen from this package. */
function resolveImport(path: string): { contents: string } | { error: string } {
  const parts = path.split('/')
  const packageName = path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
  const rest = parts.slice(path.startsWith('@') ? 2 : 1).join('/')
  try {
    const root = dirname(require.resolve(`${packageName}/package.json`))
    return { contents: readFileSync(join(root, rest), 'utf8') }
  } catch (error) {
    const local = join(packageDir, path)
    if (existsSync(local)) return { contents: readFileSync(local, 'utf8') }
    return { error: `cannot resolve import "${path}": ${(error as Error).message}` }
  }
}

function writeAtomically(path: string, contents: string): void {
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, contents)
  renameSync(temporary, path)
}

function dependencyVersion(name: string): string {
  try {
    return (
      JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as {
        version: string
      }
    ).version
  } catch {
    return 'missing'
  }
}

/** `TestUSDC` -> `testUsdc`, `IdentityRegistry` -> `identityRegistry`, `ERC8004Registry` -> `erc8004Registry`. */
function toCamelName(contractName: string): string {
  const words = contractName.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [contractName]
  return words
    .map((word, index) =>
      index === 0 ? word.toLowerCase() : word[0]!.toUpperCase() + word.slice(1).toLowerCase(),
    )
    .join('')
}

type Solc = { compile(input: string, callbacks: object): string; version(): string }

function compile(
  solc: Solc,
  sources: Record<string, { content: string }>,
  settings: Settings,
): SolcOutput {
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      ...settings,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  }
  const output = solc.compile(JSON.stringify(input), { import: resolveImport })
  return JSON.parse(output) as SolcOutput
}

/** Permit2's `src/` files, keyed as its own build names them (`src/Permit2.sol`); solmate resolved beside them. */
function permit2Sources(): { root: string; sources: Record<string, { content: string }> } {
  const root = join(dirname(require.resolve(`${permit2Package}/package.json`)), permit2Root)
  const sources: Record<string, { content: string }> = {}
  for (const file of listSources(join(root, 'src')))
    sources[relative(root, file).split(sep).join('/')] = { content: readFileSync(file, 'utf8') }
  return { root, sources }
}

/** Compiles Permit2 with solc 0.8.17 (its pragma is exact) and returns its ABI and creation code. */
function compilePermit2(): { abi: unknown[]; bytecode: string; version: string } {
  const solc = require('solc-0.8.17') as Solc
  const { root, sources } = permit2Sources()
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      ...permit2Settings,
      remappings: ['solmate/=lib/solmate/'],
      outputSelection: { 'src/Permit2.sol': { Permit2: ['abi', 'evm.bytecode.object'] } },
    },
  }
  const read = (path: string) => {
    const file = join(root, path)
    return existsSync(file)
      ? { contents: readFileSync(file, 'utf8') }
      : { error: `cannot resolve "${path}"` }
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: read })) as SolcOutput
  const errors = (output.errors ?? []).filter((message) => message.severity === 'error')
  for (const error of errors) console.error((error.formattedMessage ?? error.message).trimEnd())
  const artifact = output.contracts?.['src/Permit2.sol']?.Permit2
  if (errors.length > 0 || !artifact) {
    console.error('contracts: Permit2 did not compile')
    process.exit(1)
  }
  return { abi: artifact.abi, bytecode: artifact.evm.bytecode.object, version: solc.version() }
}

async function main(): Promise<void> {
  const started = performance.now()
  const force = process.argv.includes('--force')
  const files = listSources(sourcesDir)
  const sources: Record<string, { content: string }> = {}
  for (const file of files) sources[unitName(file)] = { content: readFileSync(file, 'utf8') }

  const hash = createHash('sha256')
    .update(
      JSON.stringify({
        solc: dependencyVersion('solc'),
        openzeppelin: dependencyVersion('@openzeppelin/contracts'),
        permit2: dependencyVersion(permit2Package),
        permit2Solc: dependencyVersion('solc-0.8.17'),
        permit2Settings,
        settings: baseSettings,
        script: readFileSync(fileURLToPath(import.meta.url), 'utf8'),
        sources,
      }),
    )
    .digest('hex')

  if (!force && existsSync(cacheFile)) {
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as Cache
    if (cache.hash === hash && cache.files.every((file) => existsSync(join(outDir, file)))) {
      console.log(`contracts: up to date (${files.length} sources)`)
      return
    }
  }

  // Loaded only when there is work: soljson alone takes seconds to parse.
  const solc = ((await import('solc')) as unknown as { default: Solc }).default
  let settings = baseSettings
  let output = compile(solc, sources, settings)
  // Fall back to the IR pipeline only for code the legacy one cannot handle.
  if (output.errors?.some((e) => e.severity === 'error' && /stack too deep/i.test(e.message))) {
    console.warn('contracts: "stack too deep" with the legacy pipeline, compiling with viaIR')
    settings = { ...baseSettings, viaIR: true }
    output = compile(solc, sources, settings)
  }

  const messages = output.errors ?? []
  for (const message of messages) {
    if (message.severity === 'info') continue
    const text = message.formattedMessage ?? `${message.type}: ${message.message}`
    console.error(text.trimEnd())
  }
  const errors = messages.filter((message) => message.severity === 'error')
  if (errors.length > 0) {
    console.error(`contracts: solc failed with ${errors.length} error(s)`)
    process.exit(1)
  }

  mkdirSync(outDir, { recursive: true })
  const written: string[] = []
  const seen = new Map<string, string>()
  for (const [unit, contracts] of Object.entries(output.contracts ?? {})) {
    if (!(unit in sources)) continue // imported from node_modules
    for (const [contractName, artifact] of Object.entries(contracts)) {
      const previous = seen.get(contractName)
      if (previous) {
        console.error(`contracts: "${contractName}" is defined in ${previous} and in ${unit}`)
        process.exit(1)
      }
      seen.set(contractName, unit)
      const camel = toCamelName(contractName)
      const bytecode = artifact.evm.bytecode.object
      const lines = [
        `// Generated by scripts/compile.ts from ${unit} (solc ${solc.version()}). Do not edit.`,
        `export const ${camel}Abi = ${JSON.stringify(artifact.abi, null, 2)} as const`,
      ]
      // Interfaces and abstract contracts have no bytecode: only their ABI is useful.
      if (bytecode.length > 0)
        lines.push(`export const ${camel}Bytecode = '0x${bytecode}' as const`)
      const file = `${contractName}.ts`
      writeAtomically(join(outDir, file), `${lines.join('\n\n')}\n`)
      written.push(file)
    }
  }
  const permit2 = compilePermit2()
  writeAtomically(
    join(outDir, 'Permit2.ts'),
    `${[
      `// Generated by scripts/compile.ts from ${permit2Package}/${permit2Root}/src/Permit2.sol (solc ${permit2.version}, via IR, 1000000 runs). Do not edit.`,
      `export const permit2Abi = ${JSON.stringify(permit2.abi, null, 2)} as const`,
      `export const permit2Bytecode = '0x${permit2.bytecode}' as const`,
    ].join('\n\n')}\n`,
  )
  written.push('Permit2.ts')
  // Artifacts of contracts that no longer exist go; the others were replaced in place, so a test run or
  // type check going on meanwhile never sees a file missing.
  for (const file of readdirSync(outDir)) {
    if (file.endsWith('.ts') && !written.includes(file)) rmSync(join(outDir, file), { force: true })
  }
  writeAtomically(
    cacheFile,
    `${JSON.stringify({ hash, files: written } satisfies Cache, null, 2)}\n`,
  )
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(
    `contracts: compiled ${files.length} sources into ${written.length} artifacts in ${seconds}s${settings.viaIR ? ' (viaIR)' : ''}`,
  )
}

await main()
