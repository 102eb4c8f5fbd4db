/**
 * moto's server (PyPI), in a venv in the cache: SNS, SQS, IAM, STS,
 * CloudWatch and the Lambda control plane. It listens on MOTO_PORT, behind
 * the public endpoint (src/stack/lambda.ts), which serves Lambda Invoke
 * itself and passes everything else here.
 *
 * Why moto and not LocalStack on the host: moto's server is a plain pip
 * install that starts in about a second and needs no auth token; LocalStack's
 * community edition is archived and its host mode needs more of its own
 * infrastructure. moto never executes Lambda code without Docker, which is why
 * Invoke is served by AWS's Runtime Interface Emulator instead.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  accountId,
  runStep,
  type Service,
  type StackConfig,
  spawnService,
  tcpOpen,
  waitUntil,
} from './lib.ts';

export const motoVersion = '5.2.5';

const venvDir = (cfg: StackConfig) => join(cfg.cacheDir, `moto-${motoVersion}`);

function python(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPENSKY_STREAM_PYTHON || 'python3';
}

/**
 * `moto_server`, with changes that keep it fast under the pipeline's load:
 * - no werkzeug line per request in aws.log (thousands of calls a second);
 *   `MOTO_ACCESS_LOG=1` keeps it;
 * - SendMessage (and so every SNS→SQS delivery) no longer costs O(messages in
 *   the queue). moto computes all queue attributes there, including the
 *   ApproximateNumberOf* counts that check every message's visibility, only
 *   to read ContentBasedDeduplication; with thousands of undeleted messages
 *   that made one Publish cost tens of milliseconds. During SendMessage the
 *   queue now answers that one attribute directly; everywhere else (e.g.
 *   GetQueueAttributes) nothing changes. SQS also reads the clock with
 *   time.time() (the same wall-clock milliseconds) instead of two datetimes.
 * Applied to the pinned moto version only; another version runs unchanged.
 */
const motoMain = `
import logging, os, sys, threading, time
if os.environ.get('MOTO_ACCESS_LOG') != '1':
    logging.getLogger('werkzeug').setLevel(logging.WARNING)
import moto
if moto.__version__ == '${motoVersion}':
    import moto.sqs.models as sqs
    _millis = sqs.unix_time_millis
    sqs.unix_time_millis = lambda dt=None: time.time() * 1000.0 if dt is None else _millis(dt)
    _local = threading.local()
    _attributes = sqs.Queue.attributes.fget
    def _queue_attributes(queue):
        if not getattr(_local, 'sending', False):
            return _attributes(queue)
        if not queue.fifo_queue:
            return {}
        value = getattr(queue, 'content_based_deduplication', None)
        return {'ContentBasedDeduplication': str(value).lower() if isinstance(value, bool) else value}
    sqs.Queue.attributes = property(_queue_attributes)
    _send_message = sqs.SQSBackend.send_message
    def send_message(backend, *args, **kwargs):
        outer = getattr(_local, 'sending', False)
        _local.sending = True
        try:
            return _send_message(backend, *args, **kwargs)
        finally:
            _local.sending = outer
    sqs.SQSBackend.send_message = send_message
else:
    print('moto ' + moto.__version__ + ' is not the pinned ${motoVersion}: running it unpatched', flush=True)
from moto.server import main
main(sys.argv[1:])
`;

/**
 * True when moto answers an SNS call (not only a TCP accept). Generous
 * timeout: a moto busy with a benchmark is slow, not gone.
 */
export async function motoAnswers(cfg: StackConfig, port = cfg.motoPort): Promise<boolean> {
  try {
    const response = await fetch(`http://${cfg.host}:${port}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: 'Action=ListTopics&Version=2010-03-31',
      signal: AbortSignal.timeout(10_000),
    });
    return response.status === 200 && (await response.text()).includes('ListTopicsResponse');
  } catch {
    return false;
  }
}

export const awsService: Service = {
  name: 'aws',
  endpoint: (cfg) => `http://${cfg.host}:${cfg.motoPort} (moto ${motoVersion}, internal)`,

  async install(cfg, log) {
    const stamp = join(venvDir(cfg), '.complete');
    if (existsSync(stamp)) return;
    log(`aws: installing moto[server]==${motoVersion} from PyPI into ${venvDir(cfg)}`);
    await runStep(cfg, python(), ['-m', 'venv', '--clear', venvDir(cfg)]);
    await runStep(cfg, join(venvDir(cfg), 'bin', 'pip'), [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `moto[server]==${motoVersion}`,
    ]);
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
  },

  async start(cfg, log) {
    // Never a second moto on a port that is taken: it would die at once, and its pid file
    // would hide the moto that really serves the port from `down` and `status`.
    if (await tcpOpen(cfg.host, cfg.motoPort)) {
      log(`aws: ${cfg.host}:${cfg.motoPort} is already taken; waiting for it to answer as moto`);
      await waitUntil(`aws (moto on ${cfg.host}:${cfg.motoPort})`, () => motoAnswers(cfg), {
        timeoutMs: 60_000,
      });
      return;
    }
    spawnService(
      cfg,
      'aws',
      join(venvDir(cfg), 'bin', 'python'),
      ['-c', motoMain, '-H', cfg.host, '-p', String(cfg.motoPort)],
      { env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true', MOTO_ACCOUNT_ID: accountId } },
    );
    await waitUntil('aws (moto)', () => motoAnswers(cfg), { timeoutMs: 60_000, cfg, service: 'aws' });
  },

  healthy: (cfg) => motoAnswers(cfg),
};
