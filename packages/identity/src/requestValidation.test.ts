import { keccak256, stringToBytes, zeroHash } from 'viem'
import { beforeAll, describe, expect, test } from 'vitest'
import { useRegistries } from '../test/useRegistries.js'
import { InvalidValidationResponseError, ValidationRequestNotFoundError } from './errors.js'
import { getValidationStatus } from './getValidationStatus.js'
import { getValidationSummary } from './getValidationSummary.js'
import { registerAgent } from './registerAgent.js'
import { createRegistrationFile } from './registrationFile.js'
import { requestValidation } from './requestValidation.js'
import { respondToValidation } from './respondToValidation.js'

const chain = useRegistries()
let agentId: bigint

beforeAll(async () => {
  ;({ agentId } = await registerAgent(chain.wallet(0), {
    registry: chain.registries.identityRegistry,
    file: createRegistrationFile({ name: 'validated' }),
    publish: { kind: 'data' },
  }))
})

const validator = () => chain.devnet.accounts[1]!.address
const otherValidator = () => chain.devnet.accounts[2]!.address

describe('validation', () => {
  test('request, respond (repeatedly), status and summary', async () => {
    const registry = chain.registries.validationRegistry
    const request = { task: 'report', input: 'paris', output: 'sunny' }
    const opened = await requestValidation(chain.wallet(0), {
      registry,
      validator: validator(),
      agentId,
      request,
    })
    expect(opened.requestHash).toBe(keccak256(stringToBytes(JSON.stringify(request))))
    expect(opened.requestURI.startsWith('data:application/json;base64,')).toBe(true)

    const pending = await getValidationStatus(chain.devnet.publicClient, {
      registry,
      requestHash: opened.requestHash,
    })
    expect(pending).toMatchObject({ validatorAddress: validator(), agentId, response: 0, tag: '' })
    expect(await getValidationSummary(chain.devnet.publicClient, { registry, agentId })).toEqual({
      count: 0n,
      averageResponse: 0,
    })

    await respondToValidation(chain.wallet(1), {
      registry,
      requestHash: opened.requestHash,
      response: 60,
      tag: 'soft',
    })
    await respondToValidation(chain.wallet(1), {
      registry,
      requestHash: opened.requestHash,
      response: 100,
      responseURI: 'ipfs://bafyproof',
      responseHash: keccak256(stringToBytes('proof')),
      tag: 'hard',
    })
    expect(
      await getValidationStatus(chain.devnet.publicClient, {
        registry,
        requestHash: opened.requestHash,
      }),
    ).toMatchObject({ response: 100, tag: 'hard', responseHash: keccak256(stringToBytes('proof')) })

    const second = await requestValidation(chain.wallet(0), {
      registry,
      validator: otherValidator(),
      agentId,
      requestURI: 'https://agent.example/requests/2.json',
      requestHash: keccak256(stringToBytes('second')),
    })
    await respondToValidation(chain.wallet(2), {
      registry,
      requestHash: second.requestHash,
      response: 51,
      tag: 'hard',
    })
    expect(await getValidationSummary(chain.devnet.publicClient, { registry, agentId })).toEqual({
      count: 2n,
      averageResponse: 75,
    })
    expect(
      await getValidationSummary(chain.devnet.publicClient, {
        registry,
        agentId,
        validators: [otherValidator()],
      }),
    ).toEqual({ count: 1n, averageResponse: 51 })
    expect(
      await getValidationSummary(chain.devnet.publicClient, { registry, agentId, tag: 'soft' }),
    ).toEqual({ count: 0n, averageResponse: 0 })
  })

  test('refusals', async () => {
    const registry = chain.registries.validationRegistry
    await expect(
      requestValidation(chain.wallet(3), {
        registry,
        validator: validator(),
        agentId,
        request: { by: 'stranger' },
      }),
    ).rejects.toThrow(/Not authorized/)
    const { requestHash } = await requestValidation(chain.wallet(0), {
      registry,
      validator: validator(),
      agentId,
      request: { n: 3 },
    })
    await expect(
      requestValidation(chain.wallet(0), {
        registry,
        validator: validator(),
        agentId,
        request: { n: 3 },
      }),
    ).rejects.toThrow(/exists/)
    await expect(
      respondToValidation(chain.wallet(2), { registry, requestHash, response: 100 }),
    ).rejects.toThrow(/not validator/)
    for (const response of [101, -1, 50.5])
      await expect(
        respondToValidation(chain.wallet(1), { registry, requestHash, response }),
      ).rejects.toBeInstanceOf(InvalidValidationResponseError)
    await expect(
      getValidationStatus(chain.devnet.publicClient, { registry, requestHash: zeroHash }),
    ).rejects.toBeInstanceOf(ValidationRequestNotFoundError)
  })
})
