'use strict'
// kafkajs 2.2.4 consumer groups: three consumers share a 6-partition topic
// (2 partitions each, disjoint), read 1200 records exactly once and commit
// (autoCommitThreshold 1: after every batch); the committed offsets
// (admin.fetchOffsets) reach the end of every partition; one consumer
// disconnects (LeaveGroup) and the other two take over its partitions well
// before the session timeout, continuing exactly at the committed offsets:
// the next 600 records are read exactly once and nothing is re-read.
// The broker runs with group.initial.rebalance.delay.ms=0 (GROUP_TEST_CONFIG).
const assert = require('assert')
const { Kafka, logLevel } = require('kafkajs')
const { Broker, GROUP_TEST_CONFIG } = require('./broker')

const TOPIC = 'kjs-group'
const GROUP = 'kjs-group-g'
const PARTITIONS = 6
const SESSION_MS = 10000

function sleep(ms) {
  return new Promise(r => setTimeout(r, ms))
}

async function waitFor(what, timeoutMs, cond) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await cond()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`)
    await sleep(50)
  }
}

class Member {
  constructor(kafka, name, reads) {
    this.name = name
    this.reads = reads // shared: [{ who, partition, offset, value }]
    this.joins = [] // assignment (partition list) per GROUP_JOIN
    this.consumer = kafka.consumer({
      groupId: GROUP,
      sessionTimeout: SESSION_MS,
      heartbeatInterval: 300,
      maxWaitTimeInMs: 100,
      retry: { retries: 10, initialRetryTime: 100 },
    })
    this.consumer.on(this.consumer.events.GROUP_JOIN, e => {
      this.joins.push((e.payload.memberAssignment[TOPIC] || []).slice().sort((a, b) => a - b))
    })
    this.crashed = null
    this.consumer.on(this.consumer.events.CRASH, e => {
      this.crashed = e.payload.error
    })
  }

  assignment() {
    return this.joins.length ? this.joins[this.joins.length - 1] : []
  }

  async start() {
    await this.consumer.connect()
    await this.consumer.subscribe({ topics: [TOPIC], fromBeginning: true })
    await this.consumer.run({
      autoCommitThreshold: 1,
      eachMessage: async ({ partition, message }) => {
        this.reads.push({ who: this.name, partition, offset: Number(message.offset), value: message.value.toString() })
      },
    })
  }

  async stop() {
    await this.consumer.disconnect()
  }
}

function describe(members) {
  return members.map(m => `${m.name}=[${m.assignment()}]`).join(' ')
}

// Assignments disjoint, covering every partition, `each` partitions apiece.
function balanced(members, each) {
  const all = members.flatMap(m => m.assignment())
  return members.every(m => m.assignment().length === each) && new Set(all).size === PARTITIONS && all.length === PARTITIONS
}

async function produce(kafka, prefix, n) {
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const messages = []
  for (let i = 0; i < n; i++) messages.push({ value: `${prefix}-${i}`, partition: i % PARTITIONS })
  await producer.send({ topic: TOPIC, acks: -1, messages })
  await producer.disconnect()
}

async function committed(admin) {
  const res = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] })
  const out = {}
  for (const p of res[0].partitions) out[p.partition] = Number(p.offset)
  return out
}

async function endOffsets(admin) {
  const out = {}
  for (const p of await admin.fetchTopicOffsets(TOPIC)) out[p.partition] = Number(p.high)
  return out
}

async function main() {
  const b = new Broker({ config: GROUP_TEST_CONFIG })
  const members = []
  try {
    await b.start()
    const kafka = new Kafka({ brokers: [b.bootstrap], clientId: 'spate-kafkajs-groups', logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true })

    const reads = []
    for (const name of ['k1', 'k2', 'k3']) members.push(new Member(kafka, name, reads))
    await Promise.all(members.map(m => m.start()))
    await waitFor(() => `3 consumers with 2 partitions each: ${describe(members)}`, 60000, () => balanced(members, 2))
    assert.strictEqual(reads.length, 0, 'records read before any were produced')
    const before = Object.fromEntries(members.map(m => [m.name, m.assignment()]))

    // 1. 1200 records, each read once, by the owner of its partition.
    await produce(kafka, 'a', 1200)
    await waitFor(() => `1200 records (read ${reads.length})`, 30000, () => reads.length >= 1200)
    await sleep(500)
    assert.strictEqual(reads.length, 1200, `read ${reads.length} records for 1200`)
    assert.strictEqual(new Set(reads.map(r => `${r.partition}/${r.offset}`)).size, 1200, 'a record was read twice')
    assert.deepStrictEqual(new Set(reads.map(r => r.value)), new Set(Array.from({ length: 1200 }, (_, i) => `a-${i}`)))
    for (const r of reads) {
      assert.ok(before[r.who].includes(r.partition), `${r.who} read partition ${r.partition}, assigned ${before[r.who]}`)
    }
    for (const m of members) assert.ok(balanced(members, 2) && m.joins.length >= 1, 'rebalanced while consuming')
    console.log(`verified: 3 kafkajs consumers ${describe(members)} read 1200 records exactly once`)

    // 2. Commits reach the end of every partition.
    const ends = await endOffsets(admin)
    let got = null
    await waitFor(() => `committed offsets ${JSON.stringify(got)} to reach ${JSON.stringify(ends)}`, 15000, async () => {
      got = await committed(admin)
      return JSON.stringify(got) === JSON.stringify(ends)
    })
    console.log(`verified: committed offsets ${JSON.stringify(got)} = partition ends`)

    // 3. k3 leaves; k1 and k2 take over its partitions.
    const leaver = members.pop()
    const leftParts = leaver.assignment()
    const joinsBefore = members.map(m => m.joins.length)
    const t0 = Date.now()
    await leaver.stop()
    await waitFor(() => `k1 and k2 to own all partitions: ${describe(members)}`, SESSION_MS + 10000,
      () => members.every((m, i) => m.joins.length > joinsBefore[i]) && balanced(members, 3))
    const took = Date.now() - t0
    assert.ok(took < SESSION_MS / 2, `takeover after disconnect took ${took} ms (session ${SESSION_MS} ms): LeaveGroup ignored?`)
    const readsBefore = reads.length
    await produce(kafka, 'b', 600)
    await waitFor(() => `600 more records (read ${reads.length - readsBefore})`, 30000, () => reads.length >= readsBefore + 600)
    await sleep(500)
    const after = reads.slice(readsBefore)
    assert.strictEqual(after.length, 600, `after the leave read ${after.length} records for 600 new (old ones re-read?)`)
    assert.deepStrictEqual(new Set(after.map(r => r.value)), new Set(Array.from({ length: 600 }, (_, i) => `b-${i}`)))
    for (const p of leftParts) {
      const first = Math.min(...after.filter(r => r.partition === p).map(r => r.offset))
      assert.strictEqual(first, ends[p], `partition ${p} (k3's) resumed at ${first}, committed ${ends[p]}`)
      assert.ok(after.filter(r => r.partition === p).every(r => r.who !== 'k3'), `k3 read after leaving`)
    }
    console.log(`verified: k3 left, ${describe(members)} took over its partitions [${leftParts}] in ${took} ms and read the 600 new records exactly once from the committed offsets`)
    for (const m of members) assert.strictEqual(m.crashed, null, `${m.name} crashed: ${m.crashed}`)

    await Promise.all(members.map(m => m.stop()))
    members.length = 0
    await admin.disconnect()
    await b.stop()
    console.log('ok')
  } catch (e) {
    console.error(e)
    console.error('--- broker output:\n' + b.output.slice(-30).join('\n'))
    process.exitCode = 1
  } finally {
    for (const m of members) await m.stop().catch(() => {})
    b.cleanup()
  }
}

// kafkajs leaves timers behind that keep node alive for ~17 s after the end.
main().then(() => process.exit(process.exitCode || 0))
