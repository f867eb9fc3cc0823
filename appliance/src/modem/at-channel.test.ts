import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import fc from 'fast-check';
import { silentLogger, VigieError } from '@vigie/common';
import { AtChannel, type UnsolicitedCode } from './at-channel.ts';

/** A scripted modem: `answer` maps each write to the bytes sent back (after the write, asynchronously). */
function scriptedLine(answer: (written: string) => string | undefined = () => undefined) {
  const written: string[] = [];
  const stream: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString('latin1');
      written.push(text);
      const reply = answer(text);
      if (reply !== undefined) setImmediate(() => stream.push(Buffer.from(reply, 'latin1')));
      callback();
    },
  });
  // Generous: only the cases about timeouts set a short one on their command.
  const channel = new AtChannel(stream, { log: silentLogger(), defaultTimeoutMs: 5_000 });
  const unsolicited: UnsolicitedCode[] = [];
  channel.on('unsolicited', (code) => unsolicited.push(code));
  channel.start();
  /** Bytes from the modem, now. */
  const modemSays = (text: string | Buffer) => stream.push(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  return { channel, written, unsolicited, modemSays };
}

const hasCode = (code: string, details: Record<string, unknown> = {}) => (err: unknown) => {
  assert.ok(err instanceof VigieError, String(err));
  assert.equal(err.code, code);
  for (const [k, v] of Object.entries(details)) assert.equal(err.details[k], v);
  return true;
};

test('resolves with the information lines and ignores the echo of the command', async () => {
  const { channel } = scriptedLine((w) => (w === 'AT+CSQ\r' ? 'AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n' : undefined));
  assert.deepEqual((await channel.send('AT+CSQ', { expect: '+CSQ:' })).lines, ['+CSQ: 20,99']);
});

test('routes unsolicited codes arriving before, between and after the answer lines to unsolicited events', async () => {
  const { channel, unsolicited, modemSays } = scriptedLine((w) =>
    w === 'AT+CMGL=4\r'
      ? '\r\nRING\r\n\r\n+CMGL: 1,0,,5\r\n0011AA\r\n\r\n+CMTI: "SM",3\r\n\r\n+CMGL: 2,1,,5\r\n0022BB\r\n\r\n+CREG: 1\r\n\r\nOK\r\n\r\n+CMTI: "SM",4\r\n'
      : undefined,
  );
  modemSays('\r\n+CMTI: "SM",2\r\n');
  const answer = await channel.send('AT+CMGL=4', { expect: '+CMGL:', dataLines: true });
  assert.deepEqual(answer.lines, ['+CMGL: 1,0,,5', '0011AA', '+CMGL: 2,1,,5', '0022BB']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    unsolicited.map((u) => u.line),
    ['+CMTI: "SM",2', 'RING', '+CMTI: "SM",3', '+CREG: 1', '+CMTI: "SM",4'],
  );
});

test('waits for the "> " prompt that has no line ending, then writes the PDU and Ctrl-Z', async () => {
  const { channel, written } = scriptedLine((w) => {
    if (w === 'AT+CMGS=23\r') return '\r\n> ';
    if (w === '0011ABCD\x1a') return '\r\n+CMGS: 7\r\n\r\nOK\r\n';
    return undefined;
  });
  const answer = await channel.send('AT+CMGS=23', { body: '0011ABCD', expect: '+CMGS:' });
  assert.deepEqual(answer.lines, ['+CMGS: 7']);
  assert.deepEqual(written, ['AT+CMGS=23\r', '0011ABCD\x1a']);
});

test('finds the prompt when it comes byte by byte behind a URC, with echo on', async () => {
  const { channel, written, unsolicited, modemSays } = scriptedLine((w) => {
    if (w === '0011ABCD\x1a') return '0011ABCD\x1a\r\n+CMGS: 8\r\n\r\nOK\r\n'; // the PDU echoed back
    return undefined;
  });
  const sending = channel.send('AT+CMGS=23', { body: '0011ABCD', expect: '+CMGS:' });
  for (const byte of 'AT+CMGS=23\r\r\n+CMTI: "SM",1\r\n\r\n> ') {
    modemSays(byte);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.deepEqual((await sending).lines, ['+CMGS: 8']);
  assert.deepEqual(written, ['AT+CMGS=23\r', '0011ABCD\x1a']);
  assert.deepEqual(unsolicited, [{ line: '+CMTI: "SM",1' }]);
});

test('maps ERROR, +CME ERROR and +CMS ERROR, numeric or verbose, to catalogued errors carrying the code', async () => {
  const replies: Record<string, string> = {
    'AT+A\r': '\r\nERROR\r\n',
    'AT+B\r': '\r\n+CME ERROR: 10\r\n',
    'AT+C\r': '\r\n+CMS ERROR: 500\r\n',
    'AT+D\r': '\r\n+CME ERROR: SIM not inserted\r\n',
  };
  const { channel } = scriptedLine((w) => replies[w]);
  await assert.rejects(channel.send('AT+A'), hasCode('BOX_MODEM_ERROR', { command: 'AT+A' }));
  await assert.rejects(channel.send('AT+B'), hasCode('BOX_MODEM_CME_ERROR', { cme: 10 }));
  await assert.rejects(channel.send('AT+C'), hasCode('BOX_MODEM_CMS_ERROR', { cms: 500 }));
  await assert.rejects(channel.send('AT+D'), hasCode('BOX_MODEM_CME_ERROR', { cme: 'SIM not inserted' }));
});

test('times out with BOX_MODEM_TIMEOUT, then drops the late answer before running the next command', async () => {
  let late = '';
  const { channel, written, modemSays } = scriptedLine((w) => {
    if (w === 'AT+CMEE?\r') return `${late}\r\n+CMEE: 1\r\n\r\nOK\r\n`;
    if (w === 'AT+CSQ\r') return '\r\n+CSQ: 17,99\r\n\r\nOK\r\n';
    return undefined; // AT+COPS? gets no answer in time
  });
  await assert.rejects(channel.send('AT+COPS?', { expect: '+COPS:', timeoutMs: 30 }), hasCode('BOX_MODEM_TIMEOUT', { command: 'AT+COPS?' }));
  modemSays('\r\n+COPS: 0,0,"Orange F",7\r\n'); // the answer was only slow…
  late = '\r\nOK\r\n'; // …and its final result comes just before the realignment's own answer
  assert.deepEqual((await channel.send('AT+CSQ', { expect: '+CSQ:' })).lines, ['+CSQ: 17,99']);
  assert.deepEqual(written, ['AT+COPS?\r', 'AT+CMEE?\r', 'AT+CSQ\r']);
});

test('cancels a message still waiting after a prompt with ESC when the send timed out', async () => {
  const { channel, written } = scriptedLine((w) => {
    if (w === 'AT+CMGS=23\r') return '\r\n> ';
    if (w === '\x1b\r') return '\r\nOK\r\n';
    if (w === 'AT+CMEE?\r') return '\r\n+CMEE: 1\r\n\r\nOK\r\n';
    if (w === 'AT\r') return '\r\nOK\r\n';
    return undefined; // the PDU gets no +CMGS
  });
  await assert.rejects(channel.send('AT+CMGS=23', { body: '0011', timeoutMs: 30 }), hasCode('BOX_MODEM_TIMEOUT'));
  await channel.send('AT');
  assert.deepEqual(written, ['AT+CMGS=23\r', '0011\x1a', '\x1b\r', 'AT+CMEE?\r', 'AT\r']);
});

test('realigns past the ERROR a modem gives for a command line a killed process left half-typed', async () => {
  const { channel } = scriptedLine((w) => {
    if (w === 'AT+CMGS=23\r') return '\r\n> ';
    // The CR after ESC ends whatever was pending on the line: the modem refuses it.
    if (w === '\x1b\r') return '\r\nERROR\r\n';
    if (w === 'AT+CMEE?\r') return '\r\n+CMEE: 1\r\n\r\nOK\r\n';
    if (w === 'AT\r') return '\r\nOK\r\n';
    return undefined;
  });
  await assert.rejects(channel.send('AT+CMGS=23', { body: '0011', timeoutMs: 30 }), hasCode('BOX_MODEM_TIMEOUT'));
  assert.deepEqual((await channel.send('AT')).lines, []);
});

test('ignores an OK that comes before a required information line', async () => {
  const { channel } = scriptedLine((w) => (w === 'AT+CSQ\r' ? '\r\nOK\r\n\r\n+CSQ: 12,99\r\n\r\nOK\r\n' : undefined));
  assert.deepEqual((await channel.send('AT+CSQ', { expect: '+CSQ:', required: true })).lines, ['+CSQ: 12,99']);
});

test('does not take a URC slipped between a +CMGR header and its PDU for the PDU', async () => {
  const { channel, unsolicited } = scriptedLine((w) =>
    w === 'AT+CMGR=1\r' ? '\r\n+CMGR: 0,,24\r\n+CREG: 1\r\n07911326040000F0\r\n\r\nOK\r\n' : undefined,
  );
  assert.deepEqual((await channel.send('AT+CMGR=1', { expect: '+CMGR:', dataLines: true })).lines, ['+CMGR: 0,,24', '07911326040000F0']);
  assert.deepEqual(unsolicited, [{ line: '+CREG: 1' }]);
});

test('runs one command at a time, in the order they were asked', async () => {
  const { channel, written } = scriptedLine((w) => `\r\n+X: ${w.trim()}\r\n\r\nOK\r\n`);
  const answers = await Promise.all(['AT+A', 'AT+B', 'AT+C'].map((c) => channel.send(c, { expect: '+X:' })));
  assert.deepEqual(answers.map((a) => a.lines[0]), ['+X: AT+A', '+X: AT+B', '+X: AT+C']);
  assert.deepEqual(written, ['AT+A\r', 'AT+B\r', 'AT+C\r']);
});

test('passes two-line unsolicited codes (+CMT) with their PDU line', async () => {
  const { unsolicited, modemSays } = scriptedLine();
  modemSays('\r\n+CMT: ,24\r\n07911326040000F0040B91\r\n');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(unsolicited, [{ line: '+CMT: ,24', data: '07911326040000F0040B91' }]);
});

test('rejects the running and the queued commands with BOX_MODEM_CLOSED when stopped', async () => {
  const { channel } = scriptedLine();
  const running = channel.send('AT+A');
  const queued = channel.send('AT+B');
  channel.stop();
  await assert.rejects(running, hasCode('BOX_MODEM_CLOSED'));
  await assert.rejects(queued, hasCode('BOX_MODEM_CLOSED'));
  await assert.rejects(channel.send('AT'), hasCode('BOX_MODEM_CLOSED'));
});

test('survives any garbage on the line and answers the next command', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (garbage) => {
      const { channel, modemSays } = scriptedLine((w) => (w === 'AT+CSQ\r' ? '\r\n+CSQ: 9,99\r\n\r\nOK\r\n' : undefined));
      modemSays(Buffer.from(garbage));
      assert.deepEqual((await channel.send('AT+CSQ', { expect: '+CSQ:' })).lines, ['+CSQ: 9,99']);
      channel.stop();
    }),
    { numRuns: 300 },
  );
});

test('drops an overlong line without ending instead of growing without bound', async () => {
  const { channel, modemSays } = scriptedLine((w) => (w === 'AT\r' ? '\r\nOK\r\n' : undefined));
  modemSays('x'.repeat(10_000));
  await channel.send('AT');
});

test('ends a +CMGR answer on a final result that comes where its PDU line was expected, without a PDU', async () => {
  const replies: Record<string, string> = {
    'AT+CMGR=1\r': '\r\n+CMGR: 0,,0\r\n\r\nOK\r\n',
    'AT+CMGR=2\r': '\r\n+CMGR: 0,,24\r\n\r\n+CMS ERROR: 321\r\n',
    'AT+CMGR=3\r': '\r\n+CMGR: 0,,24\r\nERROR\r\n',
    'AT\r': '\r\nOK\r\n',
  };
  const { channel, written } = scriptedLine((w) => replies[w]);
  const options = { expect: '+CMGR:', dataLines: true, timeoutMs: 200 };
  assert.deepEqual((await channel.send('AT+CMGR=1', options)).lines, ['+CMGR: 0,,0']);
  await assert.rejects(channel.send('AT+CMGR=2', options), hasCode('BOX_MODEM_CMS_ERROR', { cms: 321 }));
  await assert.rejects(channel.send('AT+CMGR=3', options), hasCode('BOX_MODEM_ERROR'));
  await channel.send('AT');
  // No timeout, so no realignment (AT+CMEE?) before the next command.
  assert.deepEqual(written, ['AT+CMGR=1\r', 'AT+CMGR=2\r', 'AT+CMGR=3\r', 'AT\r']);
});

test('passes a +CMT on without a PDU and lets the command have the final result that came in its place', async () => {
  const { channel, unsolicited, written } = scriptedLine((w) => (w === 'AT\r' ? '\r\n+CMT: ,24\r\n\r\nOK\r\n' : undefined));
  assert.deepEqual((await channel.send('AT', { timeoutMs: 200 })).lines, []);
  assert.deepEqual(unsolicited, [{ line: '+CMT: ,24' }]);
  assert.deepEqual(written, ['AT\r']);
});
