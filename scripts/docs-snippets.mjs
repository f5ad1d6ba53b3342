// Keeps the code in the guides identical to tested code.
//
//   node scripts/docs-snippets.mjs --check [--root <dir>]   report every block that drifted (exit 1)
//   node scripts/docs-snippets.mjs --write [--root <dir>]   copy each region into its block
//
// In docs/getting-started/*.md every fenced code block is preceded by a marker naming its source:
//
//   <!-- snippet: examples/paid-api/src/server.ts#paywall -->
//   ```ts
//   ...the lines between `// #region paywall` and `// #endregion paywall`, dedented...
//   ```
//
// The path is relative to the repository root; without `#region` the block is the whole file.
// Region marker lines (`// #region x`, `// #endregion x`) inside the copied text are left out.
// Shell blocks (sh, bash, shell, console) need no marker: each line must be a comment, or a
// `pnpm`/`npm` command that installs published workspace `@tollgate/*` packages (and their peer
// dependencies) or runs a
// workspace package's existing script (`pnpm --filter @tollgate/example-paid-api start`).
// With a marker, a shell block is also compared with its source. Guides in docs/agents and
// docs/providers opt in with a first marker; there only marked blocks are checked.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const shellLanguages = new Set(['sh', 'bash', 'shell', 'console', 'zsh'])
const markerPattern = /^<!--\s*snippet:\s*(\S+?)\s*-->$/
const regionPattern = /^\s*(?:\/\/|#)\s*#(region|endregion)\b\s*(\S*)/

/** Workspace packages under `packages/*` and `examples/*`: name -> { scripts, private }. */
function readWorkspace(root) {
  const packages = new Map()
  for (const folder of ['packages', 'examples']) {
    let dirs = []
    try {
      dirs = readdirSync(join(root, folder)).sort()
    } catch {
      continue
    }
    for (const dir of dirs) {
      try {
        const manifest = JSON.parse(readFileSync(join(root, folder, dir, 'package.json'), 'utf8'))
        if (typeof manifest.name !== 'string') continue
        packages.set(manifest.name, {
          scripts: Object.keys(manifest.scripts ?? {}),
          private: manifest.private === true,
          peers: Object.keys(manifest.peerDependencies ?? {}),
        })
      } catch {}
    }
  }
  return packages
}

/** The fenced code blocks of a Markdown text, with the marker line before each, if any. */
function parseBlocks(text) {
  const lines = text.split('\n')
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i])
    if (!open) continue
    const fence = open[2]
    let end = i + 1
    while (end < lines.length) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[end])
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) break
      end++
    }
    let before = i - 1
    while (before >= 0 && lines[before].trim() === '') before--
    const marker = before >= 0 ? markerPattern.exec(lines[before].trim()) : null
    blocks.push({
      line: i + 1,
      start: i,
      end,
      language: open[3].toLowerCase(),
      // A fence indented inside a list item indents its lines too; compare them without it.
      indent: open[1],
      content: lines
        .slice(i + 1, end)
        .map((line) => (line.startsWith(open[1]) ? line.slice(open[1].length) : line.trimStart()))
        .join('\n'),
      marker: marker ? marker[1] : undefined,
    })
    i = end
  }
  return { lines, blocks }
}

function dedent(lines) {
  const indents = lines
    .filter((line) => line.trim() !== '')
    .map((line) => /^\s*/.exec(line)[0].length)
  const cut = indents.length > 0 ? Math.min(...indents) : 0
  return lines.map((line) => line.slice(cut).trimEnd())
}

/** The text a marker names, or an error message. */
function readSnippet(root, marker) {
  const [path, region] = marker.split('#')
  const file = resolve(root, path)
  if (relative(root, file).startsWith('..')) return { error: `${path} is outside the repository` }
  let source
  try {
    if (!statSync(file).isFile()) return { error: `${path} is not a file` }
    source = readFileSync(file, 'utf8')
  } catch {
    return { error: `${path} does not exist` }
  }
  let lines = source.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')
  if (region) {
    const start = lines.findIndex((line) => {
      const m = regionPattern.exec(line)
      return m?.[1] === 'region' && m[2] === region
    })
    if (start === -1) return { error: `${path} has no \`// #region ${region}\`` }
    const end = lines.findIndex((line, index) => {
      const m = regionPattern.exec(line)
      return index > start && m?.[1] === 'endregion' && m[2] === region
    })
    if (end === -1) return { error: `${path} has no \`// #endregion ${region}\`` }
    lines = lines.slice(start + 1, end)
  }
  return { text: dedent(lines.filter((line) => !regionPattern.test(line))).join('\n') }
}

const installPattern = /^(?:npm (?:install|i|add)|pnpm (?:add|install|i))((?: \S+)+)$/
const runPattern = /^pnpm (?:--filter|-F) (\S+) (?:run )?(\S+)$/
const installFlags = new Set(['-D', '--save-dev', '-E', '--save-exact', '-O', '--save-optional'])

/** Whether `name` is a peer dependency of a published workspace package (users install it). */
function isPeerOfPublished(name, workspace) {
  for (const known of workspace.values())
    if (!known.private && known.peers.includes(name)) return true
  return false
}

/** Why a shell line is not allowed, or undefined when it is. */
function checkShellLine(line, workspace) {
  // A `$ ` prompt (console blocks) is not part of the command.
  const command = line.trim().replace(/^\$ /, '').replace(/\s+/g, ' ')
  if (command === '' || command.startsWith('#')) return undefined
  const install = installPattern.exec(command)
  if (install) {
    const names = install[1].trim().split(' ')
    for (const spec of names) {
      if (installFlags.has(spec)) continue
      const name = spec.replace(/^(@[^/@]+\/[^@]+)@.*$/, '$1')
      const known = workspace.get(name)
      if (isPeerOfPublished(name, workspace)) continue
      if (!name.startsWith('@tollgate/') || !known || known.private)
        return `\`${spec}\` is not a published workspace @tollgate/* package`
    }
    return undefined
  }
  const run = runPattern.exec(command)
  if (run) {
    const known = workspace.get(run[1])
    if (!known) return `\`${run[1]}\` is not a workspace package`
    if (!known.scripts.includes(run[2])) return `${run[1]} has no script \`${run[2]}\``
    return undefined
  }
  return 'only `pnpm`/`npm` lines that install @tollgate/* packages or run `pnpm --filter <package> <script>` are allowed'
}

/**
 * Checks (or, with `write`, fills) the blocks of one guide. Returns the problems as
 * `file:line: message` and, when writing, the new text.
 */
function processGuide(
  root,
  path,
  { write = false, workspace = readWorkspace(root), strict = true } = {},
) {
  const text = readFileSync(join(root, path), 'utf8')
  const { lines, blocks } = parseBlocks(text)
  const problems = []
  // Replace from the last block up so earlier line numbers stay valid.
  for (const block of [...blocks].reverse()) {
    const at = `${path}:${block.line}`
    // An opted-in guide keeps its unmarked blocks (illustrations); its marked ones must match.
    if (!strict && !block.marker) continue
    const shell = shellLanguages.has(block.language)
    if (shell) {
      block.content.split('\n').forEach((line, index) => {
        const why = checkShellLine(line, workspace)
        if (why) problems.push(`${path}:${block.line + 1 + index}: ${why}: ${line.trim()}`)
      })
      if (!block.marker) continue
    }
    if (!block.marker) {
      problems.push(`${at}: code block without a \`<!-- snippet: <path>[#region] -->\` marker`)
      continue
    }
    const snippet = readSnippet(root, block.marker)
    if (snippet.error) {
      problems.push(`${at}: snippet ${block.marker}: ${snippet.error}`)
      continue
    }
    if (snippet.text === block.content) continue
    if (write)
      lines.splice(
        block.start + 1,
        block.end - block.start - 1,
        ...snippet.text.split('\n').map((line) => (line === '' ? '' : block.indent + line)),
      )
    else problems.push(`${at}: block differs from ${block.marker}`)
  }
  problems.sort((a, b) => {
    const [, la] = a.split(':')
    const [, lb] = b.split(':')
    return Number(la) - Number(lb)
  })
  return { problems, text: lines.join('\n'), changed: lines.join('\n') !== text }
}

/**
 * Every guide the convention applies to, relative to `root`: each getting-started guide, and each
 * guide in docs/agents and docs/providers that names a snippet source (there only the marked
 * blocks are checked).
 */
function listGuides(root) {
  const markdownIn = (folder) => {
    try {
      return readdirSync(join(root, folder))
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `${folder}/${name}`)
    } catch {
      return []
    }
  }
  const optedIn = ['docs/agents', 'docs/providers']
    .flatMap(markdownIn)
    .filter((guide) => readFileSync(join(root, guide), 'utf8').includes('<!-- snippet:'))
  return [
    ...markdownIn('docs/getting-started').map((path) => ({ path, strict: true })),
    ...optedIn.map((path) => ({ path, strict: false })),
  ]
}

function main() {
  const args = process.argv.slice(2)
  const mode = args[0]
  const rootIndex = args.indexOf('--root')
  const root = resolve(
    rootIndex === -1 ? fileURLToPath(new URL('..', import.meta.url)) : args[rootIndex + 1],
  )
  if (mode !== '--check' && mode !== '--write') {
    console.error('usage: node scripts/docs-snippets.mjs --check | --write [--root <dir>]')
    process.exitCode = 2
    return
  }
  const workspace = readWorkspace(root)
  const guides = listGuides(root)
  const problems = []
  let blocks = 0
  for (const { path: guide, strict } of guides) {
    const result = processGuide(root, guide, { write: mode === '--write', workspace, strict })
    blocks += parseBlocks(result.text).blocks.length
    problems.push(...result.problems)
    if (mode === '--write' && result.changed) {
      writeFileSync(join(root, guide), result.text)
      console.log(`${guide}: updated`)
    }
  }
  if (problems.length > 0) {
    console.error(`docs snippets: ${problems.length} problem(s)`)
    for (const problem of problems) console.error(`  ${problem}`)
    if (mode === '--check')
      console.error(
        'Fix the markers, or copy the regions in with: node scripts/docs-snippets.mjs --write',
      )
    process.exitCode = 1
    return
  }
  console.log(`docs snippets: ${blocks} block(s) in ${guides.length} guide(s) match their sources`)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
