// The `tollgate` executable: the process's streams, environment and signals around `run`.
import { run } from './run.js'

const controller = new AbortController()
let signals = 0
const stop = () => {
  // A second Ctrl-C while shutting down quits at once.
  if (++signals > 1) process.exit(130)
  controller.abort()
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
// A reader that went away (a closed pipe) must not crash the process before it cleans up.
process.stdout.on('error', () => {})
process.stderr.on('error', () => {})

const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
})
process.exitCode = code
process.off('SIGINT', stop)
process.off('SIGTERM', stop)
// Leftover keep-alive sockets or timers of libraries must not hold the process open.
setTimeout(() => process.exit(code), 1_000).unref()
