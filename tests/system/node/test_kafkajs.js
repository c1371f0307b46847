'use strict'
// kafkajs 2.2.4: admin createTopics/metadata/describeConfigs, 100,000 records
// per codec with keys, headers and explicit timestamps, read back identical;
// ListOffsets (fetchTopicOffsets, fetchTopicOffsetsByTimestamp), admin
// deleteTopicRecords, and a full re-read after a SIGTERM restart.
// Codecs: none, gzip (built in) and snappy (kafkajs-snappy, pure JS). kafkajs
// has no built-in lz4/zstd and their plugins need native modules, so those two
// are not covered by this client.
// Records are read back with kafkajs group consumers (eachBatch,
// fromBeginning: a new group each time, so reading starts at the log start).
const assert = require('assert')
const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = require('kafkajs')
const SnappyCodec = require('kafkajs-snappy')
const { Broker } = require('./broker')

CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
const N = Number(process.env.SPATE_TEST_RECORDS || 100000)
const BASE_TS = 1700000000000
const CODECS = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy }

function record(i) {
  const headers = { seq: Buffer.from(String(i)) }
  if (i % 3 === 0) headers.kind = Buffer.from('third')
  return {
    key: Buffer.from(`key-${i}`),
    value: Buffer.concat([Buffer.from(`value-${i}-`), Buffer.alloc(i % 97, 'x')]),
    headers,
    timestamp: String(BASE_TS + i),
  }
}

let readGroups = 0

// Records [from, to) of partition 0 of every topic in `ranges` ({topic:
// [from, to]}), read by one kafkajs group consumer (a new group, so
// fromBeginning starts at each log start) with eachBatch: {topic: messages}.
async function readTopics(kafka, ranges) {
  const consumer = kafka.consumer({
    groupId: `kjs-read-${++readGroups}`,
    maxWaitTimeInMs: 100,
    maxBytes: 16 * 1024 * 1024,
    maxBytesPerPartition: 8 * 1024 * 1024,
  })
  const out = Object.fromEntries(Object.keys(ranges).map(t => [t, []]))
  const want = Object.values(ranges).reduce((n, [from, to]) => n + to - from, 0)
  let have = 0
  let done
  const finished = new Promise(resolve => {
    done = resolve
  })
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: Object.keys(ranges), fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        assert.strictEqual(batch.partition, 0)
        const [from, to] = ranges[batch.topic]
        for (const m of batch.messages) {
          // Below `from`: only re-delivered parts of compressed batches.
          if (Number(m.offset) < from || Number(m.offset) >= to) continue
          out[batch.topic].push(m)
          have++
        }
        if (have >= want) done()
      },
    })
    let timer
    const timedOut = new Promise(resolve => {
      timer = setTimeout(resolve, 120000)
    })
    await Promise.race([finished, timedOut])
    clearTimeout(timer)
    assert.ok(have >= want, `group consumer read ${have} of ${want} records in 120 s`)
  } finally {
    await consumer.disconnect()
  }
  return out
}

function compare(topic, got, from) {
  assert.strictEqual(got.length, N - from, `${topic}: read ${got.length} of ${N - from}`)
  for (let j = 0; j < got.length; j++) {
    const i = from + j
    const want = record(i)
    const m = got[j]
    assert.strictEqual(Number(m.offset), i)
    assert.ok(m.key.equals(want.key), `${topic}@${i}: key`)
    assert.ok(m.value.equals(want.value), `${topic}@${i}: value`)
    assert.strictEqual(m.timestamp, want.timestamp, `${topic}@${i}: timestamp`)
    assert.deepStrictEqual(Object.keys(m.headers).sort(), Object.keys(want.headers).sort(), `${topic}@${i}: header keys`)
    for (const k of Object.keys(want.headers)) assert.ok(m.headers[k].equals(want.headers[k]), `${topic}@${i}: header ${k}`)
  }
}

async function main() {
  const b = new Broker()
  try {
    await b.start()
    const kafka = new Kafka({ brokers: [b.bootstrap], clientId: 'spate-kafkajs-test', logLevel: logLevel.ERROR })
    const admin = kafka.admin()
    await admin.connect()
    const topics = Object.keys(CODECS).map(c => `kjs-${c}`)
    const created = await admin.createTopics({
      topics: topics.map(t => ({ topic: t, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] })),
      waitForLeaders: true,
    })
    assert.strictEqual(created, true, 'createTopics reported existing topics')
    const md = await admin.fetchTopicMetadata({ topics })
    assert.strictEqual(md.topics.length, topics.length)
    for (const t of md.topics) assert.strictEqual(t.partitions.length, 1)
    const cfg = await admin.describeConfigs({ resources: [{ type: 2, name: 'kjs-none', configNames: ['retention.ms'] }], includeSynonyms: false })
    const entry = cfg.resources[0].configEntries.find(e => e.configName === 'retention.ms')
    assert.ok(entry && entry.configValue === '-1', `retention.ms ${JSON.stringify(entry)}`)

    const producer = kafka.producer({ allowAutoTopicCreation: false })
    await producer.connect()
    for (const [codec, type] of Object.entries(CODECS)) {
      const topic = `kjs-${codec}`
      const chunk = 10000
      for (let from = 0; from < N; from += chunk) {
        const messages = []
        for (let i = from; i < Math.min(N, from + chunk); i++) messages.push({ ...record(i), partition: 0 })
        const res = await producer.send({ topic, compression: type, acks: -1, messages })
        assert.strictEqual(res[0].errorCode, 0)
        assert.strictEqual(Number(res[0].baseOffset), from, `${topic}: batch at ${from} stored at ${res[0].baseOffset}`)
      }
    }
    await producer.disconnect()
    const all = Object.fromEntries(topics.map(t => [t, [0, N]]))
    let read = await readTopics(kafka, all)
    for (const topic of topics) compare(topic, read[topic], 0)

    for (const topic of topics) {
      const offs = await admin.fetchTopicOffsets(topic)
      assert.deepStrictEqual([offs[0].low, offs[0].high], ['0', String(N)], `${topic}: offsets ${JSON.stringify(offs)}`)
      const byTs = await admin.fetchTopicOffsetsByTimestamp(topic, BASE_TS + 4321)
      assert.strictEqual(byTs[0].offset, '4321', `${topic}: offset by timestamp ${JSON.stringify(byTs)}`)
    }
    await admin.deleteTopicRecords({ topic: 'kjs-snappy', partitions: [{ partition: 0, offset: '2500' }] })
    let offs = await admin.fetchTopicOffsets('kjs-snappy')
    assert.strictEqual(offs[0].low, '2500', `low after deleteTopicRecords: ${JSON.stringify(offs)}`)
    read = await readTopics(kafka, { 'kjs-snappy': [2500, N] })
    compare('kjs-snappy', read['kjs-snappy'], 2500)
    await admin.disconnect()

    await b.stop()
    await b.start()
    const admin2 = kafka.admin()
    await admin2.connect()
    offs = await admin2.fetchTopicOffsets('kjs-snappy')
    assert.strictEqual(offs[0].low, '2500', `low after restart: ${JSON.stringify(offs)}`)
    await admin2.disconnect()
    read = await readTopics(kafka, { ...all, 'kjs-snappy': [2500, N] })
    for (const topic of topics) {
      const from = topic === 'kjs-snappy' ? 2500 : 0
      compare(topic, read[topic], from)
    }
    await b.stop()
    console.log('ok')
  } catch (e) {
    console.error(e)
    console.error('--- broker output:\n' + b.output.slice(-30).join('\n'))
    process.exitCode = 1
  } finally {
    b.cleanup()
  }
}

// kafkajs leaves timers behind that keep node alive for ~17 s after the end.
main().then(() => process.exit(process.exitCode || 0))
