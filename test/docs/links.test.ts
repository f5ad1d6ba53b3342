import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

// Every relative link in the docs and the README must lead somewhere: to a file that exists and,
// with `#anchor`, to a heading (or an explicit `<a id>`) of that file. Every Mermaid block must
// name a diagram type Mermaid knows and have a balanced structure; there is no renderer here, so
// this catches the typos (an unclosed `alt`, a stray `}`), not every syntax error.

const root = fileURLToPath(new URL('../..', import.meta.url))

function listMarkdown(dir: string): string[] {
  const files: string[] = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) files.push(...listMarkdown(path))
    else if (name.endsWith('.md')) files.push(path)
  }
  return files
}

const files = [join(root, 'README.md'), ...listMarkdown(join(root, 'docs'))]

type Block = { language: string; content: string; line: number }

/** Splits Markdown into its prose lines (code blocks blanked, so line numbers hold) and its blocks. */
function splitMarkdown(text: string): { prose: string[]; blocks: Block[] } {
  const lines = text.split('\n')
  const prose: string[] = []
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i] ?? '')
    if (!open) {
      prose.push(lines[i] ?? '')
      continue
    }
    const fence = open[1] ?? '```'
    let end = i + 1
    while (end < lines.length) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[end] ?? '')
      if (close?.[1] && close[1][0] === fence[0] && close[1].length >= fence.length) break
      end++
    }
    blocks.push({
      language: (open[2] ?? '').toLowerCase(),
      content: lines.slice(i + 1, end).join('\n'),
      line: i + 1,
    })
    for (let j = i; j <= end && j < lines.length; j++) prose.push('')
    i = end
  }
  return { prose, blocks }
}

/** GitHub's heading anchor: the rendered text, lowercased, punctuation dropped, spaces to `-`. */
function slugify(heading: string): string {
  const text = heading
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-')
}

const anchorCache = new Map<string, Set<string>>()

/** The anchors a Markdown file offers: its headings (with GitHub's `-1` for repeats) and `<a id>`s. */
function anchorsOf(file: string, text?: string): Set<string> {
  const cached = text === undefined ? anchorCache.get(file) : undefined
  if (cached) return cached
  const anchors = new Set<string>()
  const counts = new Map<string, number>()
  for (const line of splitMarkdown(text ?? readFileSync(file, 'utf8')).prose) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading) {
      const slug = slugify(heading[1] ?? '')
      const seen = counts.get(slug) ?? 0
      counts.set(slug, seen + 1)
      anchors.add(seen === 0 ? slug : `${slug}-${seen}`)
    }
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1] ?? '')
  }
  if (text === undefined) anchorCache.set(file, anchors)
  return anchors
}

/** The broken relative links of one Markdown file, as `line: target (why)`. */
function findBrokenLinks(file: string, text = readFileSync(file, 'utf8')): string[] {
  const broken: string[] = []
  splitMarkdown(text).prose.forEach((raw, index) => {
    const line = raw.replace(/`[^`]*`/g, '')
    const targets = [
      ...[...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? ''),
      ...[...line.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/g)].map(
        (m) => m[1] ?? '',
      ),
      ...[...line.matchAll(/<a\s+href="([^"]+)"/g)].map((m) => m[1] ?? ''),
    ]
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue
      const [path = '', anchor] = target.split('#')
      const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path))
      const where = `${index + 1}: ${target}`
      if (!existsSync(resolved)) {
        broken.push(`${where} (no such file)`)
        continue
      }
      if (anchor === undefined || anchor === '') continue
      if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) continue
      const anchors = path === '' ? anchorsOf(file, text) : anchorsOf(resolved)
      if (!anchors.has(decodeURIComponent(anchor))) broken.push(`${where} (no such heading)`)
    }
  })
  return broken
}

const diagramTypes = new Set([
  'sequenceDiagram',
  'stateDiagram',
  'stateDiagram-v2',
  'flowchart',
  'graph',
  'classDiagram',
  'erDiagram',
  'gantt',
  'pie',
  'journey',
  'gitGraph',
  'mindmap',
  'timeline',
])

const sequenceBlocks = /^(loop|alt|opt|par|critical|break|rect|box)\b/
const sequenceLine = [
  /^(participant|actor)\s+\S+(\s+as\s+.+)?$/,
  /^autonumber\b/,
  /^(activate|deactivate|create participant|destroy)\s+\S+$/,
  /^note\s+(left of|right of|over)\s+[^:]+:\s*.+$/i,
  /^[^\s:>-][^:>]*?\s*(-{1,2}>>|-{1,2}>|-{1,2}x|-{1,2}\))[+-]?\s*[^:]+:\s*.*$/,
]
const stateLine = [
  /^(\[\*\]|[\w.-]+)\s*-->\s*(\[\*\]|[\w.-]+)(\s*:\s*.+)?$/,
  /^state\s+("[^"]+"\s+as\s+)?[\w.-]+(\s*<<(fork|join|choice)>>)?(\s*\{)?$/,
  /^[\w.-]+\s*:\s*.+$/,
  /^note\s+(left of|right of)\s+[\w.-]+(\s*:\s*.+)?$/,
  /^end note$/,
  /^direction\s+(LR|RL|TB|BT)$/,
  /^(classDef|class)\s+.+$/,
  /^\}$/,
  /^--$/,
]

/** What is wrong with one Mermaid block, as messages; empty when it looks well formed. */
function checkMermaid(source: string): string[] {
  const problems: string[] = []
  const lines = source
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('%%'))
  const type = (lines[0] ?? '').split(/\s+/)[0] ?? ''
  if (!diagramTypes.has(type)) return [`unknown diagram type "${type}"`]

  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' }
  const stack: string[] = []
  for (const char of source.replace(/"[^"\n]*"/g, '""')) {
    if (char === '(' || char === '[' || char === '{') stack.push(char)
    else if (pairs[char] && stack.pop() !== pairs[char]) {
      problems.push(`unbalanced "${char}"`)
      break
    }
  }
  if (problems.length === 0 && stack.length > 0) problems.push(`unclosed "${stack.join('')}"`)

  const body = lines.slice(1)
  if (type === 'sequenceDiagram') {
    let depth = 0
    for (const line of body) {
      if (sequenceBlocks.test(line)) depth++
      else if (line === 'end') {
        if (--depth < 0) problems.push('"end" without an open block')
      } else if (/^(else|and|option)\b/.test(line)) {
        if (depth === 0) problems.push(`"${line}" outside a block`)
      } else if (!sequenceLine.some((pattern) => pattern.test(line)))
        problems.push(`not a sequence diagram line: ${line}`)
    }
    if (depth > 0) problems.push(`${depth} block(s) without "end"`)
  }
  if (type === 'stateDiagram' || type === 'stateDiagram-v2') {
    let inNote = false
    for (const line of body) {
      if (inNote) {
        if (line === 'end note') inNote = false
        continue
      }
      if (/^note\s+(left of|right of)\s+[\w.-]+$/.test(line)) inNote = true
      else if (!stateLine.some((pattern) => pattern.test(line)))
        problems.push(`not a state diagram line: ${line}`)
    }
    if (inNote) problems.push('"note" without "end note"')
  }
  if (type === 'flowchart' || type === 'graph') {
    let depth = 0
    for (const line of body) {
      if (/^subgraph\b/.test(line)) depth++
      else if (line === 'end' && --depth < 0) problems.push('"end" without "subgraph"')
    }
    if (depth > 0) problems.push(`${depth} subgraph(s) without "end"`)
  }
  return problems
}

describe('docs links', () => {
  test.each(files.map((file) => [relative(root, file), file]))(
    '%s: every relative link resolves',
    (_name, file) => {
      expect(findBrokenLinks(file)).toEqual([])
    },
  )

  test('the index links every doc under docs/ (the reference through its README)', () => {
    const index = readFileSync(join(root, 'docs/README.md'), 'utf8')
    const linked = new Set(
      [...index.matchAll(/\]\(([^)#\s]+)/g)].map((m) => resolve(join(root, 'docs'), m[1] ?? '')),
    )
    const unlisted = listMarkdown(join(root, 'docs'))
      .filter((file) => !relative(root, file).startsWith('docs/reference/'))
      .filter((file) => file !== join(root, 'docs/README.md') && !linked.has(file))
      .map((file) => relative(root, file))
    expect(unlisted).toEqual([])
    expect(linked.has(join(root, 'docs/reference/README.md'))).toBe(true)
  })

  test('a missing file, a missing heading and a wrong repeat are reported; code is ignored', () => {
    const file = join(root, 'docs/README.md')
    const text = [
      '# Title',
      '## Repeat',
      '## Repeat',
      '[ok](#repeat-1) [bad](#repeat-2) [ok](../README.md#packages) [gone](nowhere.md)',
      '[web](https://example.com/x.md) `[code](nowhere.md)`',
      '```md',
      '[in a block](nowhere.md)',
      '```',
      '[bad anchor](../README.md#no-such-heading)',
      '[ref]: ./missing/file.md',
    ].join('\n')
    const broken = findBrokenLinks(file, text)
    expect(broken).toEqual([
      '4: #repeat-2 (no such heading)',
      '4: nowhere.md (no such file)',
      '9: ../README.md#no-such-heading (no such heading)',
      '10: ./missing/file.md (no such file)',
    ])
  })

  test('GitHub anchors: punctuation dropped, code and links unwrapped', () => {
    expect(slugify('Settlement modes: `confirmed`, `submitted`, `queued`')).toBe(
      'settlement-modes-confirmed-submitted-queued',
    )
    expect(slugify('What we do *not* protect against')).toBe('what-we-do-not-protect-against')
    expect(slugify('[x402](https://x402.org) v1 and v2')).toBe('x402-v1-and-v2')
    expect(slugify('tollgate_settlements_total')).toBe('tollgate_settlements_total')
  })
})

describe('docs Mermaid blocks', () => {
  const blocks = files.flatMap((file) =>
    splitMarkdown(readFileSync(file, 'utf8'))
      .blocks.filter((block) => block.language === 'mermaid')
      .map((block) => [`${relative(root, file)}:${block.line}`, block.content] as const),
  )

  test('the concepts have their diagrams', () => {
    const names = blocks.map(([name]) => name.split(':')[0])
    expect(
      names.filter((name) => name?.startsWith('docs/concepts/')).length,
    ).toBeGreaterThanOrEqual(2)
  })

  test.each(blocks)('%s is well formed', (_name, content) => {
    expect(checkMermaid(content)).toEqual([])
  })

  test('malformed diagrams are reported', () => {
    expect(checkMermaid('sequenceDigram\n  A->>B: hi')).toEqual([
      'unknown diagram type "sequenceDigram"',
    ])
    expect(
      checkMermaid(
        'sequenceDiagram\n  participant A\n  alt paid\n    A->>B: pay\n  else\n    A->>B: no',
      ),
    ).toEqual(['1 block(s) without "end"'])
    expect(checkMermaid('sequenceDiagram\n  A->>B: hi\n  end')).toEqual([
      '"end" without an open block',
    ])
    expect(checkMermaid('sequenceDiagram\n  A talks to B')).toEqual([
      'not a sequence diagram line: A talks to B',
    ])
    expect(checkMermaid('stateDiagram-v2\n  state A {\n    B --> C\n')).toEqual(['unclosed "{"'])
    expect(checkMermaid('stateDiagram-v2\n  A -> B')).toEqual(['not a state diagram line: A -> B'])
    expect(checkMermaid('flowchart LR\n  A[x] --> B(y]')).toEqual(['unbalanced "]"'])
    expect(
      checkMermaid(
        'stateDiagram-v2\n  [*] --> verified\n  verified --> queued: settle\n  queued --> [*]\n  note right of queued\n    durable\n  end note',
      ),
    ).toEqual([])
  })
})
