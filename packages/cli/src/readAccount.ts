import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Hex, PrivateKeyAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { KeyError } from './errors.js'
import type { Output } from './output.js'

export type ReadAccountParameters = {
  /** `--key-file`: a file holding the hex private key (whitespace around it is ignored). */
  keyFile?: string | undefined
  env?: Readonly<Record<string, string | undefined>> | undefined
  cwd?: string | undefined
}

/** The variable read when no key file is given. */
const keyVariable = 'TOLLGATE_PRIVATE_KEY'
const keyPattern = /^(0x)?[0-9a-fA-F]{64}$/

/**
 * The account of a private key from `--key-file` or the environment. The key is registered as a
 * secret of `output` before anything else happens, and no error ever quotes it.
 */
export async function readAccount(
  output: Output,
  { keyFile, env = {}, cwd = process.cwd() }: ReadAccountParameters,
): Promise<PrivateKeyAccount> {
  let text: string
  if (keyFile !== undefined) {
    try {
      text = await readFile(resolve(cwd, keyFile), 'utf8')
    } catch (cause) {
      const fileError = (cause as { code?: unknown }).code
      throw new KeyError({
        reason: 'unreadable',
        keyFile,
        fileError: typeof fileError === 'string' ? fileError : undefined,
      })
    }
  } else if (env[keyVariable]) {
    text = env[keyVariable] ?? ''
  } else {
    throw new KeyError({ reason: 'missing', variable: keyVariable })
  }
  const key = text.trim()
  if (key) output.addSecret(key)
  if (!keyPattern.test(key))
    throw new KeyError({
      reason: 'malformed',
      ...(keyFile === undefined ? { variable: keyVariable } : { keyFile }),
    })
  const hex = (key.startsWith('0x') ? key : `0x${key}`) as Hex
  return privateKeyToAccount(hex)
}
