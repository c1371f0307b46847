'use strict'
// kafkajs 2.2.4 over secured listeners: SASL_SSL with SCRAM-SHA-512 and
// mutual TLS (SSL, ssl.client.auth=required) produce and consume; a wrong
// password is refused with SASL_AUTHENTICATION_FAILED; with
// connections.max.reauth.ms the client re-authenticates (KIP-368) and keeps
// producing past its session lifetime. Certificates come from openssl in a
// temporary directory; the user is created offline with `spate user create`.
const assert = require('assert')
const { execFileSync } = require('child_process')
const fs = require('fs')
const path = require('path')
const { Kafka, logLevel } = require('kafkajs')
const { Broker, readAll } = require('./broker')

function openssl(...args) {
  execFileSync('openssl', args, { stdio: 'ignore' })
}

function makeCerts(dir) {
  const p = name => path.join(dir, name)
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  openssl('req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=kjs-ca')
  for (const [name, subj] of [['server', '/CN=127.0.0.1'], ['client', '/O=acme/CN=kjs-client']]) {
    openssl('req', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subj)
    fs.writeFileSync(p(`${name}.ext`), name === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'basicConstraints=CA:FALSE\n')
    openssl('x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial',
      '-out', p(`${name}.pem`), '-days', '2', '-extfile', p(`${name}.ext`))
  }
  fs.writeFileSync(p('keystore.pem'), fs.readFileSync(p('server.pem')) + fs.readFileSync(p('server.key')))
  return p
}

async function roundTrip(kafka, topic, n = 20) {
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ value: `${topic}-${i}` })) })
  await producer.disconnect()
  const { seen, count } = await readAll(kafka, topic, n, { groupId: `g-${topic}`, settleMs: 0 })
  assert.strictEqual(count, n)
  assert.deepStrictEqual(seen.get(0), Array.from({ length: n }, (_, i) => `${topic}-${i}`))
}

async function main() {
  const broker = new Broker({})
  const p = makeCerts(broker.tmp)
  execFileSync(broker.bin, ['user', 'create', 'kjs', '--password', 'kjs-secret', '--data-dir', broker.dataDir])
  const cfg = path.join(broker.tmp, 'tls.properties')
  fs.writeFileSync(cfg, [
    'listeners=PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0',
    `ssl.keystore.location=${p('keystore.pem')}`,
    `ssl.truststore.location=${p('ca.pem')}`,
    'ssl.client.auth=required',
    'connections.max.reauth.ms=3000',
    'group.initial.rebalance.delay.ms=0',
  ].join('\n') + '\n')
  broker.extraArgs.push('--config', cfg)
  await broker.start()
  try {
    // The listener lines follow `kafka listener on` in one block.
    const ports = {}
    const deadline = Date.now() + 10000
    while (!(ports.SASL_SSL && ports.SSL) && Date.now() < deadline) {
      for (const line of broker.output) {
        const m = /kafka listener (\w+) \(\w+\) on \S+:(\d+)/.exec(line)
        if (m) ports[m[1]] = Number(m[2])
      }
      if (!(ports.SASL_SSL && ports.SSL)) await new Promise(r => setTimeout(r, 50))
    }
    const ca = [fs.readFileSync(p('ca.pem'), 'utf-8')]
    const sasl = (password) => new Kafka({
      brokers: [`127.0.0.1:${ports.SASL_SSL}`], clientId: 'kjs-sasl', logLevel: logLevel.NOTHING,
      ssl: { ca }, sasl: { mechanism: 'scram-sha-512', username: 'kjs', password },
      reauthenticationThreshold: 1500, retry: { retries: 0 },
    })
    await roundTrip(sasl('kjs-secret'), 'kjs-sasl')

    const mtls = new Kafka({
      brokers: [`127.0.0.1:${ports.SSL}`], clientId: 'kjs-mtls', logLevel: logLevel.NOTHING,
      ssl: { ca, cert: fs.readFileSync(p('client.pem'), 'utf-8'), key: fs.readFileSync(p('client.key'), 'utf-8') },
    })
    await roundTrip(mtls, 'kjs-mtls')

    const bad = sasl('wrong').producer()
    await assert.rejects(bad.connect(), e => /SASL_AUTHENTICATION_FAILED|Authentication failed/.test(`${e.type} ${e.message}`))

    // Re-authentication: one producer keeps sending for longer than the
    // 3 s session lifetime; kafkajs re-authenticates within 1.5 s of expiry.
    const producer = sasl('kjs-secret').producer()
    await producer.connect()
    const until = Date.now() + 4500
    let sent = 0
    while (Date.now() < until) {
      await producer.send({ topic: 'kjs-reauth', messages: [{ value: `r${sent++}` }] })
      await new Promise(r => setTimeout(r, 250))
    }
    await producer.disconnect()
    assert.ok(broker.output.some(l => /as User:kjs \(SCRAM-SHA-512\) again/.test(l)), 'no re-authentication logged')
    console.log(`ok (${sent} sends across re-authentication)`)
  } finally {
    await broker.stop().catch(() => {})
    broker.cleanup()
  }
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
