'use strict'
// kafkajs 2.2.4 transactional producer (transactionalId, idempotent, one
// request in flight) over 2 partitions:
//   txn 1: send c1-* , sendOffsets(group, src:0 → 5), commit
//   txn 2: send ab-* , sendOffsets(group, src:0 → 9), abort
//   txn 3: send c3-* , sendOffsets(group, src:0 → 7); the group's offset is
//          still 5 while it is open (admin.fetchOffsets); commit
// A readUncommitted:false consumer then reads exactly c1-* and c3-* in order
// per partition (none of ab-*), a readUncommitted:true consumer all three,
// and admin.fetchOffsets shows 5 after txn 1, 5 after the abort, 7 at the end.
const assert = require('assert')
const { Kafka, logLevel } = require('kafkajs')
const { Broker, GROUP_TEST_CONFIG, readAll: readAllRecords } = require('./broker')

const TOPIC = 'kjs-txn'
const SRC = 'kjs-txn-src'
const GROUP = 'kjs-txn-g'
const PARTITIONS = 2
const PER_TXN = 20

function readAll(kafka, readUncommitted, total) {
  return readAllRecords(kafka, TOPIC, total, { groupId: `kjs-txn-reader-${readUncommitted}`, readUncommitted })
}

function batch(prefix) {
  const messages = []
  for (let i = 0; i < PER_TXN; ++i) messages.push({ partition: i % PARTITIONS, value: `${prefix}-${i}` })
  return messages
}

function expectedFor(partition, ...prefixes) {
  const out = []
  for (const prefix of prefixes) {
    for (let i = partition; i < PER_TXN; i += PARTITIONS) out.push(`${prefix}-${i}`)
  }
  return out
}

async function groupOffset(admin) {
  const res = await admin.fetchOffsets({ groupId: GROUP, topics: [SRC] })
  assert.strictEqual(res.length, 1)
  const parts = res[0].partitions
  assert.strictEqual(parts.length, 1)
  return Number(parts[0].offset)
}

async function main() {
  const b = new Broker({ config: GROUP_TEST_CONFIG })
  await b.start()
  try {
    const kafka = new Kafka({ brokers: [b.bootstrap], clientId: 'spate-kafkajs-txn', logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }, { topic: SRC, numPartitions: 1 }] })

    const producer = kafka.producer({ transactionalId: 'kjs-txn-producer', idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const offsets = offset => ({ consumerGroupId: GROUP, topics: [{ topic: SRC, partitions: [{ partition: 0, offset: String(offset) }] }] })

    let txn = await producer.transaction()
    await txn.send({ topic: TOPIC, acks: -1, messages: batch('c1') })
    await txn.sendOffsets(offsets(5))
    await txn.commit()
    assert.strictEqual(await groupOffset(admin), 5, 'offset after the committed sendOffsets')

    txn = await producer.transaction()
    await txn.send({ topic: TOPIC, acks: -1, messages: batch('ab') })
    await txn.sendOffsets(offsets(9))
    await txn.abort()
    assert.strictEqual(await groupOffset(admin), 5, 'aborted sendOffsets changed the group offset')

    txn = await producer.transaction()
    await txn.send({ topic: TOPIC, acks: -1, messages: batch('c3') })
    await txn.sendOffsets(offsets(7))
    assert.strictEqual(await groupOffset(admin), 5, 'offsets of an open transaction visible')
    await txn.commit()
    assert.strictEqual(await groupOffset(admin), 7, 'offset after the second committed sendOffsets')
    await producer.disconnect()

    const committed = await readAll(kafka, false, 2 * PER_TXN)
    assert.strictEqual(committed.count, 2 * PER_TXN, `read_committed read ${committed.count} records`)
    for (let p = 0; p < PARTITIONS; ++p) {
      assert.deepStrictEqual(committed.seen.get(p), expectedFor(p, 'c1', 'c3'), `partition ${p} read_committed`)
    }
    const all = await readAll(kafka, true, 3 * PER_TXN)
    assert.strictEqual(all.count, 3 * PER_TXN, `read_uncommitted read ${all.count} records`)
    for (let p = 0; p < PARTITIONS; ++p) {
      assert.deepStrictEqual(all.seen.get(p), expectedFor(p, 'c1', 'ab', 'c3'), `partition ${p} read_uncommitted`)
    }
    assert.strictEqual(await groupOffset(admin), 7, 'group offset at the end')
    await admin.disconnect()
    console.log(`kafkajs transactions: ${2 * PER_TXN} committed records visible to read_committed, ${PER_TXN} aborted ones only to read_uncommitted; group offset 5 → (abort) 5 → 7`)
  } finally {
    try {
      await b.stop()
    } finally {
      b.cleanup()
    }
  }
}

// kafkajs leaves timers behind that keep node alive for ~17 s after the end.
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  },
)
