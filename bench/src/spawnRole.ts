import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Hex } from 'viem'
import type { ChildMessage, ParentMessage, RoleConfig } from './roles.js'

const childEntry = fileURLToPath(new URL('./child.ts', import.meta.url))
const rootTsconfig = fileURLToPath(new URL('../../tsconfig.json', import.meta.url))

export type SpawnedRole = {
  url: string
  pid: number
  /** Mined settlement transactions of our facilitator (empty for other roles). */
  transactions(): Promise<Hex[]>
  stop(): Promise<void>
}

/** A child process loading a role's modules, waiting for its config. */
export type ForkedRole = {
  pid: number
  /** Sends the config; resolves once the server listens. */
  start(config: RoleConfig): Promise<SpawnedRole>
  /** Stops the child (started or not). */
  stop(): Promise<void>
}

export type ForkRoleParameters = {
  /** Write a V8 CPU profile of the child into this directory when it stops. */
  cpuProfileDir?: string | undefined
}

function request<type extends ChildMessage['type']>(
  child: ChildProcess,
  message: ParentMessage | undefined,
  type: type,
  label: string,
): Promise<Extract<ChildMessage, { type: type }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: ChildMessage) => {
      if (reply.type === type) done(() => resolve(reply as Extract<ChildMessage, { type: type }>))
      else if (reply.type === 'error') done(() => reject(new Error(`${label}: ${reply.message}`)))
    }
    const onExit = (code: number | null, signal: string | null) =>
      done(() => reject(new Error(`${label} exited (code ${code}, signal ${signal})`)))
    function done(settle: () => void) {
      child.off('message', onMessage)
      child.off('exit', onExit)
      settle()
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
    if (message) child.send(message)
  })
}

/**
 * Forks a child process (Node with tsx, resolving `@tollgate/*` to the workspace sources through
 * the root tsconfig) that starts loading the modules of role `kind` at once; `start` then sends
 * its config. Forking a stack's two servers together overlaps their start-up.
 */
export function forkRole(
  kind: RoleConfig['kind'],
  { cpuProfileDir }: ForkRoleParameters = {},
): ForkedRole {
  const child = fork(childEntry, [kind], {
    execArgv: [
      '--import',
      'tsx',
      ...(cpuProfileDir
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${cpuProfileDir}`,
            `--cpu-prof-name=${kind}-${Date.now()}.cpuprofile`,
          ]
        : []),
    ],
    env: { ...process.env, TSX_TSCONFIG_PATH: rootTsconfig },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  let stopping: Promise<void> | undefined
  function stop() {
    stopping ??= (async () => {
      if (exited) return
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.send({ type: 'stop' } satisfies ParentMessage)
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await gone
      clearTimeout(timer)
    })()
    return stopping
  }
  return {
    pid: child.pid!,
    async start(config) {
      if (config.kind !== kind) throw new Error(`forked for ${kind}, started as ${config.kind}`)
      const { url } = await request(child, { type: 'start', config }, 'ready', kind)
      return {
        url,
        pid: child.pid!,
        async transactions() {
          return (await request(child, { type: 'transactions' }, 'transactions', kind)).hashes
        },
        stop,
      }
    },
    stop,
  }
}
