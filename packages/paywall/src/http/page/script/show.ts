// What the person gets for their payment: HTML becomes the page (under the paywall page's Content
// Security Policy, so its scripts do not run), JSON is pretty-printed, other text is shown as it
// is, anything else is offered as a download.

/** Shows a paid response in place of the paywall. */
export async function showContent(response: Response, result: HTMLElement): Promise<void> {
  const type = (response.headers.get('content-type') ?? '').toLowerCase()
  if (type.startsWith('text/html')) {
    const html = await response.text()
    document.open()
    document.write(html)
    document.close()
    return
  }
  if (/^application\/([\w.+-]+\+)?json/.test(type)) {
    const text = await response.text()
    result.replaceChildren(preformatted(prettyJson(text)))
    return
  }
  if (type.startsWith('text/')) {
    result.replaceChildren(preformatted(await response.text()))
    return
  }
  const link = document.createElement('a')
  link.href = URL.createObjectURL(await response.blob())
  link.download = fileName(response)
  link.textContent = `Download ${link.download}`
  result.replaceChildren(link)
}

function preformatted(text: string): HTMLPreElement {
  const pre = document.createElement('pre')
  pre.textContent = text
  return pre
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

/** The name a download gets: `Content-Disposition`'s, else the URL's last segment. */
function fileName(response: Response): string {
  const disposition = response.headers.get('content-disposition') ?? ''
  const named = /filename="?([^";]+)"?/i.exec(disposition)?.[1]
  const last = new URL(response.url || location.href).pathname.split('/').pop()
  return named ?? (last || 'download')
}

/**
 * The transaction of a settlement (`PAYMENT-RESPONSE`, or v1 `X-PAYMENT-RESPONSE`), when the
 * response carries one that reads.
 */
export function readTransaction(response: Response): string | undefined {
  const header =
    response.headers.get('PAYMENT-RESPONSE') ?? response.headers.get('X-PAYMENT-RESPONSE')
  if (!header) return undefined
  try {
    const bytes = Uint8Array.from(atob(header), (char) => char.charCodeAt(0))
    const { transaction } = JSON.parse(new TextDecoder().decode(bytes)) as { transaction?: unknown }
    return typeof transaction === 'string' && transaction ? transaction : undefined
  } catch {
    return undefined
  }
}

/** One sentence on a refused payment: the server's `message`, else its `error`, else the status. */
export async function readRefusal(response: Response): Promise<string> {
  const text = await response.text().catch(() => '')
  try {
    const { message, error } = JSON.parse(text) as { message?: unknown; error?: unknown }
    if (typeof message === 'string' && message) return message
    if (typeof error === 'string' && error) return error
  } catch {}
  return `HTTP ${response.status}`
}
