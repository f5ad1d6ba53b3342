// The paywall page's script, for a person with a browser wallet (EIP-1193): connect, switch to the
// option's chain, sign the EIP-3009 authorization, request the same URL again with the payment and
// show what was bought. Built into one small inline script (`pageScript.generated.ts`); it reads
// the challenge and the page data from the page's JSON elements and holds no secret.
import type { PageData } from '../pageData.js'
import { useChain } from './chain.js'
import { PageError } from './pageError.js'
import { authorize, type Challenge, paymentHeader } from './payment.js'
import { readRefusal, readTransaction, showContent } from './show.js'
import { hasCode, type Provider, watchWallets } from './wallet.js'

type Stage = 'connect' | 'chain' | 'sign' | 'send'

const declined: Record<Stage, string> = {
  connect: 'You declined to connect your wallet. Nothing was charged.',
  chain: 'You declined to switch networks. Nothing was charged.',
  sign: 'You declined the signature. Nothing was charged.',
  send: 'The payment was not sent. Nothing was charged.',
}

function element<type extends HTMLElement>(id: string): type {
  return document.getElementById(id) as type
}

function readJson<type>(id: string): type {
  return JSON.parse(element(id).textContent ?? 'null') as type
}

const challenge = readJson<Challenge>('x402-payment-required')
const data = readJson<PageData>('tollgate-paywall')
const status = element('tollgate-status')
const result = element('tollgate-result')
const chosenWallet = watchWallets(element<HTMLSelectElement>('tollgate-wallet'))
const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>('button[data-pay]'))
// A signed payment whose answer was lost, per option: paying again re-sends it unchanged (one
// authorization can move the money only once) instead of signing a second one.
const unanswered = new Map<number, [string, string]>()
let busy = false

function say(text: string, failed = false): void {
  status.textContent = text
  status.dataset.state = failed ? 'error' : 'info'
}

function setBusy(value: boolean): void {
  busy = value
  for (const button of buttons) button.disabled = value
}

async function sign(index: number, stage: { at: Stage }): Promise<[string, string]> {
  const provider: Provider | undefined = chosenWallet()
  const chain = data.chains[index]
  const requirement = challenge.accepts[index]
  if (!provider)
    throw new PageError('No browser wallet found: install one, or pay with an x402 client.')
  if (!chain || !requirement) throw new PageError('A wallet cannot pay this option from here.')
  say('Connect your wallet...')
  const [from] = (await provider.request({ method: 'eth_requestAccounts' })) as string[]
  if (typeof from !== 'string') throw new PageError('Your wallet gave no account.')
  stage.at = 'chain'
  say(`Switching your wallet to ${chain.name}...`)
  await useChain(provider, chain)
  stage.at = 'sign'
  say('Sign the payment in your wallet...')
  const { authorization, typedData } = authorize(requirement, {
    from,
    chainId: Number(chain.chainId),
    nowMs: Date.now(),
  })
  const signature = await provider.request({
    method: 'eth_signTypedData_v4',
    params: [from, JSON.stringify(typedData)],
  })
  if (typeof signature !== 'string') throw new PageError('Your wallet gave no signature.')
  return paymentHeader(challenge, requirement, { signature, authorization })
}

async function send(index: number, [name, value]: [string, string]): Promise<void> {
  say('Paying...')
  unanswered.set(index, [name, value])
  let response: Response
  try {
    response = await fetch(location.href, {
      headers: { [name]: value, Accept: 'text/html,application/json;q=0.9,*/*;q=0.8' },
      cache: 'no-store',
      credentials: 'same-origin',
    })
  } catch {
    return say(
      'The server did not answer. Paying again sends the same signed payment, which cannot be charged twice.',
      true,
    )
  }
  unanswered.delete(index)
  if (!response.ok) return say(`The payment was not accepted: ${await readRefusal(response)}`, true)
  const transaction = readTransaction(response)
  say(transaction ? `Paid. Transaction ${transaction}` : 'Paid.')
  await showContent(response, result)
}

async function pay(index: number): Promise<void> {
  if (busy) return
  setBusy(true)
  const stage: { at: Stage } = { at: 'connect' }
  try {
    const header = unanswered.get(index) ?? (await sign(index, stage))
    stage.at = 'send'
    await send(index, header)
  } catch (error) {
    if (error instanceof PageError) say(error.message, true)
    else if (hasCode(error, 4001)) say(declined[stage.at], true)
    else {
      const what = stage.at === 'send' ? 'Paying failed' : 'Your wallet failed'
      say(`${what}: ${(error as Error | undefined)?.message ?? String(error)}`, true)
    }
  } finally {
    setBusy(false)
  }
}

for (const button of buttons) {
  button.disabled = false
  button.addEventListener('click', () => void pay(Number(button.dataset.pay)))
}
