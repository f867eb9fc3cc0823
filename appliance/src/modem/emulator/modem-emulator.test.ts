import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { decodeDeliver, encodeSubmit } from '../pdu.ts';
import { ModemEmulator, type EmulatorClock, type ModemEmulatorOptions } from './modem-emulator.ts';

/** A clock that only moves when told to. */
function manualClock(): EmulatorClock & { advance(ms: number): void } {
  let now = 1_700_000_000_000;
  let timers: { at: number; callback: () => void; handle: object }[] = [];
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const handle = {};
      timers.push({ at: now + ms, callback, handle });
      return handle;
    },
    clearTimeout(handle) {
      timers = timers.filter((t) => t.handle !== handle);
    },
    advance(ms) {
      now += ms;
      for (const due of timers.filter((t) => t.at <= now)) {
        timers = timers.filter((t) => t !== due);
        due.callback();
      }
    },
  };
}

/** An emulator and everything it printed, as one string. */
function modem(options: ModemEmulatorOptions = {}) {
  const emulator = new ModemEmulator(options);
  let output = '';
  emulator.on('output', (data) => (output += data.toString('latin1')));
  return {
    emulator,
    /** Type a command line; returns what was printed since. */
    type(text: string): string {
      const before = output.length;
      emulator.write(Buffer.from(text, 'latin1'));
      return output.slice(before);
    },
    get output() {
      return output;
    },
  };
}

test('echoes what it receives until ATE0, and frames answers with CR LF', () => {
  const m = modem();
  assert.equal(m.type('AT\r'), 'AT\r\r\nOK\r\n');
  assert.equal(m.type('ATE0\r'), 'ATE0\r\r\nOK\r\n');
  assert.equal(m.type('AT+CSQ\r'), '\r\n+CSQ: 20,99\r\n\r\nOK\r\n');
  assert.equal(m.type('AT+NOPE\r'), '\r\nERROR\r\n');
  assert.equal(m.type('garbage without the prefix\r'), '');
});

test('prints the "> " prompt without line ending, then answers +CMGS with an incrementing reference', () => {
  const m = modem();
  m.type('ATE0\r');
  const [part] = encodeSubmit('+33639980001', 'Chute détectée');
  assert.equal(m.type(`AT+CMGS=${part!.length}\r`), '\r\n> ');
  assert.equal(m.type(`${part!.pdu}\x1a`), '\r\n+CMGS: 0\r\n\r\nOK\r\n');
  m.type(`AT+CMGS=${part!.length}\r`);
  assert.equal(m.type(`${part!.pdu}\x1a`), '\r\n+CMGS: 1\r\n\r\nOK\r\n');
  assert.deepEqual(
    m.emulator.sent.map((s) => [s.to, s.text, s.parts, s.references]),
    [
      ['+33639980001', 'Chute détectée', 1, [0]],
      ['+33639980001', 'Chute détectée', 1, [1]],
    ],
  );
});

test('answers +CMS ERROR: 304 to a malformed PDU or a wrong length, and OK to ESC', () => {
  const m = modem();
  m.type('ATE0\r');
  m.type('AT+CMGS=10\r');
  assert.equal(m.type('0011ZZ\x1a'), '\r\n+CMS ERROR: 304\r\n');
  const [part] = encodeSubmit('+33639980001', 'x');
  m.type(`AT+CMGS=${part!.length + 1}\r`);
  assert.equal(m.type(`${part!.pdu}\x1a`), '\r\n+CMS ERROR: 304\r\n');
  m.type(`AT+CMGS=${part!.length}\r`);
  assert.equal(m.type('00\x1b'), '\r\nOK\r\n');
  assert.deepEqual(m.emulator.sent, []);
});

test('reassembles concatenated parts and appends one JSON line per message to the record file', () => {
  const dir = tempDir();
  try {
    const recordFile = join(dir.path, 'box', 'sms.jsonl');
    const m = modem({ recordFile });
    m.type('ATE0\r');
    const text = `ALERTE Vigie : ${'chute détectée, '.repeat(12)}`;
    for (const part of encodeSubmit('+33639980001', text, { reference: 9 })) {
      m.type(`AT+CMGS=${part.length}\r`);
      m.type(`${part.pdu}\x1a`);
    }
    const lines = readFileSync(recordFile, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    assert.deepEqual(JSON.parse(lines[0]!), { to: '+33639980001', text, parts: 2, references: [0, 1], at: m.emulator.sent[0]!.at });
  } finally {
    dir.cleanup();
  }
});

test('stores a delivered SMS, announces it with +CMTI once AT+CNMI asks, and serves AT+CMGR, AT+CMGL and AT+CMGD', () => {
  const m = modem();
  m.type('ATE0\r');
  assert.deepEqual(m.emulator.deliver('+33639980002', 'before CNMI'), [1]);
  m.type('AT+CNMI=2,1,0,0,0\r');
  const before = m.output.length;
  assert.deepEqual(m.emulator.deliver('+33639980002', 'OK 12'), [2]);
  assert.equal(m.output.slice(before), '\r\n+CMTI: "SM",2\r\n');
  const read = /\+CMGR: 0,,(\d+)\r\n\r\n([0-9A-F]+)\r\n/.exec(m.type('AT+CMGR=2\r'))!;
  assert.equal(decodeDeliver(read[2]!).text, 'OK 12');
  assert.match(m.type('AT+CMGL=4\r'), /^\r\n\+CMGL: 1,0,,\d+\r\n\r\n[0-9A-F]+\r\n\r\n\+CMGL: 2,1,,\d+\r\n/);
  m.type('AT+CMGD=2\r');
  assert.deepEqual(m.emulator.storedIndexes, [1]);
  assert.equal(m.type('AT+CMGR=2\r'), '\r\n+CMS ERROR: 321\r\n');
  m.type('AT+CMGD=1,4\r');
  assert.deepEqual(m.emulator.storedIndexes, []);
});

test('reports no SIM as +CME ERROR: 10 (numeric or verbose) and refuses SMS commands with +CMS ERROR: 310', () => {
  const m = modem();
  m.type('ATE0\r');
  m.emulator.setSim('missing');
  assert.equal(m.type('AT+CPIN?\r'), '\r\nERROR\r\n'); // AT+CMEE=0: plain ERROR
  m.type('AT+CMEE=1\r');
  assert.equal(m.type('AT+CPIN?\r'), '\r\n+CME ERROR: 10\r\n');
  m.type('AT+CMEE=2\r');
  assert.equal(m.type('AT+CPIN?\r'), '\r\n+CME ERROR: SIM not inserted\r\n');
  m.type('AT+CMEE=1\r');
  assert.equal(m.type('AT+CMGS=20\r'), '\r\n+CMS ERROR: 310\r\n');
  assert.equal(m.type('AT+CREG?\r'), '\r\n+CREG: 0,0\r\n\r\nOK\r\n');
});

test('answers each command after the configured delay, never before an earlier answer, on its own clock', () => {
  const clock = manualClock();
  const m = modem({ delayMs: 2_000, clock });
  m.type('ATE0\r'); // the echo is immediate, the answer is not
  assert.equal(m.output, 'ATE0\r');
  clock.advance(1_000);
  m.type('AT+CSQ\r');
  m.emulator.setDelay(0); // a quicker answer still waits for the earlier one
  m.type('AT\r');
  clock.advance(999);
  assert.equal(m.output, 'ATE0\r');
  clock.advance(1);
  assert.equal(m.output, 'ATE0\r\r\nOK\r\n');
  clock.advance(1_000);
  assert.equal(m.output, 'ATE0\r\r\nOK\r\n\r\n+CSQ: 20,99\r\n\r\nOK\r\n\r\nOK\r\n');
});

test('fails the next send with the injected +CMS ERROR, then sends normally', () => {
  const m = modem();
  m.type('ATE0\r');
  m.emulator.failNextSend(331);
  const [part] = encodeSubmit('+33639980001', 'x');
  m.type(`AT+CMGS=${part!.length}\r`);
  assert.equal(m.type(`${part!.pdu}\x1a`), '\r\n+CMS ERROR: 331\r\n');
  m.type(`AT+CMGS=${part!.length}\r`);
  assert.equal(m.type(`${part!.pdu}\x1a`), '\r\n+CMGS: 0\r\n\r\nOK\r\n');
});

test('says nothing while stopped, forgets what it was told, and answers again once resumed', () => {
  const m = modem();
  m.emulator.stopAnswering();
  assert.equal(m.type('AT\r'), '');
  m.emulator.resumeAnswering();
  assert.equal(m.type('AT\r'), 'AT\r\r\nOK\r\n');
});

test('prints an injected URC before, between and after the lines of the next answer', () => {
  const m = modem();
  m.type('ATE0\r');
  m.emulator.interleaveUrc('RING');
  assert.equal(m.type('AT+CSQ\r'), '\r\nRING\r\n\r\n+CSQ: 20,99\r\n\r\nRING\r\n\r\nOK\r\n\r\nRING\r\n');
});

test('keeps echoing after ATE0 when told to behave like a faulty modem', () => {
  const m = modem();
  m.emulator.ignoreEchoOff();
  m.type('ATE0\r');
  assert.equal(m.type('AT\r'), 'AT\r\r\nOK\r\n');
});

test('writes an SMS-SUBMIT with AT+CMGW (stat 2, nothing sent), sends it with AT+CMSS, then reads stat 3 with AT+CMGR', () => {
  const m = modem();
  m.type('ATE0\r');
  const [part] = encodeSubmit('+33639980001', 'Chute détectée');
  assert.equal(m.type(`AT+CMGW=${part!.length},2\r`), '\r\n> ');
  assert.equal(m.type(`${part!.pdu}\x1a`), '\r\n+CMGW: 1\r\n\r\nOK\r\n');
  assert.equal(m.type('AT+CMGR=1\r'), `\r\n+CMGR: 2,,${part!.length}\r\n\r\n${part!.pdu}\r\n\r\nOK\r\n`);
  assert.equal(m.emulator.sent.length, 0);
  assert.equal(m.type('AT+CMSS=1\r'), '\r\n+CMSS: 0\r\n\r\nOK\r\n');
  assert.match(m.type('AT+CMGR=1\r'), /^\r\n\+CMGR: 3,,/);
  // Sent again when asked again, as a real modem does.
  assert.equal(m.type('AT+CMSS=1\r'), '\r\n+CMSS: 1\r\n\r\nOK\r\n');
  assert.deepEqual(m.emulator.sent.map((s) => [s.to, s.text, s.references]), [
    ['+33639980001', 'Chute détectée', [0]],
    ['+33639980001', 'Chute détectée', [1]],
  ]);
  assert.deepEqual(m.emulator.sentParts.map((p) => [p.sequence, p.total, p.reference, p.storageIndex]), [
    [1, 1, 0, 1],
    [1, 1, 1, 1],
  ]);
});

test('records a concatenated message sent from storage once, when its last part goes out, in whatever order', () => {
  const dir = tempDir();
  try {
    const recordFile = join(dir.path, 'sms.jsonl');
    const m = modem({ recordFile });
    m.type('ATE0\r');
    const text = `ALERTE Vigie : ${'chute détectée, '.repeat(12)}`;
    const indexes = encodeSubmit('+33639980001', text, { reference: 4 }).map((part) => {
      m.type(`AT+CMGW=${part.length}\r`); // <stat> defaults to 2
      return Number(/\+CMGW: (\d+)/.exec(m.type(`${part.pdu}\x1a`))![1]);
    });
    assert.deepEqual(indexes, [1, 2]);
    m.type('AT+CMSS=2\r');
    assert.equal(m.emulator.sent.length, 0);
    m.type('AT+CMSS=1\r');
    assert.deepEqual(m.emulator.sent.map((s) => [s.text, s.parts, s.references]), [[text, 2, [1, 0]]]);
    assert.equal(readFileSync(recordFile, 'utf8').trim().split('\n').length, 1);
  } finally {
    dir.cleanup();
  }
});

test('sends a stored part to the <da> AT+CMSS names instead of its own recipient', () => {
  const m = modem();
  m.type('ATE0\r');
  const [part] = encodeSubmit('+33639980001', 'Test');
  m.type(`AT+CMGW=${part!.length},2\r`);
  m.type(`${part!.pdu}\x1a`);
  assert.equal(m.type('AT+CMSS=1,"+33639980002",145\r'), '\r\n+CMSS: 0\r\n\r\nOK\r\n');
  assert.equal(m.emulator.sent[0]?.to, '+33639980002');
});

test('answers +CMS ERROR: 322 when the memory is full, 321 for an empty index, 302 to AT+CMSS of a received SMS, 304 to a bad PDU', () => {
  const m = modem({ capacity: 2 });
  m.type('ATE0\r');
  m.emulator.deliver('+33639980002', 'OK 12');
  const [part] = encodeSubmit('+33639980001', 'Test');
  m.type(`AT+CMGW=${part!.length},2\r`);
  assert.equal(m.type('0011ZZ\x1a'), '\r\n+CMS ERROR: 304\r\n');
  m.type(`AT+CMGW=${part!.length + 1},2\r`);
  assert.equal(m.type(`${part!.pdu}\x1a`), '\r\n+CMS ERROR: 304\r\n');
  m.type(`AT+CMGW=${part!.length},2\r`);
  assert.equal(m.type(`${part!.pdu}\x1a`), '\r\n+CMGW: 2\r\n\r\nOK\r\n');
  m.type(`AT+CMGW=${part!.length},2\r`);
  assert.equal(m.type(`${part!.pdu}\x1a`), '\r\n+CMS ERROR: 322\r\n');
  assert.equal(m.type('AT+CMSS=1\r'), '\r\n+CMS ERROR: 302\r\n');
  assert.equal(m.type('AT+CMSS=9\r'), '\r\n+CMS ERROR: 321\r\n');
  assert.equal(m.type('AT+CMGR=9\r'), '\r\n+CMS ERROR: 321\r\n');
  assert.equal(m.type(`AT+CMGW=${part!.length},1\r`), '\r\n+CMS ERROR: 304\r\n'); // only SMS-SUBMITs are written
  m.type('AT+CMEE=2\r');
  m.type(`AT+CMGW=${part!.length},2\r`);
  assert.equal(m.type(`${part!.pdu}\x1a`), '\r\n+CMS ERROR: memory full\r\n');
  assert.deepEqual(m.emulator.sent, []);
});

test('fails the next AT+CMSS with the injected +CMS ERROR and leaves the part unsent', () => {
  const m = modem();
  m.type('ATE0\r');
  const [part] = encodeSubmit('+33639980001', 'Test');
  m.type(`AT+CMGW=${part!.length},2\r`);
  m.type(`${part!.pdu}\x1a`);
  m.emulator.failNextStoredSend(331);
  assert.equal(m.type('AT+CMSS=1\r'), '\r\n+CMS ERROR: 331\r\n');
  assert.deepEqual(m.emulator.storedMessages, [{ index: 1, status: 2 }]);
  m.emulator.setRegistration('searching');
  assert.equal(m.type('AT+CMSS=1\r'), '\r\n+CMS ERROR: 331\r\n');
  m.emulator.setRegistration('home');
  assert.equal(m.type('AT+CMSS=1\r'), '\r\n+CMSS: 0\r\n\r\nOK\r\n');
  assert.deepEqual(m.emulator.storedMessages, [{ index: 1, status: 3 }]);
});

test('lists by <stat> with AT+CMGL, marks only received messages read, and deletes by <delflag> as TS 27.005 §3.5.4 says', () => {
  const m = modem();
  m.type('ATE0\r');
  const [part] = encodeSubmit('+33639980001', 'Test');
  const write = () => {
    m.type(`AT+CMGW=${part!.length},2\r`);
    m.type(`${part!.pdu}\x1a`);
  };
  write(); // 1: stays unsent
  write(); // 2: sent below
  m.type('AT+CMSS=2\r');
  m.emulator.deliver('+33639980002', 'read'); // 3: read below
  m.emulator.deliver('+33639980002', 'unread'); // 4
  m.type('AT+CMGR=3\r');
  m.type('AT+CMGR=1\r'); // reading a stored part leaves its stat alone
  const listed = (stat: number) => [...m.type(`AT+CMGL=${stat}\r`).matchAll(/\+CMGL: (\d+),(\d)/g)].map((x) => [Number(x[1]), Number(x[2])]);
  assert.deepEqual(listed(2), [[1, 2]]);
  assert.deepEqual(listed(3), [[2, 3]]);
  assert.deepEqual(listed(4), [
    [1, 2],
    [2, 3],
    [3, 1],
    [4, 0],
  ]);
  assert.deepEqual(m.emulator.storedMessages.map((s) => s.status), [2, 3, 1, 1]); // the listed unread one is now read
  m.emulator.deliver('+33639980002', 'unread'); // 5
  m.type('AT+CMGD=1,1\r'); // received read ones
  assert.deepEqual(m.emulator.storedIndexes, [1, 2, 5]);
  m.type('AT+CMGD=1,2\r'); // … and stored sent ones
  assert.deepEqual(m.emulator.storedIndexes, [1, 5]);
  m.type('AT+CMGD=1,3\r'); // … and stored unsent ones
  assert.deepEqual(m.emulator.storedIndexes, [5]);
  m.type('AT+CMGD=1,4\r'); // everything
  assert.deepEqual(m.emulator.storedIndexes, []);
});

test('cancels the message on ESC after the AT+CMGW or AT+CMGS prompt, half typed or not: nothing stored or sent, and the next command is answered', () => {
  const m = modem();
  m.type('ATE0\r');
  const [part] = encodeSubmit('+33639980001', 'Test');
  for (const command of [`AT+CMGW=${part!.length},2`, `AT+CMGS=${part!.length}`]) {
    m.type(`${command}\r`);
    m.type(part!.pdu.slice(0, 11)); // a box killed in the middle of the PDU
    assert.equal(m.emulator.awaitingPdu, true);
    assert.equal(m.type('\x1b'), '\r\nOK\r\n');
    assert.equal(m.emulator.awaitingPdu, false);
    assert.equal(m.type('AT+CMEE?\r'), '\r\n+CMEE: 0\r\n\r\nOK\r\n');
  }
  assert.deepEqual(m.emulator.storedIndexes, []);
  assert.deepEqual(m.emulator.sent, []);
});

test('answers a new AT line after garbage on the line', () => {
  const m = modem();
  m.type('ATE0\r');
  m.type('\x00\xff\x7fnoise without a line end');
  assert.equal(m.type('\r'), '');
  assert.equal(m.type('AT\r'), '\r\nOK\r\n');
  assert.equal(m.type('\x1b\x1a\xfe~~AT+CSQ\r'), '\r\n+CSQ: 20,99\r\n\r\nOK\r\n'); // V.250 §5.2.1: what precedes "AT" is ignored
});
