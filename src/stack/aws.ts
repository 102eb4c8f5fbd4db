/**
 * moto's server (PyPI), in a venv in the cache: SNS, SQS, IAM, STS,
 * CloudWatch and the Lambda control plane. It listens on MOTO_PORT, behind
 * the public endpoint (src/stack/endpoint.ts), which serves Lambda Invoke
 * itself and passes everything else here.
 *
 * Why moto and not LocalStack on the host: moto's server is a plain pip
 * install that starts in about a second and needs no auth token; LocalStack's
 * community edition is archived and its host mode needs more of its own
 * infrastructure. moto never executes Lambda code without Docker, which is why
 * Invoke is served by AWS's Runtime Interface Emulator instead.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOTO_TOKEN_HEADER } from './endpoint/protocol.ts';
import {
  accountId,
  ensureDir,
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
 * `moto_server`, with changes that keep it private, lenient where LocalStack
 * is, and fast under the pipeline's load:
 * - no werkzeug line per request in aws.log (thousands of calls a second);
 *   `MOTO_ACCESS_LOG=1` keeps it;
 * - (any moto version) a guard in front of the whole app (see {@link motoToken}): a request
 *   without the stack's token (header `x-opensky-stack-token`) gets 403, so a
 *   web page, whose preflights and simple requests cannot carry it, and
 *   another user of the machine, who cannot read it, reach nothing here, not
 *   even `/moto-api` (reset, dashboard, state). Any `Access-Control-*` header
 *   moto would add is dropped (moto answers every origin by default), and a
 *   `Host` that is not loopback (DNS rebinding) is refused as well;
 * - CreateFunction with a role that does not exist (the seed workshop's
 *   `arn:aws:iam::000000000000:role/lambda-role`, never created) stores the
 *   function and logs a warning to aws.log, as LocalStack accepts it; moto,
 *   like AWS, refuses it ("The role defined for the function cannot be assumed
 *   by Lambda."). A role ARN of another account or of a bad format is still refused;
 * - SendMessage (and so every SNS→SQS delivery) no longer costs O(messages in
 *   the queue). moto computes all queue attributes there, including the
 *   ApproximateNumberOf* counts that check every message's visibility, only
 *   to read ContentBasedDeduplication; with thousands of undeleted messages
 *   that made one Publish cost tens of milliseconds. During SendMessage the
 *   queue now answers that one attribute directly; everywhere else (e.g.
 *   GetQueueAttributes) nothing changes. SQS also reads the clock with
 *   time.time() (the same wall-clock milliseconds) instead of two datetimes.
 * The last two are applied to the pinned moto version only; another version
 * runs them unchanged (and refuses a role that does not exist).
 */
const motoMain = `
import hmac, logging, os, re, sys, threading, time
if os.environ.get('MOTO_ACCESS_LOG') != '1':
    logging.getLogger('werkzeug').setLevel(logging.WARNING)
import moto
import moto.server as _server
_token = os.environ.pop('OPENSKY_STACK_MOTO_TOKEN', '')
_token_key = 'HTTP_${MOTO_TOKEN_HEADER.toUpperCase().replaceAll('-', '_')}'
_loopback = re.compile(r'^(?:localhost|127(?:[.][0-9]{1,3}){3}|\\[::1\\])(?::[0-9]{1,5})?$', re.IGNORECASE)
def _refusal(environ):
    given = environ.pop(_token_key, '')
    if not _token:
        return 'moto was started without its token'
    if not hmac.compare_digest(given.encode(), _token.encode()):
        return 'this port answers the local stack only (no valid token)'
    if not _loopback.match(environ.get('HTTP_HOST', '')):
        return 'Host is not a loopback address'
    return None
def _guard(app):
    def guarded(environ, start_response):
        reason = _refusal(environ)
        if reason:
            body = ('moto (local stack, internal): ' + reason + '\\n').encode()
            start_response('403 Forbidden', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
            return [body]
        def without_cors(status, headers, exc_info=None):
            kept = [(k, v) for k, v in headers if not k.lower().startswith('access-control-')]
            return start_response(status, kept, exc_info)
        return app(environ, without_cors)
    return guarded
_run_simple = _server.run_simple
_server.run_simple = lambda host, port, app, **kwargs: _run_simple(host, port, _guard(app), **kwargs)
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
    import json
    import moto.awslambda.models as awslambda
    import moto.iam.models as iam
    from moto.iam.exceptions import NotFoundException as RoleNotFound
    _get_role_by_arn = iam.IAMBackend.get_role_by_arn
    def get_role_by_arn(backend, arn):
        try:
            return _get_role_by_arn(backend, arn)
        except RoleNotFound:
            if not getattr(_local, 'storing_function', False):
                raise
            print(json.dumps({'time': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), 'level': 'warn',
                'msg': 'role ' + arn + ' does not exist: function stored anyway, as LocalStack does '
                       '(AWS refuses it: The role defined for the function cannot be assumed by Lambda.)'}), flush=True)
            return None
    iam.IAMBackend.get_role_by_arn = get_role_by_arn
    _put_function = awslambda.LambdaStorage.put_function
    def put_function(storage, fn):
        _local.storing_function = True
        try:
            return _put_function(storage, fn)
        finally:
            _local.storing_function = False
    awslambda.LambdaStorage.put_function = put_function
else:
    print('moto ' + moto.__version__ + ' is not the pinned ${motoVersion}: running it unpatched', flush=True)
from moto.server import main
main(sys.argv[1:])
`;

const tokenFile = (cfg: StackConfig) => join(cfg.runDir, 'moto.token');

/**
 * The token moto's guard asks for, as the stack that started moto wrote it
 * (`<runDir>/moto.token`, readable by its owner only); undefined when there is
 * none. The AWS endpoint gets it in its environment and sends it with every
 * call it passes to moto; the guard refuses any request without it.
 */
export function motoToken(cfg: StackConfig): string | undefined {
  try {
    return readFileSync(tokenFile(cfg), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A new token for a moto about to start, written owner-only. */
function newMotoToken(cfg: StackConfig): string {
  const token = randomBytes(32).toString('hex');
  ensureDir(cfg.runDir);
  writeFileSync(tokenFile(cfg), `${token}\n`, { mode: 0o600 });
  chmodSync(tokenFile(cfg), 0o600); // a file left by an earlier run keeps its mode otherwise
  return token;
}

/** The process environment without the launching shell's AWS credentials: moto never needs real ones. */
export function withoutAwsCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, ...rest } = env;
  return rest;
}

/**
 * True when moto answers an SNS call (not only a TCP accept), with the stack's
 * token. Generous timeout: a moto busy with a benchmark is slow, not gone.
 */
export async function motoAnswers(cfg: StackConfig, port = cfg.motoPort): Promise<boolean> {
  const token = motoToken(cfg);
  try {
    const response = await fetch(`http://${cfg.host}:${port}/`, {
      method: 'POST',
      headers: {
        ...(token ? { [MOTO_TOKEN_HEADER]: token } : {}),
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
    const token = newMotoToken(cfg);
    spawnService(
      cfg,
      'aws',
      join(venvDir(cfg), 'bin', 'python'),
      ['-c', motoMain, '-H', cfg.host, '-p', String(cfg.motoPort)],
      {
        env: {
          ...withoutAwsCredentials(process.env),
          MOTO_ALLOW_NONEXISTENT_REGION: 'true',
          MOTO_ACCOUNT_ID: accountId,
          // moto's own switch for the CORS headers it adds to every answer; the guard drops any left.
          MOTO_DISABLE_GLOBAL_CORS: 'true',
          OPENSKY_STACK_MOTO_TOKEN: token,
        },
      },
    );
    await waitUntil('aws (moto)', () => motoAnswers(cfg), { timeoutMs: 60_000, cfg, service: 'aws' });
  },

  healthy: (cfg) => motoAnswers(cfg),
};
