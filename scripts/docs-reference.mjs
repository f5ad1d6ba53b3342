// Generates the API reference (docs/reference/) from the public entry points of every published
// package, with TypeDoc and typedoc-plugin-markdown (options in typedoc.json).
//
//   node scripts/docs-reference.mjs --write   regenerate docs/reference/
//   node scripts/docs-reference.mjs --check   regenerate into a temp dir and compare (exit 1 on drift)
//
// Entry points come from each package's `exports` map, so only what users can import is documented.
// The output carries no source links, timestamps or absolute paths, so it is stable across machines.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Application, Converter, ReflectionKind } from 'typedoc'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const target = join(root, 'docs/reference')

/** Every public entry point: `{ name: '@tollgate/core/facilitator-client', file: 'packages/...' }`. */
function listEntryPoints() {
  const entries = []
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const manifestPath = join(root, 'packages', dir, 'package.json')
    let manifest
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
    } catch {
      continue
    }
    if (manifest.private || !manifest.exports) continue
    for (const key of Object.keys(manifest.exports).sort()) {
      if (key === './package.json') continue
      const entry = key === '.' ? 'index' : key.slice(2)
      const file = `packages/${dir}/src/exports/${entry}.ts`
      try {
        statSync(join(root, file))
      } catch {
        continue
      }
      entries.push({ name: key === '.' ? manifest.name : `${manifest.name}/${entry}`, file })
    }
  }
  return entries
}

async function generate(out) {
  const entries = listEntryPoints()
  // TypeDoc names a module after its path (`core/src/exports/facilitator-client`); users import
  // it by its package path, so rename each module to that.
  const names = new Map(
    entries.map(({ name, file }) => [
      file
        .replace(/^packages\//, '')
        .replace(/\/index\.ts$/, '')
        .replace(/\.ts$/, ''),
      name,
    ]),
  )
  // A program of the entry points and what they import, not every test, example and benchmark
  // the root tsconfig includes, so TypeDoc parses less.
  const configDir = mkdtempSync(join(tmpdir(), 'tollgate-typedoc-'))
  const tsconfig = join(configDir, 'tsconfig.json')
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      include: [],
      files: entries.map(({ file }) => join(root, file)),
    }),
  )
  let app
  let project
  try {
    app = await Application.bootstrapWithPlugins({
      options: join(root, 'typedoc.json'),
      tsconfig,
      entryPoints: entries.map(({ file }) => join(root, file)),
      out,
      name: 'Tollgate API reference',
    })
    app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
      for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
        const name = names.get(module.name)
        if (!name) throw new Error(`No package entry point for the TypeDoc module ${module.name}`)
        module.name = name
      }
    })
    project = await app.convert()
  } finally {
    rmSync(configDir, { recursive: true, force: true })
  }
  if (!project) throw new Error('TypeDoc could not convert the entry points (see the errors above)')
  await app.generateOutputs(project)
  for (const file of listFiles(out)) repairAnchors(join(out, file))
  const index = join(out, 'README.md')
  writeFileSync(
    index,
    readFileSync(index, 'utf8').replace(
      /^# .*\n/,
      (title) =>
        `${title}\nGenerated from the sources by \`node scripts/docs-reference.mjs --write\` (TypeDoc);\ndo not edit by hand. One page per entry point a package exports; only public exports.\n`,
    ),
  )
}

/** GitHub's heading anchor: the rendered text, lowercased, punctuation dropped, spaces to `-`. */
function slugify(heading) {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-')
}

// The markdown plugin sometimes numbers an anchor (`#ledgerwrite-1`) for a heading GitHub numbers
// differently; point such a link at the heading that does exist.
function repairAnchors(file) {
  const text = readFileSync(file, 'utf8')
  const anchors = new Set()
  const counts = new Map()
  let fenced = false
  for (const line of text.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced
    if (fenced) continue
    const heading = /^#{1,6}\s+(.*?)\s*$/.exec(line)
    if (heading) {
      const slug = slugify(heading[1])
      const seen = counts.get(slug) ?? 0
      counts.set(slug, seen + 1)
      anchors.add(seen === 0 ? slug : `${slug}-${seen}`)
    }
    for (const match of line.matchAll(/<a id="([^"]+)"/g)) anchors.add(match[1])
  }
  const repaired = text.replace(/\]\(#([^)\s]+?)-(\d+)\)/g, (link, base, n) =>
    anchors.has(`${base}-${n}`) || !anchors.has(base) ? link : `](#${base})`,
  )
  if (repaired !== text) writeFileSync(file, repaired)
}

function listFiles(dir, base = dir) {
  let files = []
  let names
  try {
    names = readdirSync(dir)
  } catch {
    return files
  }
  for (const name of names.sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) files = files.concat(listFiles(path, base))
    else files.push(relative(base, path))
  }
  return files
}

/** Files that differ between two trees, as paths relative to them, with why. */
function compareTrees(expected, actual) {
  const drift = []
  const a = new Set(listFiles(expected))
  const b = new Set(listFiles(actual))
  for (const file of a) {
    if (!b.has(file)) drift.push(`${file} (missing)`)
    else if (!readFileSync(join(expected, file)).equals(readFileSync(join(actual, file))))
      drift.push(`${file} (differs)`)
  }
  for (const file of b) if (!a.has(file)) drift.push(`${file} (not generated any more)`)
  return drift.sort()
}

async function main() {
  const mode = process.argv[2]
  if (mode === '--write') {
    rmSync(target, { recursive: true, force: true })
    await generate(target)
    console.log(`docs/reference: ${listFiles(target).length} files written`)
    return
  }
  if (mode === '--check') {
    const temp = mkdtempSync(join(tmpdir(), 'tollgate-reference-'))
    try {
      await generate(temp)
      const drift = compareTrees(temp, target)
      if (drift.length > 0) {
        console.error('docs/reference is out of date with the sources:')
        for (const line of drift) console.error(`  docs/reference/${line}`)
        console.error('Regenerate it with: node scripts/docs-reference.mjs --write')
        process.exitCode = 1
        return
      }
      console.log(`docs/reference: up to date (${listFiles(temp).length} files)`)
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
    return
  }
  console.error('usage: node scripts/docs-reference.mjs --write | --check')
  process.exitCode = 2
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
