import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Writable } from 'node:stream'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { CliIo } from '../io.js'
import type { Output } from '../output.js'
import { waitForAbort } from '../waitForAbort.js'

/**
 * Serves over stdio until the host closes stdin (or the signal aborts). stdout is the MCP channel:
 * every message written to it is redacted, and nothing else is written there.
 */
export async function serveStdio(
  server: McpServer,
  { io, output }: { io: CliIo; output: Output },
): Promise<void> {
  const stdin = io.stdin ?? process.stdin
  const stdout = {
    write: (text: string) => {
      io.stdout.write(output.redact(text))
      return true
    },
    once: () => stdout,
  } as unknown as Writable
  const transport = new StdioServerTransport(stdin, stdout)
  const ended = new Promise<void>((resolve) => {
    stdin.once('end', resolve)
    stdin.once('close', resolve)
  })
  await server.connect(transport)
  output.progress('serving MCP on stdio')
  await Promise.race([ended, waitForAbort(io.signal)])
  await server.close()
}

/**
 * Serves Streamable HTTP at `http://host:port/mcp` (stateless: a server per request) until the
 * signal aborts; prints the URL on stdout.
 */
export async function serveHttp(
  createServerFor: () => McpServer,
  { io, output, host, port }: { io: CliIo; output: Output; host: string; port: number },
): Promise<void> {
  const http = createServer(async (req, res) => {
    if (req.url?.split('?')[0] !== '/mcp') return void res.writeHead(404).end()
    const server = createServerFor()
    const transport = new StreamableHTTPServerTransport({})
    res.on('close', () => void transport.close().then(() => server.close()))
    try {
      await server.connect(transport)
      await transport.handleRequest(req, res)
    } catch {
      if (!res.headersSent) res.writeHead(500).end()
    }
  })
  await listen(http, host, port)
  const { port: bound } = http.address() as AddressInfo
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}/mcp`
  output.progress(`serving MCP (Streamable HTTP) at ${url}`)
  output.stdout(`${url}\n`)
  await waitForAbort(io.signal)
  await new Promise<void>((resolve) => {
    http.close(() => resolve())
    http.closeAllConnections()
  })
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}
