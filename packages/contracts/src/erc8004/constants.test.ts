import {
  type Abi,
  keccak256,
  toEventSelector,
  toEventSignature,
  toFunctionSelector,
  toFunctionSignature,
  toHex,
} from 'viem'
import { describe, expect, test } from 'vitest'
import { identityRegistryAbi } from '../generated/IdentityRegistry.js'
import { reputationRegistryAbi } from '../generated/ReputationRegistry.js'
import { validationRegistryAbi } from '../generated/ValidationRegistry.js'
import {
  agentWalletKey,
  agentWalletKeyHash,
  agentWalletSetTypehash,
  agentWalletSetTypes,
  identityRegistryEventTopics,
  identityRegistrySelectors,
  registrationType,
  reputationRegistryEventTopics,
  reputationRegistrySelectors,
  validationRegistryEventTopics,
  validationRegistrySelectors,
} from './constants.js'

/** The reference values recorded in the research notes (shared/research/erc8004.md §1, §6). */
const research = {
  selectors: {
    'register()': '0x1aa3a008',
    'register(string)': '0xf2c298be',
    'register(string,(string,bytes)[])': '0x8ea42286',
    'setAgentURI(uint256,string)': '0x0af28bd3',
    'setMetadata(uint256,string,bytes)': '0x466648da',
    'getMetadata(uint256,string)': '0xcb4799f2',
    'setAgentWallet(uint256,address,uint256,bytes)': '0x2d1ef5ae',
    'getAgentWallet(uint256)': '0x00339509',
    'unsetAgentWallet(uint256)': '0x3fddcf19',
    'giveFeedback(uint256,int128,uint8,string,string,string,string,bytes32)': '0x3c036a7e',
    'revokeFeedback(uint256,uint64)': '0x4ab3ca99',
    'appendResponse(uint256,address,uint64,string,bytes32)': '0xc2349ab2',
    'getSummary(uint256,address[],string,string)': '0x81bbba58',
    'readFeedback(uint256,address,uint64)': '0x232b0810',
    'readAllFeedback(uint256,address[],string,string,bool)': '0xd9d84224',
  },
  topics: {
    Registered: '0xca52e62c367d81bb2e328eb795f7c7ba24afb478408a26c0e201d155c449bc4a',
    MetadataSet: '0x2c149ed548c6d2993cd73efe187df6eccabe4538091b33adbd25fafdb8a1468b',
    URIUpdated: '0x3a2c7fffc2cba7582c690e3b82c453ea02a308326a98a3ad7576c606336409fb',
    NewFeedback: '0x6a4a61743519c9d648a14e6493f47dbe3ff1aa29e7785c96c8326a205e58febc',
  },
  agentWalletKeyHash: '0x2ac6109326e720d1435c0db66f7e35eda7839f52b6f1f5520a60788e132b4e39',
  agentWalletSetTypehash: '0x678b53cd718d595370ab070ebf48edfdcd834beac116bf23e625fc7f4d5b7d32',
  registrationType: 'https://eips.ethereum.org/EIPS/eip-8004#registration-v1',
} as const

const abis = {
  identity: identityRegistryAbi as Abi,
  reputation: reputationRegistryAbi as Abi,
  validation: validationRegistryAbi as Abi,
}
const allAbis = [...abis.identity, ...abis.reputation, ...abis.validation]

/** Selector of each function of an ABI, keyed by canonical signature. */
function selectorsOf(abi: Abi): Record<string, string> {
  return Object.fromEntries(
    abi
      .filter((item) => item.type === 'function')
      .map((item) => [toFunctionSignature(item), toFunctionSelector(item)]),
  )
}

/** topic0 of each event of an ABI, keyed by name. */
function topicsOf(abi: Abi): Record<string, string> {
  return Object.fromEntries(
    abi.filter((item) => item.type === 'event').map((item) => [item.name, toEventSelector(item)]),
  )
}

/** ERC-721, ERC-165, ERC-4906 and ERC-5267 members inherited from OpenZeppelin. */
const inheritedFunctions = [
  'approve(address,uint256)',
  'balanceOf(address)',
  'getApproved(uint256)',
  'isApprovedForAll(address,address)',
  'name()',
  'ownerOf(uint256)',
  'safeTransferFrom(address,address,uint256)',
  'safeTransferFrom(address,address,uint256,bytes)',
  'setApprovalForAll(address,bool)',
  'supportsInterface(bytes4)',
  'symbol()',
  'tokenURI(uint256)',
  'transferFrom(address,address,uint256)',
]
const inheritedEvents = [
  'Approval',
  'ApprovalForAll',
  'BatchMetadataUpdate',
  'EIP712DomainChanged',
  'MetadataUpdate',
  'Transfer',
]

describe('selectors', () => {
  test('every selector the research records is what our ABIs produce', () => {
    const ours = { ...selectorsOf(abis.identity), ...selectorsOf(abis.reputation) }
    for (const [signature, selector] of Object.entries(research.selectors))
      expect({ signature, selector: ours[signature] }).toEqual({ signature, selector })
  })

  test('the exported selector tables equal the ABIs exactly (nothing missing, nothing extra)', () => {
    const identity = selectorsOf(abis.identity)
    for (const signature of inheritedFunctions) {
      expect(identity).toHaveProperty([signature])
      delete identity[signature]
    }
    expect(identity).toEqual(identityRegistrySelectors)
    expect(selectorsOf(abis.reputation)).toEqual(reputationRegistrySelectors)
    expect(selectorsOf(abis.validation)).toEqual(validationRegistrySelectors)
  })

  test('the exported tables agree with the research values they share', () => {
    const exported: Record<string, string> = {
      ...identityRegistrySelectors,
      ...reputationRegistrySelectors,
    }
    for (const [signature, selector] of Object.entries(research.selectors))
      expect(exported[signature]).toBe(selector)
  })
})

describe('event topics', () => {
  test('every topic0 the research records is what our ABIs produce', () => {
    const ours = topicsOf(allAbis)
    for (const [name, topic] of Object.entries(research.topics))
      expect({ name, topic: ours[name] }).toEqual({ name, topic })
  })

  test('the exported topic tables equal the ABIs exactly', () => {
    const identity = topicsOf(abis.identity)
    for (const name of inheritedEvents) {
      expect(identity).toHaveProperty([name])
      delete identity[name]
    }
    expect(identity).toEqual(identityRegistryEventTopics)
    expect(topicsOf(abis.reputation)).toEqual(reputationRegistryEventTopics)
    expect(topicsOf(abis.validation)).toEqual(validationRegistryEventTopics)
  })

  test('event layouts (canonical signature and indexed parameters) match the reference', () => {
    const layouts = Object.fromEntries(
      allAbis
        .filter((item) => item.type === 'event' && !inheritedEvents.includes(item.name))
        .map((item) => {
          if (item.type !== 'event') throw new Error('unreachable')
          return [
            toEventSignature(item),
            item.inputs.map((input) => `${input.indexed ? 'indexed ' : ''}${input.name}`),
          ]
        }),
    )
    expect(layouts).toMatchInlineSnapshot(`
      {
        "FeedbackRevoked(uint256,address,uint64)": [
          "indexed agentId",
          "indexed clientAddress",
          "indexed feedbackIndex",
        ],
        "MetadataSet(uint256,string,string,bytes)": [
          "indexed agentId",
          "indexed indexedMetadataKey",
          "metadataKey",
          "metadataValue",
        ],
        "NewFeedback(uint256,address,uint64,int128,uint8,string,string,string,string,string,bytes32)": [
          "indexed agentId",
          "indexed clientAddress",
          "feedbackIndex",
          "value",
          "valueDecimals",
          "indexed indexedTag1",
          "tag1",
          "tag2",
          "endpoint",
          "feedbackURI",
          "feedbackHash",
        ],
        "Registered(uint256,string,address)": [
          "indexed agentId",
          "agentURI",
          "indexed owner",
        ],
        "ResponseAppended(uint256,address,uint64,address,string,bytes32)": [
          "indexed agentId",
          "indexed clientAddress",
          "feedbackIndex",
          "indexed responder",
          "responseURI",
          "responseHash",
        ],
        "URIUpdated(uint256,string,address)": [
          "indexed agentId",
          "newURI",
          "indexed updatedBy",
        ],
        "ValidationRequest(address,uint256,string,bytes32)": [
          "indexed validatorAddress",
          "indexed agentId",
          "requestURI",
          "indexed requestHash",
        ],
        "ValidationResponse(address,uint256,bytes32,uint8,string,bytes32,string)": [
          "indexed validatorAddress",
          "indexed agentId",
          "indexed requestHash",
          "response",
          "responseURI",
          "responseHash",
          "tag",
        ],
      }
    `)
  })
})

describe('agentWallet and registration constants', () => {
  test('agentWalletKeyHash is keccak256 of the reserved key', () => {
    expect(keccak256(toHex(agentWalletKey))).toBe(agentWalletKeyHash)
    expect(agentWalletKeyHash).toBe(research.agentWalletKeyHash)
  })

  test('the AgentWalletSet types encode to the reference typehash', () => {
    const fields = agentWalletSetTypes.AgentWalletSet.map(({ type, name }) => `${type} ${name}`)
    const encodedType = `AgentWalletSet(${fields.join(',')})`
    expect(encodedType).toBe(
      'AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)',
    )
    expect(keccak256(toHex(encodedType))).toBe(agentWalletSetTypehash)
    expect(agentWalletSetTypehash).toBe(research.agentWalletSetTypehash)
  })

  test('registrationType is the ERC-8004 registration-v1 type', () => {
    expect(registrationType).toBe(research.registrationType)
  })
})
