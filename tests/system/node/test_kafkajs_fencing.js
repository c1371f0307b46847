'use strict'
// kafkajs 2.2.4 and a fenced transactional producer, as against Apache Kafka
// 3.x: producer A (transactionalId X) has an open transaction on partition 0;
// producer B with X begins a transaction (its InitProducerId bumps the epoch,
// fences A and aborts A's transaction). kafkajs sends AddPartitionsToTxn, AddOffsetsToTxn
// and EndTxn v1, which predate PRODUCER_FENCED, so Kafka answers every step
// of the zombie INVALID_PRODUCER_EPOCH, a non-retriable error kafkajs throws
// at once:
//   - A's send to partition 0 (Produce with the old epoch),
//   - A's send to partition 1 (AddPartitionsToTxn),
//   - A's sendOffsets (AddOffsetsToTxn),
//   - A's commit (EndTxn).
// A's records stay invisible; B's committed ones are read.
const assert = require('assert')
const { Kafka, logLevel } = require('kafkajs')
const { Broker, GROUP_TEST_CONFIG, readAll } = require('./broker')

const TOPIC = 'kjs-fence'
const TXN_ID = 'kjs-fence-id'

// The protocol error type of a kafkajs failure (it may wrap the broker's).
function errorType(e) {
  for (let x = e; x; x = x.cause || x.originalError) if (x.type) return x.type
  return e && e.name
}

async function expectFenced(what, fn) {
  let err = null
  try {
    await fn()
  } catch (e) {
    err = e
  }
  assert.ok(err, `${what} did not fail`)
  assert.strictEqual(errorType(err), 'INVALID_PRODUCER_EPOCH', `${what}: ${err && err.stack}`)
  assert.strictEqual(err.retriable, false, `${what}: retriable error ${err}`)
  return errorType(err)
}

async function zombie(kafka, suffix) {
  const a = kafka.producer({ transactionalId: TXN_ID + suffix, idempotent: true, maxInFlightRequests: 1, retry: { retries: 2, initialRetryTime: 50 } })
  await a.connect()
  const txn = await a.transaction()
  await txn.send({ topic: TOPIC, messages: [{ partition: 0, value: 'a-0' }] })
  const b = kafka.producer({ transactionalId: TXN_ID + suffix, idempotent: true, maxInFlightRequests: 1 })
  await b.connect()
  // kafkajs sends a transactional InitProducerId on the first transaction():
  // this fences A.
  const bt = await b.transaction()
  return { a, txn, b, bt }
}

async function main() {
  const broker = new Broker({ config: GROUP_TEST_CONFIG })
  await broker.start()
  try {
    const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'spate-kafkajs-fence', logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] })

    const seen = []
    {
      const { a, txn, b, bt } = await zombie(kafka, '-produce')
      seen.push(await expectFenced('send to a partition of the transaction', () =>
        txn.send({ topic: TOPIC, messages: [{ partition: 0, value: 'a-late' }] })))
      seen.push(await expectFenced('commit', () => txn.commit()))
      await bt.send({ topic: TOPIC, messages: [{ partition: 0, value: 'b-0' }] })
      await bt.commit()
      await a.disconnect()
      await b.disconnect()
    }
    {
      const { a, txn, b } = await zombie(kafka, '-add')
      seen.push(await expectFenced('send to a new partition', () =>
        txn.send({ topic: TOPIC, messages: [{ partition: 1, value: 'a-1' }] })))
      await a.disconnect()
      await b.disconnect()
    }
    {
      const { a, txn, b } = await zombie(kafka, '-offsets')
      seen.push(await expectFenced('sendOffsets', () =>
        txn.sendOffsets({ consumerGroupId: 'kjs-fence-g', topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '1' }] }] })))
      await a.disconnect()
      await b.disconnect()
    }
    const { seen: committed } = await readAll(kafka, TOPIC, 1, { groupId: 'kjs-fence-reader', settleMs: 500 })
    assert.deepStrictEqual([...committed], [[0, ['b-0']]], `read_committed values ${JSON.stringify([...committed])}`)
    await admin.disconnect()
    console.log(`fenced producer errors: ${seen.join(', ')}`)
  } finally {
    await broker.stop()
  }
}

// The fenced producers leave kafkajs timers behind that would keep node
// alive for their request timeout: exit once done.
main().then(() => process.exit(0)).catch(e => {
  console.error(e)
  process.exit(1)
})
