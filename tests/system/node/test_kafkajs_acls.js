'use strict'
// kafkajs 2.2.4's ACL admin calls (createAcls, describeAcls, deleteAcls) as
// User:ANONYMOUS on a broker with the default
// allow.everyone.if.no.acl.found=true: a DENY WRITE on one topic makes that
// topic's produce fail with TOPIC_AUTHORIZATION_FAILED (the topic now has
// ACLs and none allows ANONYMOUS), a topic without ACLs stays open, and
// deleting the DENY reopens the topic.
const assert = require('assert')
const {
  Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes,
} = require('kafkajs')
const { Broker } = require('./broker')

const ANON = 'User:ANONYMOUS'
const deny = {
  resourceType: AclResourceTypes.TOPIC,
  resourceName: 'kjs-closed',
  resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: ANON,
  host: '*',
  operation: AclOperationTypes.WRITE,
  permissionType: AclPermissionTypes.DENY,
}

async function send(kafka, topic) {
  const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 0 } })
  await producer.connect()
  try {
    await producer.send({ topic, acks: -1, messages: [{ value: 'v' }] })
    return null
  } catch (e) {
    // kafkajs wraps the protocol error in a KafkaJSNonRetriableError.
    return [e.type, e.message, e.cause && e.cause.type, e.originalError && e.originalError.type].join(' ')
  } finally {
    await producer.disconnect()
  }
}

async function main() {
  const b = await new Broker().start()
  try {
    const kafka = new Kafka({ clientId: 'kjs-acls', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createAcls({ acl: [deny] })
    const described = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    })
    assert.strictEqual(described.resources.length, 1, JSON.stringify(described))
    assert.strictEqual(described.resources[0].resourceName, 'kjs-closed')
    assert.strictEqual(described.resources[0].acls[0].permissionType, AclPermissionTypes.DENY)

    assert.strictEqual(await send(kafka, 'kjs-open'), null, 'a topic without ACLs stays open')
    const refused = await send(kafka, 'kjs-closed')
    assert.ok(/TOPIC_AUTHORIZATION_FAILED/.test(refused), `produce with a DENY: ${refused}`)

    const deleted = await admin.deleteAcls({ filters: [deny] })
    assert.strictEqual(deleted.filterResponses[0].errorCode, 0)
    assert.strictEqual(deleted.filterResponses[0].matchingAcls.length, 1)
    assert.strictEqual(await send(kafka, 'kjs-closed'), null, 'produce after the DENY was deleted')
    await admin.disconnect()
    console.log('kafkajs ACLs: createAcls/describeAcls/deleteAcls, DENY refuses, deletion reopens')
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
