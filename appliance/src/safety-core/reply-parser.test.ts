/**
 * The reply grammar's table (REPLIES.md, issue 10): how the box reads every kind of answer a
 * contact might send to an alert SMS, in French and English. Adding a case here is how the grammar
 * changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldReply, normalizeSender, parseReply, type ParsedReply } from './reply-parser.ts';

const ack = (number: number | null = null): ParsedReply => ({ kind: 'ack', number });
const refusal = (number: number | null = null): ParsedReply => ({ kind: 'refusal', number });
const help: ParsedReply = { kind: 'help' };

const TABLE: readonly (readonly [string, ParsedReply])[] = [
  // Acknowledgements: OK, optionally the alert number, nothing else meaningful.
  ['OK', ack()],
  ['ok', ack()],
  ['Ok', ack()],
  ['oK', ack()],
  ['  OK  ', ack()],
  ['OK.', ack()],
  ['OK!', ack()],
  ['OK !', ack()],
  ['OK...', ack()],
  ['OK 12', ack(12)],
  ['ok 12', ack(12)],
  ['OK12', ack(12)],
  ['OK #7', ack(7)],
  ['OK n°3', ack(3)],
  ['OK no. 3', ack(3)],
  ['OK numéro 4', ack(4)],
  ['OK: 5', ack(5)],
  ['OK - 6', ack(6)],
  ['Ok 12.', ack(12)],
  ['OK\n12', ack(12)],
  ['ÓK', ack()],
  ['OK 123456', ack(123456)],
  // Not acknowledgements: a question, a condition, other words.
  ['OK?', help],
  ['OK ?', help],
  ['ok, j’arrive', help],
  ['OK j’arrive', help],
  ['OK 12 j’arrive dans 10 min', help],
  ['okay', help],
  ['Okay!', help],
  ['oké', help],
  ['OK OK', help],
  ['OK 1234567', help],
  ['OK 👍', help],
  ['oui', help],
  ['Yes', help],
  ["d'accord", help],
  ['je m’en occupe', help],
  ['I am on my way', help],
  ['Qui est-ce ?', help],
  ['', help],
  ['pas de problème', help],
  ['no problem', help],
  ['c’est bon', help],
  // Refusals: anywhere in the reply, and they win over an "OK" that is not alone.
  ['non', refusal()],
  ['Non.', refusal()],
  ['NON 12', refusal(12)],
  ['Non merci', refusal()],
  ['pas dispo', refusal()],
  ['Pas disponible ce soir', refusal()],
  ['indisponible', refusal()],
  ['je ne peux pas', refusal()],
  ['Je peux pas, je suis au travail', refusal()],
  ['OK, je ne peux pas', refusal()],
  ['ok pas dispo', refusal()],
  ['impossible', refusal()],
  ['Pas possible pour la 12', refusal(12)],
  ['Désolée, je suis empêchée', refusal()],
  ['je suis trop loin', refusal()],
  ['no', refusal()],
  ['No.', refusal()],
  ['nope', refusal()],
  ["Can't", refusal()],
  ['I can’t, sorry', refusal()],
  ['cannot come', refusal()],
  ['not available', refusal()],
  ['Unavailable 7', refusal(7)],
  ['busy', refusal()],
  ['sorry, unable to', refusal()],
];

test('reads every reply of the grammar table as written (REPLIES.md)', () => {
  assert.ok(TABLE.length >= 40, 'at least 40 replies');
  const wrong = TABLE.filter(([text, expected]) => JSON.stringify(parseReply(text)) !== JSON.stringify(expected)).map(
    ([text, expected]) => `${JSON.stringify(text)}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(parseReply(text))}`,
  );
  assert.deepEqual(wrong, []);
});

test('never reads an acknowledgement into a reply that also refuses or asks', () => {
  for (const [text, expected] of TABLE) {
    if (expected.kind === 'ack') continue;
    assert.notEqual(parseReply(text).kind, 'ack', text);
  }
});

test('folds case, accents, apostrophes and whitespace before reading', () => {
  assert.equal(foldReply('  Ça  NE\tpeut  PAS’être  '), "ca ne peut pas'etre");
});

test('turns senders into E.164 in the box region, with or without the plus or the national prefix', () => {
  for (const sender of ['+33639980001', '0639980001', '33639980001', '0033639980001', '06 39 98 00 01', '+33 6 39 98 00 01']) {
    assert.equal(normalizeSender(sender), '+33639980001', sender);
  }
  // A Belgian box reads national numbers as Belgian.
  assert.equal(normalizeSender('0470123456', 'BE'), '+32470123456');
  assert.equal(normalizeSender('+33639980001', 'BE'), '+33639980001');
  // Alphanumeric senders match no contact.
  assert.equal(normalizeSender('ORANGE'), 'ORANGE');
});
