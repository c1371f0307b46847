'use strict'
// SQL over Avro from kafkajs: @kafkajs/confluent-schema-registry registers an
// Avro schema at Spate's registry and encodes records into one topic; the
// same data goes as plain JSON to another. A SQL source over each (the Avro
// one taking its columns from the registered schema) returns the same rows
// through node-postgres; a record without the Confluent header is skipped.
// An Avro sink's records decode with the registry client (avsc) to the
// rows its query selects.
const assert = require('assert')
const { Kafka, logLevel } = require('kafkajs')
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry')
const { Client } = require('pg')
const { Broker } = require('./broker')

const TRADE = {
  type: 'record',
  name: 'Trade',
  namespace: 'spate.test',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'symbol', type: 'string' },
    { name: 'qty', type: 'long' },
    { name: 'price', type: 'double' },
    { name: 'ok', type: 'boolean' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'side', type: { type: 'enum', name: 'Side', symbols: ['BUY', 'SELL'] } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'venue', type: { type: 'record', name: 'Venue', fields: [{ name: 'code', type: 'string' }, { name: 'lot', type: 'int' }] } },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
}
const JSON_COLUMNS =
  'id INT, symbol TEXT, qty BIGINT, price DOUBLE PRECISION, ok BOOLEAN, note TEXT, side TEXT, ' +
  'tags JSONB, venue JSONB, ts TIMESTAMPTZ'

function trade(i) {
  return {
    id: i,
    symbol: ['AAPL', 'MSFT', 'GOOG'][i % 3],
    qty: i * 7,
    price: 100 + i / 8,
    ok: i % 2 === 0,
    note: i % 4 === 0 ? null : `note ${i}`,
    side: i % 3 === 0 ? 'SELL' : 'BUY',
    tags: i % 5 === 0 ? [] : [`t${i % 2}`, 'x'],
    venue: { code: `V${i % 4}`, lot: i },
    ts: 1714557600000 + i * 1001,
  }
}

async function pgPort(broker, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    for (const line of broker.output) {
      const m = /pgwire listener on (\S+):(\d+)/.exec(line)
      if (m) return Number(m[2])
    }
    await new Promise(r => setTimeout(r, 50))
  }
  throw new Error('no pgwire listener line:\n' + broker.output.slice(-20).join('\n'))
}

// The first `want` records of `topic`, each through `decode` (a sink writes
// asynchronously; gives up after 60 s).
async function readSink(kafka, topic, want, decode) {
  const consumer = kafka.consumer({ groupId: `read-${topic}`, maxWaitTimeInMs: 100 })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const out = []
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${topic}: ${out.length} of ${want} records`)), 60000)
    consumer.run({
      eachMessage: async ({ message }) => {
        out.push(await decode(message.value))
        if (out.length >= want) {
          clearTimeout(timer)
          resolve()
        }
      },
    })
  })
  await consumer.disconnect()
  return out
}

async function main() {
  const broker = await new Broker({ extraArgs: ['--pg-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0'] }).start()
  try {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({
      topics: [{ topic: 'trades_avro', numPartitions: 2 }, { topic: 'trades_json', numPartitions: 2 }],
      waitForLeaders: true,
    })
    await admin.disconnect()

    const registry = new SchemaRegistry({ host: broker.registryUrl })
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(TRADE) }, { subject: 'trades_avro-value' })
    const trades = Array.from({ length: 40 }, (_, i) => trade(i))
    const producer = kafka.producer()
    await producer.connect()
    const avro = await Promise.all(trades.map(async t => ({ key: String(t.id), value: await registry.encode(id, t) })))
    avro.push({ key: 'bad', value: Buffer.from(JSON.stringify(trades[0])) })  // no Confluent header
    await producer.send({ topic: 'trades_avro', acks: -1, messages: avro })
    await producer.send({
      topic: 'trades_json',
      acks: -1,
      messages: trades.map(t => ({ key: String(t.id), value: JSON.stringify(t) })),
    })
    await producer.disconnect()

    const client = new Client({ host: '127.0.0.1', port: await pgPort(broker), user: 'spate', database: 'spate' })
    client.on('error', e => console.error('pg client:', e.message))
    await client.connect()
    await client.query("CREATE SOURCE trades_avro WITH (topic = 'trades_avro', format = 'avro')")
    await client.query(`CREATE SOURCE trades_json (${JSON_COLUMNS}) WITH (topic = 'trades_json', format = 'json')`)
    const fromAvro = await client.query('SELECT * FROM trades_avro ORDER BY id')
    const fromJson = await client.query('SELECT * FROM trades_json ORDER BY id')
    assert.strictEqual(fromAvro.rows.length, 40)
    assert.deepStrictEqual(fromAvro.fields.map(f => [f.name, f.dataTypeID]), fromJson.fields.map(f => [f.name, f.dataTypeID]))
    assert.deepStrictEqual(fromAvro.rows, fromJson.rows)
    assert.deepStrictEqual(fromAvro.rows[4].venue, { code: 'V0', lot: 4 })
    assert.strictEqual(fromAvro.rows[4].note, null)
    const keyed = await client.query('SELECT _key FROM trades_avro WHERE id = 7')
    assert.deepStrictEqual(keyed.rows[0]._key, Buffer.from('7'))

    await client.query(
      "CREATE SINK big AS SELECT id, symbol, price, side, ts FROM trades_avro WHERE qty > 200 " +
      "WITH (topic = 'big_trades', format = 'avro')")
    const sinkId = await registry.getLatestSchemaId('big_trades-value')
    const want = trades.filter(t => t.qty > 200)
    const got = await readSink(kafka, 'big_trades', want.length, async v => {
      assert.strictEqual(v.readInt32BE(1), sinkId)
      return registry.decode(v)
    })
    got.sort((a, b) => a.id - b.id)
    assert.deepStrictEqual(
      got.map(r => ({ ...r })),
      want.map(t => ({ id: t.id, symbol: t.symbol, price: t.price, side: t.side, ts: t.ts * 1000 })))
    await client.end()
    console.log(`ok: 40 rows equal over Avro and JSON; ${got.length} sink records decoded by the registry client`)
  } finally {
    await broker.stop().catch(() => {})
    broker.cleanup()
  }
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
