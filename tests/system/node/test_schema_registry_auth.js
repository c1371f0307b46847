'use strict'
// @kafkajs/confluent-schema-registry 3.9.0 against Spate's registry over
// HTTPS with HTTP Basic authentication (spate.http.security.protocol=SSL,
// spate.http.authentication=basic; certificates made with openssl, a user
// created offline with `spate user create --data-dir`):
//  - with the right password (auth: {username, password}, an https.Agent
//    trusting the test CA) it registers an Avro schema, reads its id back
//    and encodes / decodes a record with it;
//  - a wrong password and an unknown user are refused with HTTP 401 (the
//    library's ResponseError.status), and nothing is registered.
const assert = require('assert')
const { execFileSync } = require('child_process')
const fs = require('fs')
const https = require('https')
const path = require('path')
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry')
const { Broker } = require('./broker')

function openssl(...args) {
  execFileSync('openssl', args, { stdio: 'ignore' })
}

// A CA and a server certificate for 127.0.0.1; returns { ca, keystore }.
function makeCerts(dir) {
  const p = name => path.join(dir, name)
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=spate-test-ca')
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1')
  fs.writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1\n')
  openssl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'),
    '-CAcreateserial', '-out', p('server.pem'), '-days', '2', '-extfile', p('server.ext'))
  fs.writeFileSync(p('keystore.pem'),
    fs.readFileSync(p('server.pem'), 'utf8') + fs.readFileSync(p('server.key'), 'utf8'))
  return { ca: p('ca.pem'), keystore: p('keystore.pem') }
}

async function refused(registry, what) {
  const schema = { type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name: 'Refused', fields: [{ name: 'x', type: 'int' }] }) }
  try {
    await registry.register(schema, { subject: 'refused-value' })
  } catch (e) {
    assert.strictEqual(e.status, 401, `${what}: ${e.status} ${e.message}`)
    return
  }
  assert.fail(`${what}: register succeeded`)
}

async function main() {
  const certsDir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'spate-srauth-'))
  const { ca, keystore } = makeCerts(certsDir)
  const broker = new Broker({
    config: {
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': keystore,
      'spate.http.security.protocol': 'SSL',
      'spate.http.authentication': 'basic',
    },
    extraArgs: ['--http-listen', '127.0.0.1:0'],
  })
  execFileSync(broker.bin, ['user', 'create', 'alice', '--password', 'alice-secret',
    '--data-dir', broker.dataDir], { stdio: 'ignore' })
  try {
    await broker.start()
    const host = broker.registryUrl.replace(/^http:/, 'https:')
    const agent = new https.Agent({ ca: fs.readFileSync(ca), keepAlive: true })
    const client = auth => new SchemaRegistry({ host, auth, agent })

    const alice = client({ username: 'alice', password: 'alice-secret' })
    const schema = {
      type: SchemaType.AVRO,
      schema: JSON.stringify({ type: 'record', name: 'Payment', fields: [{ name: 'amount', type: 'long' }] }),
    }
    const { id } = await alice.register(schema, { subject: 'payments-value' })
    assert.ok(Number.isInteger(id) && id > 0, `register answered id ${id}`)
    assert.strictEqual(await alice.getLatestSchemaId('payments-value'), id)
    const encoded = await alice.encode(id, { amount: 42 })
    assert.deepStrictEqual(JSON.parse(JSON.stringify(await alice.decode(encoded))), { amount: 42 })

    await refused(client({ username: 'alice', password: 'wrong' }), 'wrong password')
    await refused(client({ username: 'mallory', password: 'alice-secret' }), 'unknown user')
    await assert.rejects(alice.getLatestSchemaId('refused-value'), e => e.status === 404,
      'a refused registration left a subject')
    agent.destroy()
    await broker.stop()
    console.log('ok')
  } finally {
    broker.cleanup()
    fs.rmSync(certsDir, { recursive: true, force: true })
  }
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
