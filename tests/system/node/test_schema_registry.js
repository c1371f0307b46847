'use strict'
// @kafkajs/confluent-schema-registry 3.9.0 + kafkajs 2.2.4 against Spate's
// schema registry (`spate serve --http-listen 127.0.0.1:0`):
//  - AVRO, PROTOBUF and JSON: registry.register, records encoded with
//    registry.encode produced through kafkajs, consumed and registry.decode'd
//    back to the same values; the same schema registered again (reformatted,
//    by a client without a cache, under another subject) keeps its id.
//  - references: an Avro named type, a Protobuf import and a JSON Schema $ref
//    to another subject's schema, resolved by the library when encoding and
//    decoding.
//  - every compatibility level, for each type: a change the level forbids is
//    refused with HTTP 409 (the library's ResponseError.status) and leaves
//    the subject as it was, a change it allows is registered; for the
//    transitive levels the refused change conflicts only with an older
//    version, and the non-transitive level accepts it; NONE accepts a change
//    every other level refuses.
//  - a SIGTERM restart on the same data directory: every subject's versions
//    keep their ids (getRegistryId, getLatestSchemaId), the old records
//    still decode with a fresh client, re-registering answers the old ids and
//    a new schema gets a new one.
// Every case runs even if an earlier one fails; the file fails if any did.
const assert = require('assert')
const { Kafka, logLevel } = require('kafkajs')
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry')
const { Broker, GROUP_TEST_CONFIG } = require('./broker')

const N = 25 // records per round-trip topic

// subject -> ids of its versions 1..n, as register() answered them.
const registered = new Map()
// topic -> { values, type } of the records produced by the round trips.
const produced = new Map()

function note(subject, id) {
  if (!registered.has(subject)) registered.set(subject, [])
  const ids = registered.get(subject)
  // Registering an existing schema answers its version's id without a new version.
  if (!ids.includes(id)) ids.push(id)
}

// Registers `schema` ({type, schema, references}) under `subject`; the library
// checks the subject's level against `compatibility` first (and sets it on
// the subject's first registration).
async function register(registry, subject, schema, compatibility = 'BACKWARD') {
  const { id } = await registry.register(schema, { subject, compatibility })
  assert.ok(Number.isInteger(id) && id > 0, `${subject}: register answered id ${id}`)
  note(subject, id)
  return id
}

// JSON-normalized value: protobufjs messages (toJSON), avsc records and plain
// objects compare alike.
function plain(v) {
  return JSON.parse(JSON.stringify(v))
}

async function withTimeout(promise, ms, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

let groups = 0

// The first `count` record values of a one-partition topic, in offset order,
// read by a new consumer group from the beginning.
async function consumeValues(kafka, topic, count) {
  const consumer = kafka.consumer({ groupId: `kjs-sr-read-${++groups}`, maxWaitTimeInMs: 100 })
  const values = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    let done
    const finished = new Promise(resolve => {
      done = resolve
    })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        values.push(message.value)
        if (values.length >= count) done()
      },
    })
    await withTimeout(finished, 30000, () => `${topic}: read ${values.length} of ${count} records`)
  } finally {
    await consumer.disconnect()
  }
  return values.slice(0, count)
}

async function produce(kafka, topic, buffers) {
  const producer = kafka.producer()
  await producer.connect()
  try {
    const res = await producer.send({
      topic,
      acks: -1,
      messages: buffers.map((value, i) => ({ key: `k${i}`, value })),
    })
    for (const r of res) assert.strictEqual(r.errorCode, 0, `${topic}: produce error ${r.errorCode}`)
  } finally {
    await producer.disconnect()
  }
}

async function createTopics(kafka, topics) {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: topics.map(topic => ({ topic, numPartitions: 1 })), waitForLeaders: true })
  } finally {
    await admin.disconnect()
  }
}

// Decodes every buffer with `registry` and compares with `values`.
async function checkDecoded(registry, buffers, values, what) {
  assert.strictEqual(buffers.length, values.length, `${what}: ${buffers.length} records, produced ${values.length}`)
  for (let i = 0; i < buffers.length; ++i) {
    assert.strictEqual(buffers[i][0], 0, `${what} record ${i}: no magic byte`)
    const got = plain(await registry.decode(buffers[i]))
    assert.deepStrictEqual(got, values[i], `${what} record ${i} decoded differently`)
  }
}

// ---------------------------------------------------------------- round trips

const AVRO_READING = {
  type: 'record',
  name: 'Reading',
  namespace: 'spate.test',
  fields: [
    { name: 'sensor', type: 'string' },
    { name: 'value', type: 'double' },
    { name: 'count', type: 'long' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['TEMP', 'HUMIDITY'] } },
  ],
}

const PROTO_READING = `syntax = "proto3";
package spate.test;

message Reading {
  string sensor = 1;
  double value = 2;
  int32 count = 3;
  repeated string tags = 4;
  Kind kind = 5;
  map<string, int32> attrs = 6;
}

enum Kind {
  KIND_UNSPECIFIED = 0;
  TEMP = 1;
  HUMIDITY = 2;
}
`

const JSON_READING = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Reading',
  type: 'object',
  properties: {
    sensor: { type: 'string' },
    value: { type: 'number' },
    count: { type: 'integer' },
    tags: { type: 'array', items: { type: 'string' } },
    kind: { enum: ['TEMP', 'HUMIDITY'] },
  },
  required: ['sensor', 'value'],
  additionalProperties: false,
}

const ROUND_TRIPS = {
  AVRO: {
    text: JSON.stringify(AVRO_READING),
    // The same schema written differently: indented, keys in another order.
    reformatted: JSON.stringify({ fields: AVRO_READING.fields, namespace: 'spate.test', name: 'Reading', type: 'record' }, null, 2),
    value: i => ({
      sensor: `s${i % 4}`,
      value: i * 1.5 + 0.25,
      count: 1000000 + i,
      tags: [`t${i}`, 'all'],
      note: i % 2 ? `note ${i}` : null,
      kind: i % 3 ? 'TEMP' : 'HUMIDITY',
    }),
  },
  PROTOBUF: {
    text: PROTO_READING,
    reformatted: PROTO_READING.replace(/\n/g, '\n\n').replace(/ = /g, '  =  '),
    // Non-default values only: protobufjs's toJSON leaves defaults out.
    value: i => ({
      sensor: `s${i % 4}`,
      value: i * 1.5 + 0.25,
      count: 1000 + i,
      tags: [`t${i}`, 'all'],
      kind: i % 3 ? 1 : 2,
      attrs: { a: i + 1, b: 7 },
    }),
    // protobufjs takes enums as numbers and gives their names back.
    expect: v => ({ ...v, kind: ['KIND_UNSPECIFIED', 'TEMP', 'HUMIDITY'][v.kind] }),
  },
  JSON: {
    text: JSON.stringify(JSON_READING),
    reformatted: JSON.stringify(JSON_READING, null, 4),
    value: i => {
      const v = { sensor: `s${i % 4}`, value: i * 1.5 + 0.25, tags: [`t${i}`] }
      if (i % 2) v.count = i
      if (i % 3) v.kind = 'TEMP'
      return v
    },
  },
}

async function caseRoundTrip({ registry, url, kafka }) {
  const topics = Object.keys(ROUND_TRIPS).map(t => `kjs-sr-${t.toLowerCase()}`)
  await createTopics(kafka, topics)
  const out = []
  for (const [type, spec] of Object.entries(ROUND_TRIPS)) {
    const topic = `kjs-sr-${type.toLowerCase()}`
    const subject = `${topic}-value`
    const id = await register(registry, subject, { type: SchemaType[type], schema: spec.text })

    // Same schema again: a client without a cache, the text reformatted,
    // and another subject all get the same id.
    const fresh = new SchemaRegistry({ host: url })
    assert.strictEqual(await register(fresh, subject, { type: SchemaType[type], schema: spec.text }), id, `${type}: second registration`)
    assert.strictEqual(
      await register(fresh, subject, { type: SchemaType[type], schema: spec.reformatted }),
      id,
      `${type}: the reformatted schema got another id`,
    )
    assert.strictEqual(await register(fresh, `${topic}-copy`, { type: SchemaType[type], schema: spec.text }), id, `${type}: another subject`)
    assert.strictEqual(await fresh.getLatestSchemaId(subject), id, `${type}: latest id`)
    assert.strictEqual(await fresh.getRegistryId(subject, 1), id, `${type}: version 1's id`)
    assert.strictEqual(await fresh.getRegistryIdBySchema(subject, { type: SchemaType[type], schema: spec.text }), id, `${type}: lookup by schema`)

    const values = Array.from({ length: N }, (_, i) => spec.value(i))
    const buffers = []
    for (const v of values) buffers.push(await registry.encode(id, v))
    for (const b of buffers) assert.strictEqual(b.readInt32BE(1), id, `${type}: encoded with another id`)
    await produce(kafka, topic, buffers)
    const expected = plain(values.map(spec.expect || (v => v)))
    produced.set(topic, { values: expected, type })

    // Read back and decode with a client that has not seen the schema.
    const read = await consumeValues(kafka, topic, N)
    await checkDecoded(new SchemaRegistry({ host: url }), read, expected, type)
    out.push(`${type} id ${id}`)
  }
  return out.join(', ')
}

// ----------------------------------------------------------------- references

async function caseReferences({ registry, url, kafka }) {
  const topic = 'kjs-sr-refs'
  await createTopics(kafka, [topic])
  const buffers = []
  const values = []
  const out = []

  // Avro: a record field of a named type registered under another subject.
  const address = {
    type: 'record',
    name: 'Address',
    namespace: 'spate.test',
    fields: [
      { name: 'street', type: 'string' },
      { name: 'zip', type: 'int' },
    ],
  }
  const customer = {
    type: 'record',
    name: 'Customer',
    namespace: 'spate.test',
    fields: [
      { name: 'name', type: 'string' },
      { name: 'home', type: 'spate.test.Address' },
      { name: 'work', type: ['null', 'spate.test.Address'], default: null },
    ],
  }
  const addrId = await register(registry, 'kjs-sr-address', { type: SchemaType.AVRO, schema: JSON.stringify(address) })
  const avroRefs = [{ name: 'spate.test.Address', subject: 'kjs-sr-address', version: 1 }]
  const custId = await register(registry, 'kjs-sr-customer', { type: SchemaType.AVRO, schema: JSON.stringify(customer), references: avroRefs })
  assert.notStrictEqual(custId, addrId)
  // Without its reference the named type is unknown: the server refuses the
  // schema as invalid (422; the library's own parser would refuse it first).
  await assert.rejects(
    registry.api.Subject.register({ subject: 'kjs-sr-customer-noref', body: { schema: JSON.stringify(customer) } }),
    e => e.status === 422 && /Address/.test(e.message),
  )
  for (let i = 0; i < 3; ++i) {
    const v = { name: `c${i}`, home: { street: `Main ${i}`, zip: 1000 + i }, work: i % 2 ? { street: 'Dock', zip: 42 } : null }
    values.push(v)
    buffers.push(await registry.encode(custId, v))
  }
  out.push(`AVRO ${addrId} <- ${custId}`)

  // Protobuf: an import of another subject's file.
  const money = 'syntax = "proto3";\npackage spate.common;\n\nmessage Money {\n  string currency = 1;\n  int32 units = 2;\n}\n'
  const order =
    'syntax = "proto3";\npackage spate.test;\n\nimport "money.proto";\n\n' +
    'message Order {\n  string id = 1;\n  spate.common.Money total = 2;\n  repeated spate.common.Money parts = 3;\n}\n'
  const moneyId = await register(registry, 'kjs-sr-money', { type: SchemaType.PROTOBUF, schema: money })
  const protoRefs = [{ name: 'money.proto', subject: 'kjs-sr-money', version: 1 }]
  const orderId = await register(registry, 'kjs-sr-order', { type: SchemaType.PROTOBUF, schema: order, references: protoRefs })
  for (let i = 0; i < 3; ++i) {
    const v = { id: `o${i}`, total: { currency: 'EUR', units: 10 + i }, parts: [{ currency: 'EUR', units: 4 }, { currency: 'USD', units: 6 + i }] }
    values.push(v)
    buffers.push(await registry.encode(orderId, v))
  }
  out.push(`PROTOBUF ${moneyId} <- ${orderId}`)

  // JSON Schema: a $ref to another subject's document, by a URL relative to $id.
  const jsonAddress = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://spate.example/address.json',
    type: 'object',
    properties: { street: { type: 'string' }, zip: { type: 'integer' } },
    required: ['street', 'zip'],
  }
  const jsonCustomer = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://spate.example/customer.json',
    type: 'object',
    properties: { name: { type: 'string' }, home: { $ref: 'address.json' } },
    required: ['name', 'home'],
  }
  const jaId = await register(registry, 'kjs-sr-json-address', { type: SchemaType.JSON, schema: JSON.stringify(jsonAddress) })
  const jsonRefs = [{ name: 'address.json', subject: 'kjs-sr-json-address', version: 1 }]
  const jcId = await register(registry, 'kjs-sr-json-customer', { type: SchemaType.JSON, schema: JSON.stringify(jsonCustomer), references: jsonRefs })
  for (let i = 0; i < 3; ++i) {
    const v = { name: `j${i}`, home: { street: `Side ${i}`, zip: 2000 + i } }
    values.push(v)
    buffers.push(await registry.encode(jcId, v))
  }
  // The referenced schema is enforced: a bad zip does not encode.
  await assert.rejects(registry.encode(jcId, { name: 'x', home: { street: 's', zip: 'nope' } }), /invalid payload/)
  out.push(`JSON ${jaId} <- ${jcId}`)

  await produce(kafka, topic, buffers)
  produced.set(topic, { values: plain(values), type: 'refs' })
  const read = await consumeValues(kafka, topic, values.length)
  // A new client fetches each schema and its references from the registry.
  await checkDecoded(new SchemaRegistry({ host: url }), read, plain(values), 'references')
  return out.join(', ')
}

// -------------------------------------------------------------- compatibility

// Per type and level: `history` (registered in order at the level, each
// allowed by it), `forbidden` (refused with 409, the message naming
// `breaks`) and `allowed` (registered).
// For the transitive levels the forbidden change is compatible with the
// latest version and not with an older one; `plain` names the level that
// accepts it. Schemas are built from small descriptions.

function avro(fields) {
  return JSON.stringify({
    type: 'record',
    name: 'Compat',
    namespace: 'spate.test',
    fields: fields.map(([name, type, ...d]) => (d.length ? { name, type, default: d[0] } : { name, type })),
  })
}

function proto(body, extra = '') {
  return `syntax = "proto3";\npackage spate.test;\n\nmessage Compat {\n${body}}\n${extra}`
}

const EXTRA_MSG = '\nmessage Extra {\n  string x = 1;\n}\n'
const OTHER_MSG = '\nmessage Other {\n  int32 y = 1;\n}\n'

function json(properties, { required = [], closed = false } = {}) {
  const s = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties }
  if (required.length) s.required = required
  if (closed) s.additionalProperties = false
  return JSON.stringify(s)
}

const COMPAT = {
  AVRO: {
    // New reader without a default for a field old data lacks.
    BACKWARD: {
      history: [avro([['a', 'int']])],
      forbidden: avro([['a', 'int'], ['b', 'string']]),
      breaks: "'b'",
      allowed: avro([['a', 'int'], ['b', 'string', '']]),
    },
    // Old reader without a default for a field the new schema drops.
    FORWARD: {
      history: [avro([['a', 'int'], ['b', 'string']])],
      forbidden: avro([['a', 'int']]),
      breaks: "'b'",
      allowed: avro([['a', 'int'], ['b', 'string'], ['c', 'long']]),
    },
    FULL: {
      history: [avro([['a', 'int']])],
      forbidden: avro([['a', 'int'], ['b', 'string']]),
      breaks: "'b'",
      allowed: avro([['a', 'int'], ['b', 'string', '']]),
    },
    // b gets a default, then loses it: fine against the latest version only.
    BACKWARD_TRANSITIVE: {
      history: [avro([['a', 'int']]), avro([['a', 'int'], ['b', 'string', '']])],
      forbidden: avro([['a', 'int'], ['b', 'string']]),
      breaks: "'b'",
      allowed: avro([['a', 'int'], ['b', 'string', ''], ['c', 'long', 0]]),
      plain: 'BACKWARD',
    },
    FORWARD_TRANSITIVE: {
      history: [avro([['a', 'int'], ['b', 'string']]), avro([['a', 'int'], ['b', 'string', '']])],
      forbidden: avro([['a', 'int']]),
      breaks: "'b'",
      allowed: avro([['a', 'int'], ['b', 'string', ''], ['c', 'long']]),
      plain: 'FORWARD',
    },
    FULL_TRANSITIVE: {
      history: [avro([['a', 'int']]), avro([['a', 'int'], ['b', 'string', '']])],
      forbidden: avro([['a', 'int'], ['b', 'string']]),
      breaks: "'b'",
      allowed: avro([['a', 'int'], ['b', 'string', ''], ['c', 'long', 0]]),
      plain: 'FULL',
    },
    // A type change every other level refuses.
    NONE: { history: [avro([['a', 'int']])], accepted: avro([['a', 'string']]) },
  },
  PROTOBUF: {
    // A message the new schema drops (MESSAGE_REMOVED); adding one is fine.
    BACKWARD: {
      history: [proto('  int32 a = 1;\n', EXTRA_MSG)],
      forbidden: proto('  int32 a = 1;\n'),
      breaks: 'Extra',
      allowed: proto('  int32 a = 1;\n', EXTRA_MSG + OTHER_MSG),
    },
    // The reverse: a message the new schema adds is one the old lacks.
    FORWARD: {
      history: [proto('  int32 a = 1;\n', EXTRA_MSG)],
      forbidden: proto('  int32 a = 1;\n', EXTRA_MSG + OTHER_MSG),
      breaks: 'Other',
      allowed: proto('  int32 a = 1;\n'),
    },
    // A field's wire type changes (FIELD_SCALAR_KIND_CHANGED); a new field is fine.
    FULL: {
      history: [proto('  int32 a = 1;\n  string b = 2;\n')],
      forbidden: proto('  int32 a = 1;\n  int64 b = 2;\n'),
      breaks: "'b'",
      allowed: proto('  int32 a = 1;\n  string b = 2;\n  int64 c = 3;\n'),
    },
    // Field 2 removed, then reused with another type: fine against the
    // latest version, not against the first.
    BACKWARD_TRANSITIVE: {
      history: [proto('  int32 a = 1;\n  string b = 2;\n'), proto('  int32 a = 1;\n')],
      forbidden: proto('  int32 a = 1;\n  int64 b = 2;\n'),
      breaks: "'b'",
      allowed: proto('  int32 a = 1;\n  string c = 3;\n'),
      plain: 'BACKWARD',
    },
    FORWARD_TRANSITIVE: {
      history: [proto('  int32 a = 1;\n  string b = 2;\n'), proto('  int32 a = 1;\n')],
      forbidden: proto('  int32 a = 1;\n  int64 b = 2;\n'),
      breaks: "'b'",
      allowed: proto('  int32 a = 1;\n  string c = 3;\n'),
      plain: 'FORWARD',
    },
    FULL_TRANSITIVE: {
      history: [proto('  int32 a = 1;\n  string b = 2;\n'), proto('  int32 a = 1;\n')],
      forbidden: proto('  int32 a = 1;\n  int64 b = 2;\n'),
      breaks: "'b'",
      allowed: proto('  int32 a = 1;\n  string c = 3;\n'),
      plain: 'FULL',
    },
    NONE: { history: [proto('  int32 a = 1;\n  string b = 2;\n')], accepted: proto('  int32 a = 1;\n  int64 b = 2;\n') },
  },
  JSON: {
    // number -> integer narrows what the reader takes (TYPE_NARROWED); the reverse extends it.
    BACKWARD: {
      history: [json({ a: { type: 'number' }, s: { type: 'string' } })],
      forbidden: json({ a: { type: 'integer' }, s: { type: 'string' } }),
      breaks: '#/properties/a',
      allowed: json({ a: { type: 'number' }, s: { type: 'string', description: 'loosened' } }),
    },
    FORWARD: {
      history: [json({ a: { type: 'integer' }, s: { type: 'string' } })],
      forbidden: json({ a: { type: 'number' }, s: { type: 'string' } }),
      breaks: '#/properties/a',
      // A tighter writer: the old reader takes all it writes.
      allowed: json({ a: { type: 'integer' }, s: { type: 'string', maxLength: 5 } }),
    },
    FULL: {
      history: [json({ a: { type: 'integer' }, s: { type: 'string' } })],
      forbidden: json({ a: { type: 'number' }, s: { type: 'string' } }),
      breaks: '#/properties/a',
      allowed: json({ a: { type: 'integer' }, s: { type: 'string', description: 'documented' } }),
    },
    // Closed content model: b added required with a default (fine), then the
    // default dropped: fine against the latest, not against the first.
    BACKWARD_TRANSITIVE: {
      history: [
        json({ a: { type: 'integer' } }, { closed: true }),
        json({ a: { type: 'integer' }, b: { type: 'string', default: 'x' } }, { closed: true, required: ['b'] }),
      ],
      forbidden: json({ a: { type: 'integer' }, b: { type: 'string' } }, { closed: true, required: ['b'] }),
      breaks: '#/properties/b',
      allowed: json({ a: { type: 'integer' }, b: { type: 'string', default: 'x' }, c: { type: 'string' } }, { closed: true, required: ['b'] }),
      plain: 'BACKWARD',
    },
    // Old readers require b; the second version gives it a default, and the
    // forbidden change drops it.
    FORWARD_TRANSITIVE: {
      history: [
        json({ a: { type: 'number' }, b: { type: 'string' } }, { closed: true, required: ['b'] }),
        json({ a: { type: 'number' }, b: { type: 'string', default: 'x' } }, { closed: true, required: ['b'] }),
      ],
      forbidden: json({ a: { type: 'number' } }, { closed: true }),
      breaks: '#/properties/b',
      allowed: json({ a: { type: 'integer' }, b: { type: 'string', default: 'x' } }, { closed: true, required: ['b'] }),
      plain: 'FORWARD',
    },
    // (JSON Schema's rules give no change compatible both ways with the latest
    // version and not with an older one: here the change breaks both.)
    FULL_TRANSITIVE: {
      history: [json({ a: { type: 'integer' }, s: { type: 'string' } }), json({ a: { type: 'integer' }, s: { type: 'string', description: 'v2' } })],
      forbidden: json({ a: { type: 'number' }, s: { type: 'string' } }),
      breaks: '#/properties/a',
      allowed: json({ a: { type: 'integer' }, s: { type: 'string', description: 'v3' } }),
    },
    NONE: { history: [json({ a: { type: 'integer' } })], accepted: json({ a: { type: 'string' } }) },
  },
}

// Registers `schema` expecting the registry to refuse it with 409 and a
// message naming `breaks` (what broke); returns the message.
async function expect409(registry, subject, schema, level, breaks = '') {
  const before = await registry.getLatestSchemaId(subject)
  let err = null
  try {
    await registry.register(schema, { subject, compatibility: level })
  } catch (e) {
    err = e
  }
  assert.ok(err, `${subject} at ${level}: an incompatible schema was registered`)
  assert.strictEqual(err.status, 409, `${subject} at ${level}: refused with ${err.status}: ${err.message}`)
  // ResponseError's message is "<clientId> - <the registry's message>".
  const message = err.message.replace(/^[^-]*- /, '')
  assert.ok(/incompatible/i.test(message) && message.length > 'Schema being registered is incompatible'.length,
    `${subject} at ${level}: the message does not say what broke: ${err.message}`)
  assert.ok(message.includes(breaks), `${subject} at ${level}: the message does not name ${breaks}: ${message}`)
  assert.strictEqual(await registry.getLatestSchemaId(subject), before, `${subject}: the refused schema became the latest version`)
  return message
}

async function caseCompatibility({ url }) {
  const registry = new SchemaRegistry({ host: url })
  const results = []
  for (const [type, levels] of Object.entries(COMPAT)) {
    const st = SchemaType[type]
    for (const [level, spec] of Object.entries(levels)) {
      const subject = `kjs-sr-compat-${type.toLowerCase()}-${level.toLowerCase()}`
      for (const s of spec.history) await register(registry, subject, { type: st, schema: s }, level)
      assert.strictEqual(
        (await registry.api.Subject.config({ subject })).data().compatibilityLevel,
        level,
        `${subject}: level not set`,
      )
      if (level === 'NONE') {
        const id = await register(registry, subject, { type: st, schema: spec.accepted }, level)
        assert.strictEqual(await registry.getLatestSchemaId(subject), id, `${subject}: NONE did not take the change`)
        // The same change is refused at the default level.
        const strict = `${subject}-strict`
        for (const s of spec.history) await register(registry, strict, { type: st, schema: s }, 'BACKWARD')
        await expect409(registry, strict, { type: st, schema: spec.accepted }, 'BACKWARD')
        results.push(`${type} NONE accepts`)
        continue
      }
      await expect409(registry, subject, { type: st, schema: spec.forbidden }, level, spec.breaks)
      const id = await register(registry, subject, { type: st, schema: spec.allowed }, level)
      assert.strictEqual(await registry.getLatestSchemaId(subject), id, `${subject}: the allowed change is not the latest version`)
      assert.strictEqual(await registry.getRegistryId(subject, spec.history.length + 1), id, `${subject}: the allowed change is not the next version`)
      if (spec.plain) {
        // The same history at the non-transitive level takes the refused change.
        const plainSubject = `${subject}-plain`
        for (const s of spec.history) await register(registry, plainSubject, { type: st, schema: s }, spec.plain)
        await register(registry, plainSubject, { type: st, schema: spec.forbidden }, spec.plain)
      }
      results.push(`${type} ${level}`)
    }
  }
  return `409 and an accepted change at ${results.length} type/levels`
}

// -------------------------------------------------------------------- restart

async function readRegistry(registry) {
  const state = new Map()
  for (const subject of registered.keys()) {
    const ids = []
    for (let v = 1; v <= registered.get(subject).length; ++v) ids.push(await registry.getRegistryId(subject, v))
    state.set(subject, { ids, latest: await registry.getLatestSchemaId(subject) })
  }
  return state
}

async function caseRestart(ctx) {
  const { broker } = ctx
  assert.ok(registered.size >= 10, `too few subjects to compare: ${registered.size}`)
  const before = await readRegistry(new SchemaRegistry({ host: ctx.url }))
  for (const [subject, { ids, latest }] of before) {
    assert.deepStrictEqual(ids, registered.get(subject), `${subject}: versions' ids differ from what register answered`)
    assert.strictEqual(latest, ids[ids.length - 1], `${subject}: latest is not the last version`)
  }
  await broker.stop()
  await broker.start()
  ctx.url = broker.registryUrl
  ctx.kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'spate-kjs-sr', logLevel: logLevel.NOTHING })
  const registry = new SchemaRegistry({ host: ctx.url })
  const after = await readRegistry(registry)
  assert.deepStrictEqual(after, before, 'ids or versions changed across the restart')

  // Old records decode with a client that only knows the restarted server.
  let records = 0
  for (const [topic, { values }] of produced) {
    const read = await consumeValues(ctx.kafka, topic, values.length)
    await checkDecoded(registry, read, values, `${topic} after restart`)
    records += read.length
  }
  assert.ok(records > 0, 'no records to decode after the restart')

  // Re-registering answers the old id; a new schema gets a new one.
  const avroSubject = 'kjs-sr-avro-value'
  const old = before.get(avroSubject).ids[0]
  assert.strictEqual(await register(registry, avroSubject, { type: SchemaType.AVRO, schema: ROUND_TRIPS.AVRO.text }), old, 're-registering after the restart')
  const allIds = new Set([...before.values()].flatMap(s => s.ids))
  const fresh = await register(registry, 'kjs-sr-after-restart', { type: SchemaType.AVRO, schema: avro([['after', 'int']]) })
  assert.ok(!allIds.has(fresh), `an id was handed out again after the restart: ${fresh}`)
  assert.ok(fresh > Math.max(...allIds), `new id ${fresh} not above the old ones`)
  return `${before.size} subjects kept their ids, ${records} records decoded, new id ${fresh}`
}

// ----------------------------------------------------------------------- main

const CASES = [caseRoundTrip, caseReferences, caseCompatibility, caseRestart]

async function main() {
  const only = process.env.SPATE_TEST_CASE
  const broker = new Broker({ config: GROUP_TEST_CONFIG, extraArgs: ['--http-listen', '127.0.0.1:0'] })
  await broker.start()
  const failed = []
  try {
    assert.ok(broker.registryUrl, 'no http listener line')
    const ctx = {
      broker,
      url: broker.registryUrl,
      kafka: new Kafka({ brokers: [broker.bootstrap], clientId: 'spate-kjs-sr', logLevel: logLevel.NOTHING }),
    }
    ctx.registry = new SchemaRegistry({ host: ctx.url })
    for (const c of CASES) {
      if (only && !c.name.includes(only)) continue
      const start = Date.now()
      try {
        const what = await c(ctx)
        console.log(`PASS ${c.name} (${((Date.now() - start) / 1000).toFixed(1)}s): ${what}`)
      } catch (e) {
        failed.push(c.name)
        console.log(`FAIL ${c.name} (${((Date.now() - start) / 1000).toFixed(1)}s): ${e.stack || e}`)
      }
      assert.ok(broker.proc.exitCode === null, `the server died during ${c.name}:\n${broker.output.slice(-30).join('\n')}`)
    }
    await broker.stop()
  } catch (e) {
    console.log(`server output (last 30 lines):\n${broker.output.slice(-30).join('\n')}`)
    throw e
  } finally {
    broker.cleanup()
  }
  if (failed.length) throw new Error(`failed: ${failed.join(', ')}`)
}

// kafkajs leaves timers behind that keep node alive after the end.
main().then(
  () => process.exit(0),
  e => {
    console.error(e)
    process.exit(1)
  },
)
