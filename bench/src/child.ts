// A child process running one server of one stack. The parent sends `start` with the role's
// config over IPC; the child answers `ready` with its URL, and exits after `stop`.
import type { ChildMessage, ParentMessage, RoleConfig, RunningRole } from './roles.js'
import { createTimings, type Timings } from './timings.js'
import { traceFetch } from './traceFetch.js'

type Start = (config: RoleConfig, timings: Timings | undefined) => Promise<RunningRole>

// Only the role's own stack is loaded (the reference packages or ours), as soon as the process
// starts, while the parent may still be waiting for another server.
const loaders: Record<RoleConfig['kind'], () => Promise<Start>> = {
  'reference-facilitator': async () =>
    (await import('./referenceFacilitator.js')).startReferenceFacilitator as Start,
  'reference-api': async () => (await import('./referenceApi.js')).startReferenceApi as Start,
  'tollgate-facilitator': async () =>
    (await import('./tollgateFacilitator.js')).startTollgateFacilitator as Start,
  'tollgate-api': async () => (await import('./tollgateApi.js')).startTollgateApi as Start,
}
const kind = process.argv[2] as RoleConfig['kind']
const loading = loaders[kind]()
// Reported when the parent asks to start; never an unhandled rejection before that.
loading.catch(() => {})

async function start(config: RoleConfig, timings: Timings | undefined): Promise<RunningRole> {
  return (await loading)(config, timings)
}

function send(message: ChildMessage): void {
  process.send?.(message)
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error)
}

let running: RunningRole | undefined
let timings: Timings | undefined
let label = 'child'

process.on('message', (message: ParentMessage) => {
  if (message.type === 'start') {
    label = message.config.kind
    if (message.config.trace) {
      timings = createTimings()
      traceFetch(timings)
    }
    start(message.config, timings)
      .then((role) => {
        running = role
        send({ type: 'ready', url: role.url })
      })
      .catch((error: unknown) => send({ type: 'error', message: errorMessage(error) }))
  } else if (message.type === 'transactions') {
    Promise.resolve(running?.transactions?.() ?? [])
      .then((hashes) => send({ type: 'transactions', hashes }))
      .catch((error: unknown) => send({ type: 'error', message: errorMessage(error) }))
  } else if (message.type === 'stop') {
    Promise.resolve(running?.close())
      .catch((error: unknown) => process.stderr.write(`close failed: ${errorMessage(error)}\n`))
      .finally(() => {
        if (timings)
          process.stderr.write(`\n-- trace of ${label} (pid ${process.pid})\n${timings.report()}\n`)
        send({ type: 'stopped' })
        // Exiting normally (not killed) lets `--cpu-prof` write its profile.
        process.disconnect?.()
        setTimeout(() => process.exit(0), 50).unref()
      })
  }
})
// The parent died: nothing is left to serve.
process.on('disconnect', () => setTimeout(() => process.exit(0), 200).unref())
