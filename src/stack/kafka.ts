/**
 * Apache Kafka, KRaft single node, from Maven Central (no Docker, no tarball):
 * Maven resolves `kafka_2.13` and its runtime jars into the cache, then the
 * broker runs as `java -cp 'libs/*' kafka.Kafka server.properties`.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from '../kafka/kafkajs.ts';
import {
  ensureDir,
  runStep,
  type Service,
  type StackConfig,
  spawnService,
  stackFile,
  tcpOpen,
  waitUntil,
} from './lib.ts';

const pom = stackFile('pom.xml');
export const kafkaVersion = /<kafka\.version>([^<]+)</.exec(readFileSync(pom, 'utf8'))?.[1] ?? 'unknown';

const libsDir = (cfg: StackConfig) => join(cfg.cacheDir, `kafka-${kafkaVersion}`, 'libs');
const dataDir = (cfg: StackConfig) => join(cfg.runDir, 'kafka', 'data');

function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPENSKY_STREAM_JAVA) return env.OPENSKY_STREAM_JAVA;
  if (env.JAVA_HOME && existsSync(join(env.JAVA_HOME, 'bin', 'java')))
    return join(env.JAVA_HOME, 'bin', 'java');
  return 'java';
}

/**
 * Whether the broker creates a topic on first use (Kafka's own default, and the seed's cp-kafka's): on
 * unless `KAFKA_AUTO_CREATE_TOPICS=false`. The project's clients still ask for their topics explicitly,
 * with the partitions they want; this is for other clients (kafka-python, librdkafka) producing to a
 * topic nobody created.
 */
export function autoCreateTopics(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = (env.KAFKA_AUTO_CREATE_TOPICS ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`KAFKA_AUTO_CREATE_TOPICS must be true or false, got '${env.KAFKA_AUTO_CREATE_TOPICS}'`);
}

function serverProperties(cfg: StackConfig): string {
  const { host, kafkaPort, kafkaControllerPort } = cfg;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=${host}:${kafkaControllerPort}`,
    `listeners=PLAINTEXT://${host}:${kafkaPort},CONTROLLER://${host}:${kafkaControllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${kafkaPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir(cfg)}`,
    `auto.create.topics.enable=${autoCreateTopics()}`,
    'num.partitions=3',
    // Single node: internal topics cannot be replicated.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // `produce --ha` derives its group session timeout from the poll interval (half of it: 1.5 s at
    // the default 3 s) so a standby takes over within two intervals; Kafka's default floor is 6 s.
    'group.min.session.timeout.ms=1000',
    'log.retention.hours=24',
    'log.segment.bytes=104857600',
    '',
  ].join('\n');
}

async function brokerAnswers(cfg: StackConfig): Promise<boolean> {
  if (!(await tcpOpen(cfg.host, cfg.kafkaPort))) return false;
  const kafka = new Kafka({
    clientId: 'opensky-stream-stack',
    brokers: [`${cfg.host}:${cfg.kafkaPort}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export const kafkaService: Service = {
  name: 'kafka',
  endpoint: (cfg) => `${cfg.host}:${cfg.kafkaPort} (Kafka ${kafkaVersion}, KRaft)`,

  async install(cfg, log) {
    const stamp = join(libsDir(cfg), '.complete');
    if (existsSync(stamp)) return;
    log(`kafka: resolving Apache Kafka ${kafkaVersion} from Maven Central (cached in ${libsDir(cfg)})`);
    ensureDir(libsDir(cfg));
    // Maven runs on a copy in the cache: the package's own folder may be read-only (a global install).
    const cachedPom = join(libsDir(cfg), '..', 'pom.xml');
    copyFileSync(pom, cachedPom);
    await runStep(cfg, 'mvn', [
      '-q',
      '-B',
      '-f',
      cachedPom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${libsDir(cfg)}`,
      '-DincludeScope=runtime',
    ]);
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
  },

  async start(cfg) {
    const dir = ensureDir(join(cfg.runDir, 'kafka'));
    const properties = join(dir, 'server.properties');
    writeFileSync(properties, serverProperties(cfg));
    const classpath = `${libsDir(cfg)}/*`;
    const java = javaCommand();
    const log4j = `-Dlog4j2.configurationFile=${stackFile('log4j2.properties')}`;
    if (!existsSync(join(dataDir(cfg), 'meta.properties'))) {
      // First start: format the KRaft metadata log once; later starts reuse the data.
      await runStep(cfg, java, [
        log4j,
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        '--standalone',
        '-t',
        'T3BlblNreVN0cmVhbTAwMQ', // fixed cluster id: base64url of the 16 bytes "OpenSkyStream001"
        '-c',
        properties,
      ]);
    }
    spawnService(cfg, 'kafka', java, [
      '-Xms256m',
      '-Xmx1g',
      // The JIT's quick tier only (C1): a broker started for a run is fast from its first
      // snapshots instead of after C2 has compiled its request paths. `npm run bench -- e2e` on a
      // broker just started: first snapshot p50 1.41 → 1.19 s, whole-run p99 1.59 → 1.46 s; warm,
      // about 1 µs a notification more of the broker's CPU. Starts in 2.1 s instead of 3.1.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      log4j,
      '-cp',
      classpath,
      'kafka.Kafka',
      properties,
    ]);
    await waitUntil('kafka', () => brokerAnswers(cfg), {
      timeoutMs: 120_000,
      cfg,
      service: 'kafka',
      intervalMs: 500,
    });
  },

  healthy: (cfg) => brokerAnswers(cfg),
};
