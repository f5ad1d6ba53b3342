import type { RoleConfig, RunningRole } from './roles.js'
import type { SpawnedRole } from './spawnRole.js'
import { createTimings, type Timings } from './timings.js'

type Start = (config: RoleConfig, timings: Timings | undefined) => Promise<RunningRole>

// The same servers a child process runs, loaded into this one only when the single-process shape
// asks for them.
const loaders: Record<RoleConfig['kind'], () => Promise<Start>> = {
  'reference-facilitator': async () =>
    (await import('./referenceFacilitator.js')).startReferenceFacilitator as Start,
  'reference-api': async () => (await import('./referenceApi.js')).startReferenceApi as Start,
  'tollgate-facilitator': async () =>
    (await import('./tollgateFacilitator.js')).startTollgateFacilitator as Start,
  'tollgate-api': async () => (await import('./tollgateApi.js')).startTollgateApi as Start,
}

/**
 * Starts one server of a stack in this process (the single-process shape): the same code and
 * config as a forked role, its `pid` this process's.
 */
export async function startInProcess(config: RoleConfig): Promise<SpawnedRole> {
  const timings = config.trace ? createTimings() : undefined
  const running = await (await loaders[config.kind]())(config, timings)
  let stopping: Promise<void> | undefined
  return {
    url: running.url,
    pid: process.pid,
    async transactions() {
      return (await running.transactions?.()) ?? []
    },
    stop() {
      stopping ??= running.close().finally(() => {
        if (timings)
          process.stderr.write(`\n-- trace of ${config.kind} (in process)\n${timings.report()}\n`)
      })
      return stopping
    },
  }
}
