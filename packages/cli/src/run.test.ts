import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { runCli } from '../test/cli.js'
import { version } from './version.js'

describe('run', () => {
  test('no command: the usage on stdout, exit 2; --help: exit 0', async () => {
    const none = await runCli([])
    expect(none.code).toBe(2)
    expect(none.stdout).toContain('Usage: tollgate <command> [options]')
    for (const name of ['dev', 'facilitator', 'pay', 'agent'])
      expect(none.stdout).toMatch(new RegExp(`^ {2}${name} +\\S`, 'm'))
    expect((await runCli(['--help'])).code).toBe(0)
  })

  test('an unknown command: exit 2 and a hint', async () => {
    expect(await runCli(['deploy'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tollgate: unknown command "deploy"\n  Run tollgate --help for the commands.\n',
    })
  })

  test('--version is the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    expect(version).toBe(pkg.version)
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
  })

  test('dev: --help with examples; an unknown flag is a usage error, also in --json', async () => {
    const help = await runCli(['dev', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Examples:')
    expect(await runCli(['dev', '--fast'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "tollgate dev: Unknown option '--fast'.\n  Run with --help for usage.\n",
    })
    const json = await runCli(['dev', 'extra', '--json'])
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout).error.code).toBe('TOLLGATE_CLI_USAGE')
  })
})
