'use strict'
// kafkajs 2.2.4: admin createTopics/metadata/describeConfigs, 100,000 records
// per codec with keys, headers and explicit timestamps, read back identical;
// ListOffsets (fetchTopicOffsets, fetchTopicOffsetsByTimestamp), admin
// deleteTopicRecords, and a full re-read after a SIGTERM restart.
// Codecs: none, gzip (built in) and snappy (kafkajs-snappy, pure JS). kafkajs
// has no built-in lz4/zstd and their plugins need native modules, so those two
// are not covered by this client.
// kafkajs only consumes through consumer groups (no assign API) and groups do
// not exist in Spate yet, so records are read with the Fetch request of
// kafkajs's own cluster layer (the same code path its consumer uses).
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

function createCluster(kafka) {
  const sym = Object.getOwnPropertySymbols(kafka).find(s => s.description === 'private:Kafka:createCluster')
  return kafka[sym]({ allowAutoTopicCreation: false })
}

// Records [from, to) of partition 0 through kafkajs's Fetch.
async function readRange(kafka, topic, from, to) {
  const cluster = createCluster(kafka)
  await cluster.connect()
  await cluster.addTargetTopic(topic)
  const leaders = cluster.findLeaderForPartitions(topic, [0])
  const broker = await cluster.findBroker({ nodeId: Object.keys(leaders)[0] })
  const out = []
  let offset = from
  let idle = 0
  while (offset < to && idle < 50) {
    const resp = await broker.fetch({
      replicaId: -1,
      maxWaitTime: 100,
      minBytes: 1,
      maxBytes: 16 * 1024 * 1024,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: String(offset), maxBytes: 8 * 1024 * 1024 }] }],
    })
    const p = resp.responses[0].partitions[0]
    assert.strictEqual(p.errorCode, 0, `fetch error ${p.errorCode}`)
    const msgs = p.messages.filter(m => Number(m.offset) >= offset)
    if (msgs.length === 0) {
      idle++
      continue
    }
    idle = 0
    for (const m of msgs) {
      assert.strictEqual(Number(m.offset), offset, `offset gap at ${offset}`)
      out.push(m)
      offset++
    }
  }
  await cluster.disconnect()
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
      compare(topic, await readRange(kafka, topic, 0, N), 0)
    }
    await producer.disconnect()

    for (const topic of topics) {
      const offs = await admin.fetchTopicOffsets(topic)
      assert.deepStrictEqual([offs[0].low, offs[0].high], ['0', String(N)], `${topic}: offsets ${JSON.stringify(offs)}`)
      const byTs = await admin.fetchTopicOffsetsByTimestamp(topic, BASE_TS + 4321)
      assert.strictEqual(byTs[0].offset, '4321', `${topic}: offset by timestamp ${JSON.stringify(byTs)}`)
    }
    await admin.deleteTopicRecords({ topic: 'kjs-snappy', partitions: [{ partition: 0, offset: '2500' }] })
    let offs = await admin.fetchTopicOffsets('kjs-snappy')
    assert.strictEqual(offs[0].low, '2500', `low after deleteTopicRecords: ${JSON.stringify(offs)}`)
    compare('kjs-snappy', await readRange(kafka, 'kjs-snappy', 2500, N), 2500)
    await admin.disconnect()

    await b.stop()
    await b.start()
    const admin2 = kafka.admin()
    await admin2.connect()
    offs = await admin2.fetchTopicOffsets('kjs-snappy')
    assert.strictEqual(offs[0].low, '2500', `low after restart: ${JSON.stringify(offs)}`)
    await admin2.disconnect()
    for (const topic of topics) {
      const from = topic === 'kjs-snappy' ? 2500 : 0
      compare(topic, await readRange(kafka, topic, from, N), from)
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

main()
