import assert from 'node:assert/strict';

/** One server-sent event of `/api/events`. */
export interface SseMessage {
  event: string;
  data: Record<string, unknown>;
}

/** A streaming reader of the portal's `/api/events` (at `portalUrl`) that collects messages and comments. */
export async function openEventStream(portalUrl: string, cookie: string) {
  const controller = new AbortController();
  const res = await fetch(`${portalUrl}/api/events`, { headers: { cookie }, signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  let ended = false;
  const waiters = new Set<() => void>();
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const fields = Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
          if (fields[''] !== undefined) comments.push(fields['']);
          if (fields.event) messages.push({ event: fields.event, data: JSON.parse(fields.data!) });
        }
        for (const w of waiters) w();
      }
    } catch {
      // aborted
    }
    ended = true;
    for (const w of waiters) w();
  })();
  const waitFor = (check: () => boolean, what: string, ms = 10_000) =>
    new Promise<void>((resolve, reject) => {
      if (check()) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages)}`));
      }, ms);
      const w = () => {
        if (!check()) return;
        clearTimeout(timer);
        waiters.delete(w);
        resolve();
      };
      waiters.add(w);
    });
  return { messages, comments, waitFor, isEnded: () => ended, close: () => controller.abort() };
}
