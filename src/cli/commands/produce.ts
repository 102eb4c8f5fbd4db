/** `opensky-stream produce`: its flags and help (the implementation, src/cli/run/produce.ts, loads when it runs: commands.ts). */
import { defineCommand } from '../command.ts';
import { type FlagValues, flags } from '../flags.ts';
import { metricsFlags } from '../metrics.ts';
import { duration, kafkaClientFlags, kafkaFlags, logFlags, parseSize, wholeNumber } from '../options.ts';
import { sourceFlags } from '../source-flags.ts';

export const produceFlags = flags({
  ...sourceFlags,
  ...kafkaFlags,
  ...kafkaClientFlags,
  ...metricsFlags,
  ...logFlags,
  partitions: {
    type: 'number',
    to: 'topic.partitions',
    default: 3,
    describe: 'Partitions when the topic is created',
    group: 'Kafka:',
    parse: wholeNumber(),
  },
  compression: {
    type: 'string',
    to: 'sink.compression',
    choices: ['gzip', 'none'],
    default: 'gzip',
    describe: 'Message compression',
    group: 'Kafka:',
  },
  'buffer-size': {
    type: 'string',
    to: 'sink.maxBufferBytes',
    env: 'PRODUCE_BUFFER_SIZE',
    describe:
      'Snapshots kept in memory while Kafka is unreachable (64MiB, 512MiB); when full, the oldest is dropped',
    default: '64MiB',
    group: 'Kafka:',
    parse: parseSize,
  },
  ha: {
    type: 'boolean',
    to: 'standby.enabled',
    env: 'PRODUCE_HA',
    describe:
      'Standby mode: run this on several hosts; they elect one poller through a Kafka consumer group (control topic <topic>-producers), and a standby takes over when it dies',
    default: false,
    group: 'Standby:',
  },
  'standby-group': {
    type: 'string',
    to: 'standby.group',
    env: 'PRODUCE_STANDBY_GROUP',
    describe:
      'With --ha: the group and control topic of the feed (implies --ha) [default: <topic>-producers]',
    group: 'Standby:',
  },
  'trace-context': {
    type: 'boolean',
    to: 'trace.context',
    env: 'PRODUCE_TRACE_CONTEXT',
    describe:
      "A W3C traceparent per snapshot in every message's headers, which the Lambda handler carries into each notification's attributes; --no-trace-context leaves it out (fewer bytes and less CPU on every hop)",
    default: true,
    group: 'Kafka:',
  },
  'flush-timeout': {
    type: 'string',
    to: 'sink.closeTimeoutMs',
    env: 'PRODUCE_FLUSH_TIMEOUT',
    describe: 'On stop, how long to keep trying to send what is buffered',
    default: '15s',
    group: 'Kafka:',
    parse: duration,
  },
});

export type ProduceOptions = FlagValues<typeof produceFlags>;

export const produceCommand = defineCommand({
  command: 'produce',
  describe:
    'Poll OpenSky (or a readsb receiver, an ADS-B network, a recording) and produce state vectors to Kafka',
  flags: produceFlags,
  help: (y) =>
    y
      .example('$0 produce', 'every 3 s, the whole world, anonymous, to aviation-data on 127.0.0.1:9092')
      .example('$0 produce --bbox 45.8,5.9,47.8,10.5 --interval 10s', 'Switzerland only (1 credit per call)')
      .example('$0 produce --replay flights.ndjson --interval 1s', 'replay a recording made with `record`')
      .example(
        '$0 produce --source readsb --source-url http://raspberrypi.local/tar1090/data/aircraft.json --interval 1s',
        'your own receiver, every second',
      )
      .example(
        '$0 produce --source adsbfi --bbox 45.8,5.9,47.8,10.5',
        'Switzerland from adsb.fi (non-commercial)',
      )
      .example('$0 produce --source adsblol --point 47.45,8.56,60', '60 nm around Zürich airport, one query')
      .example(
        '$0 produce --source opensky,adsblol --bbox 45.8,5.9,47.8,10.5 --interval 10s',
        'OpenSky, adsb.lol when OpenSky is exhausted or blocked, back when it recovers',
      )
      .example('$0 produce --ha --interval 10s', 'on two hosts: one polls, the other takes over if it dies')
      .example('$0 produce --metrics-port 9464', 'with Prometheus metrics on http://127.0.0.1:9464/metrics'),
});
