'use strict'
// Starts and stops `$SPATE_BIN serve` for the node system tests: a temp data
// directory, port 0 on the first start and the same port on restarts, ready
// once `kafka listener on HOST:PORT` is printed. Optional broker settings:
// new Broker({ config: { 'group.initial.rebalance.delay.ms': 0 } }) writes them
// to a Kafka-style properties file passed as `--config FILE`. pgwire and HTTP
// are off unless extraArgs names --pg-listen / --http-listen; with HTTP on,
// `registryUrl` is the schema registry's URL once started.
const { spawn } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

class Broker {
  constructor({ config = null, extraArgs = [] } = {}) {
    this.bin = process.env.SPATE_BIN || 'build/spate'
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spate-systest-'))
    this.dataDir = path.join(this.tmp, 'data')
    this.port = 0
    this.output = []
    this.proc = null
    this.extraArgs = [...extraArgs]
    // SQL (pgwire) is off unless the test asks for it.
    if (!this.extraArgs.includes('--pg-listen')) this.extraArgs.push('--pg-listen', 'off')
    // HTTP (the schema registry) likewise.
    if (!this.extraArgs.includes('--http-listen')) this.extraArgs.push('--http-listen', 'off')
    if (config && Object.keys(config).length) {
      const file = path.join(this.tmp, 'server.properties')
      fs.writeFileSync(file, Object.entries(config).map(([k, v]) => `${k}=${v}\n`).join(''))
      this.extraArgs.push('--config', file)
    }
  }

  get bootstrap() {
    return `127.0.0.1:${this.port}`
  }

  async start(timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const proc = spawn(this.bin, ['serve', '--data-dir', this.dataDir, '--kafka-listen', `127.0.0.1:${this.port}`, ...this.extraArgs], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      this.proc = proc
      const httpOn = this.extraArgs[this.extraArgs.indexOf('--http-listen') + 1] !== 'off'
      let kafkaPort = null
      this.registryUrl = null
      const port = await new Promise(resolve => {
        let buf = ''
        const onData = chunk => {
          buf += chunk.toString()
          const lines = buf.split('\n')
          buf = lines.pop()
          for (const line of lines) {
            this.output.push(line)
            const h = /http listener on (\S+)/.exec(line)
            if (h) this.registryUrl = `http://${h[1]}`
            const m = /kafka listener on (\S+):(\d+)/.exec(line)
            if (m) kafkaPort = Number(m[2])
            // Listeners print in one block: with HTTP on, its line comes after Kafka's.
            if (kafkaPort !== null && (!httpOn || this.registryUrl)) resolve(kafkaPort)
          }
        }
        proc.stdout.on('data', onData)
        proc.stderr.on('data', onData)
        proc.on('exit', () => resolve(null))
        setTimeout(() => resolve(null), Math.max(100, deadline - Date.now()))
      })
      if (port !== null) {
        this.port = port
        return this
      }
      if (proc.exitCode === null) {
        proc.kill('SIGKILL')
        await new Promise(r => proc.on('exit', r))
      }
      if (Date.now() >= deadline) {
        throw new Error(`spate serve did not report a kafka listener:\n${this.output.slice(-30).join('\n')}`)
      }
      await new Promise(r => setTimeout(r, 200))
    }
  }

  async stop() {
    const proc = this.proc
    if (!proc || proc.exitCode !== null) return
    const code = await new Promise(resolve => {
      proc.on('exit', (c, sig) => resolve(c === null ? sig : c))
      proc.kill('SIGTERM')
    })
    if (code !== 0) throw new Error(`spate serve exited ${code} on SIGTERM`)
  }

  cleanup() {
    if (this.proc && this.proc.exitCode === null) this.proc.kill('SIGKILL')
    fs.rmSync(this.tmp, { recursive: true, force: true })
  }
}

// Group tests: no initial rebalance delay (as GROUP_TEST_CONFIG in lib/spate_broker.py).
const GROUP_TEST_CONFIG = { 'group.initial.rebalance.delay.ms': 0 }

// Reads `total` records of `topic` from the beginning with a group consumer
// ({ groupId, readUncommitted }), then waits `settleMs` for records that
// should not be there; returns { seen: Map partition -> string values in
// offset order, count }. Rejects after 60 s with what it read.
async function readAll(kafka, topic, total, { groupId, readUncommitted = false, settleMs = 1000 }) {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, readUncommitted })
  const seen = new Map()
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  let count = 0
  const done = new Promise((resolve) => {
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (!seen.has(partition)) seen.set(partition, [])
        seen.get(partition).push(message.value.toString())
        if (++count >= total) resolve()
      },
    })
  })
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${groupId}: read ${count} of ${total}: ${JSON.stringify([...seen])}`)), 60000)
  })
  try {
    await Promise.race([done, timeout])
  } finally {
    clearTimeout(timer)
  }
  await new Promise(r => setTimeout(r, settleMs))
  await consumer.disconnect()
  return { seen, count }
}

module.exports = { Broker, GROUP_TEST_CONFIG, readAll }
