'use strict'
// kafkajs 2.2.4 idempotent producer (idempotent: true, one request in
// flight): InitProducerId hands it a producer id, 3000 records in 60 sends go
// to 3 partitions with increasing sequences (acks=all), and they read back
// exactly once in order. (Retries of answered batches are covered by
// test_idempotence.py, which cuts connections under librdkafka.)
const assert = require('assert')
const { Kafka, logLevel } = require('kafkajs')
const { Broker, readAll: readAllRecords } = require('./broker')

const TOPIC = 'kjs-idem'
const PARTITIONS = 3
const SENDS = 60
const PER_SEND = 50

async function readAll(kafka, total) {
  const { seen, count } = await readAllRecords(kafka, TOPIC, total, { groupId: 'kjs-idem-reader', settleMs: 500 })
  for (const [p, values] of seen) seen.set(p, values.map(Number))
  return { seen, count }
}

async function main() {
  const b = new Broker()
  await b.start()
  try {
    const kafka = new Kafka({ brokers: [b.bootstrap], clientId: 'spate-kafkajs-idem', logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] })
    await admin.disconnect()

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    let next = 0
    const firstOffsets = []
    for (let s = 0; s < SENDS; ++s) {
      const messages = []
      for (let i = 0; i < PER_SEND; ++i, ++next) messages.push({ partition: next % PARTITIONS, value: String(next) })
      const res = await producer.send({ topic: TOPIC, acks: -1, messages })
      for (const r of res) assert.strictEqual(r.errorCode, 0, `send ${s}: error ${r.errorCode}`)
      if (s === 0) firstOffsets.push(...res.map(r => [r.partition, r.baseOffset]))
    }
    await producer.disconnect()

    const total = SENDS * PER_SEND
    const { seen, count } = await readAll(kafka, total)
    assert.strictEqual(count, total, `read ${count} records, produced ${total}`)
    for (let p = 0; p < PARTITIONS; ++p) {
      const expected = []
      for (let v = p; v < total; v += PARTITIONS) expected.push(v)
      assert.deepStrictEqual(seen.get(p), expected, `partition ${p}: records missing, duplicated or out of order`)
    }
    assert.strictEqual(firstOffsets.length, PARTITIONS)
    console.log(`kafkajs idempotent producer: ${total} records exactly once in order over ${PARTITIONS} partitions`)
  } finally {
    await b.stop()
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
