/**
 * The answers waiting to leave the device. Every answered questionnaire is written here FIRST
 * (IndexedDB), then sent; it leaves the outbox only when the server has it (201 stored, or 200
 * duplicate: the same `clientId` was already stored) or refuses it for good (4xx). A network
 * failure, a 5xx or an expired session keep it for the next try: on the `online` event and on
 * every load of the app. The `clientId` is chosen once, when answering, so a replay is never
 * stored twice.
 */
import { ApiError } from '../../api/client.ts';
import type { ResponseSubmission } from '../../api/questionnaire.ts';

/** Where the waiting answers are kept (IndexedDB in the browser, a Map in the unit tests). */
export interface OutboxStore {
  all(): Promise<ResponseSubmission[]>;
  put(submission: ResponseSubmission): Promise<void>;
  delete(clientId: string): Promise<void>;
}

export type SendOutcome = 'stored' | 'duplicate';

export interface FlushReport {
  sent: ResponseSubmission[];
  rejected: { submission: ResponseSubmission; error: unknown }[];
  /** Still waiting (the server could not be reached, or failed): tried again later. */
  waiting: number;
}

/** A failure that will not go away by retrying the same request (kept answers would loop forever). */
export function isFinalRefusal(error: unknown): boolean {
  return error instanceof ApiError && (error.kind === 'bad_request' || error.kind === 'forbidden' || error.kind === 'not_found');
}

export interface Outbox {
  /** Keep `submission`, then try to send everything waiting. */
  add(submission: ResponseSubmission): Promise<FlushReport>;
  /** Send what waits, oldest answer first; one pass at a time (a call during a pass runs after it). */
  flush(): Promise<FlushReport>;
  pending(): Promise<ResponseSubmission[]>;
  /** Called after each pass that changed something. */
  subscribe(listener: (report: FlushReport) => void): () => void;
}

export function createOutbox(store: OutboxStore, send: (submission: ResponseSubmission) => Promise<SendOutcome>): Outbox {
  const listeners = new Set<(report: FlushReport) => void>();
  let running: Promise<FlushReport> | null = null;
  let again = false;

  const pass = async (): Promise<FlushReport> => {
    const report: FlushReport = { sent: [], rejected: [], waiting: 0 };
    const queue = (await store.all()).sort((a, b) => a.answeredAt.localeCompare(b.answeredAt));
    for (let i = 0; i < queue.length; i++) {
      const submission = queue[i]!;
      try {
        await send(submission);
        await store.delete(submission.clientId);
        report.sent.push(submission);
      } catch (error) {
        if (isFinalRefusal(error)) {
          await store.delete(submission.clientId);
          report.rejected.push({ submission, error });
        } else {
          // Unreachable or failing server: the rest would fail the same way; keep them all.
          report.waiting = queue.length - i;
          break;
        }
      }
    }
    if (report.sent.length > 0 || report.rejected.length > 0) for (const listener of listeners) listener(report);
    return report;
  };

  const flush = (): Promise<FlushReport> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        let report = await pass();
        while (again) {
          again = false;
          const next = await pass();
          report = { sent: [...report.sent, ...next.sent], rejected: [...report.rejected, ...next.rejected], waiting: next.waiting };
        }
        return report;
      } finally {
        running = null;
      }
    })();
    return running;
  };

  return {
    async add(submission) {
      await store.put(submission);
      return flush();
    },
    flush,
    pending: () => store.all(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
