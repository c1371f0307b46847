'use strict'
// node-postgres (`pg`) against Spate's PostgreSQL wire protocol: a source over
// a topic filled with kafkajs, simple and parameterised (extended protocol)
// queries, SQLSTATEs of errors on a connection that stays usable, and a
// continuous sink whose rows a read_committed kafkajs consumer reads back.
const assert = require('assert')
const { Kafka, logLevel } = require('kafkajs')
const { Client } = require('pg')
const { Broker } = require('./broker')

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

async function expectCode(client, sql, code) {
  try {
    await client.query(sql)
  } catch (e) {
    assert.strictEqual(e.code, code, `${sql}: ${e.message}`)
    return
  }
  throw new Error(`${sql} did not fail`)
}

async function main() {
  const broker = await new Broker({ extraArgs: ['--pg-listen', '127.0.0.1:0'] }).start()
  try {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }], waitForLeaders: true })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    const messages = []
    for (let i = 0; i < 50; i++) messages.push({ value: JSON.stringify({ id: i, amount: `${i}.25`, who: `u${i % 5}` }) })
    await producer.send({ topic: 'orders', acks: -1, messages })
    await producer.disconnect()

    const client = new Client({ host: '127.0.0.1', port: await pgPort(broker), user: 'spate', database: 'spate' })
    client.on('error', e => console.error('pg client:', e.message))
    await client.connect()
    await client.query("CREATE SOURCE orders (id INT, amount NUMERIC(10,2), who TEXT) WITH (topic = 'orders', format = 'json')")
    const all = await client.query('SELECT id, amount, who FROM orders ORDER BY id')
    assert.strictEqual(all.rows.length, 50)
    assert.deepStrictEqual(all.rows[3], { id: 3, amount: '3.25', who: 'u3' })
    assert.deepStrictEqual(all.fields.map(f => f.dataTypeID), [23, 1700, 25])
    const some = await client.query('SELECT id FROM orders WHERE who = $1 AND id > $2 ORDER BY id', ['u2', 10])
    assert.deepStrictEqual(some.rows.map(r => r.id), [12, 17, 22, 27, 32, 37, 42, 47])
    await expectCode(client, 'SELEC 1', '42601')
    await expectCode(client, 'SELECT * FROM missing', '42P01')
    const ok = await client.query({ text: 'SELECT $1::int + 1 AS n', values: [41] })
    assert.strictEqual(ok.rows[0].n, 42)

    await client.query("CREATE SINK big AS SELECT id, amount * 2 AS doubled FROM orders WHERE amount > 40 WITH (topic = 'big_orders', format = 'json')")
    const consumer = kafka.consumer({ groupId: 'pg-test-reader', readUncommitted: false })
    await consumer.connect()
    const deadline = Date.now() + 60000
    while (Date.now() < deadline) {
      const topics = await kafka.admin().fetchTopicMetadata().then(m => m.topics.map(t => t.name)).catch(() => [])
      if (topics.includes('big_orders')) break
      await new Promise(r => setTimeout(r, 200))
    }
    await consumer.subscribe({ topic: 'big_orders', fromBeginning: true })
    const seen = []
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(JSON.parse(message.value.toString())) } })
    while (seen.length < 10 && Date.now() < deadline) await new Promise(r => setTimeout(r, 100))
    await consumer.disconnect()
    seen.sort((a, b) => a.id - b.id)
    assert.deepStrictEqual(seen.map(r => r.id), [40, 41, 42, 43, 44, 45, 46, 47, 48, 49])
    assert.strictEqual(seen[0].doubled, 80.5)
    await client.end()
  } finally {
    await broker.stop()
  }
}

main().then(() => console.log('ok test_pg'), e => {
  console.error(e)
  process.exit(1)
})
