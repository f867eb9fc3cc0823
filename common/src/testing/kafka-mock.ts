import { spawn } from 'node:child_process';

/** A running librdkafka mock cluster (started through Debian's `kcat`). */
export interface KafkaMockCluster {
  /** `host:port` of every mock broker, for kafkajs's `brokers`. */
  readonly brokers: string[];
  /** Stop the cluster (kills kcat). Idempotent. */
  stop(): Promise<void>;
}

// librdkafka's notice (always printed): "Mock cluster enabled: … replaced with 127.0.0.1:P1,…".
const BOOTSTRAP = /(?:bootstrap\.servers=|replaced with )([0-9.:,]+)\r?\n/;

/**
 * Start librdkafka's built-in Kafka-protocol mock cluster: `kcat -C -X test.mock.num.brokers=N`
 * prints `Mock cluster enabled: … replaced with 127.0.0.1:P1,…` on stderr and keeps the brokers up
 * while it runs (field notes, "Kafka", use `-d mock`, which also prints every request). Topics auto-create with 4 partitions on first metadata request;
 * CreateTopics and kafkajs's idempotent producer do not work against it.
 *
 * Tests that use it pass `{ skip: skipUnlessTool('kcat') }`.
 */
export async function startKafkaMock(options: { brokers?: number; timeoutMs?: number } = {}): Promise<KafkaMockCluster> {
  const count = options.brokers ?? 3;
  // Without `-d mock`: its per-request debug output costs the cluster (and the tests) much CPU.
  const child = spawn('kcat', ['-b', 'x:9092', '-C', '-t', 'vigie.mock.keepalive', '-q', '-X', `test.mock.num.brokers=${count}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Never leave an orphaned cluster behind a test process that exits without stop().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopped ??= new Promise<void>((resolve) => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }));
  const brokers = await new Promise<string[]>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`kcat mock cluster did not start within ${options.timeoutMs ?? 10_000} ms: ${stderr.slice(-500)}`));
    }, options.timeoutMs ?? 10_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kcat exited (${code}) before the mock cluster started: ${stderr.slice(-500)}`));
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 64_000) stderr += chunk;
      const found = BOOTSTRAP.exec(stderr);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!.split(',').filter(Boolean));
      }
    });
  });
  // Keep draining kcat's debug output, or it blocks on a full pipe.
  child.stderr.removeAllListeners('data');
  child.stderr.resume();
  return { brokers, stop };
}
