import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VigieError } from '@vigie/common';
import { ConcatAssembler } from './concat-assembler.ts';
import { decodeDeliver, decodeSubmit, encodeDeliver, encodeSubmit, PART_CAPACITY } from './pdu.ts';
import { toGsm7 } from './gsm7.ts';

// Published vectors: the classic SMS-SUBMIT ("hellohello", dreamfabric / GSM 03.40 tutorials) and
// oFono's unit/test-sms.c (Intel, GPL): simple_deliver, alnum_sender, charsets, assembly, prepare_7bit.
const HELLOHELLO = '0011000B916407281553F80000AA0AE8329BFD4697D9EC37';
const OFONO_SUBMIT_7BIT = '079153485002020911000C915348870420140000A71154747A0E4ACF41F4F29C9E769F4121';
const OFONO_DELIVER = '07911326040000F0040B911346610089F60000208062917314480CC8F71D14969741F977FD07';
const OFONO_ALNUM_SENDER = '0791447758100650040DD0F334FC1CA6970100008080312170224008D4F29CDE0EA7D9';
const OFONO_DEFAULT_ALPHABET =
  '0001000B915310101010100000808080604028180E888462C168381E90886442A9582E988C06C4E9783EA09068442A994EA8' +
  '946AC56AB95EB0986C46ABD96EB89C6EC7EBF97EC0A070482C1A8FC8A472C96C3A9FD0A8744AAD5AAFD8AC76CBED7ABFE0B0' +
  '784C2E9BCFE8B47ACD6EBBDFF0B87C4EAFDBEFF8BC7ECFEFFBFF';
const OFONO_EXTENSION = '0001000B915310101010100000151BC58602DAA036A9CD6BC3DBF436BE0D705306';
const OFONO_ASSEMBLY = [
  '038121F340048155550119906041001222048C0500' + '031E0301041804420430043A002C002004100' + '43B0435043A04410430043D04340440002000' +
    '200441043B044304480430043B00200437043' + '000200434043204350440044C044E00200020' + '04380020002004320441043500200431043E0' +
    '43B044C044804350020043F04400435043804' + '41043F043E043B043D044F043B0441044F002' + '000200433043D0435',
  '038121F340048155550119906041001222048C0500' + '031E03020432043E043C002E000A041D04300' + '43A043E043D04350446002C0020043D043500' +
    '200432002004410438043B043004450020043' + '40430043B043504350020044204350440043F' + '04350442044C002C0020043E043D002004410' +
    '44204400435043C043804420435043B044C04' + '3D043E002004320431043504360430043B002' + '004320020043A043E',
  '038121F340048155550119906041001222044A0500' + '031E0303043C043D043004420443002C00200' + '43F043E043704300431044B0432000A043404' +
    '3004360435002C002004470442043E0020002' + '00431044B043B0020043D04300433002E',
];

test('encodes the classic SMS-SUBMIT for "hellohello" byte for byte', () => {
  assert.deepEqual(encodeSubmit('+46708251358', 'hellohello', { relativeValidity: 0xaa }), [{ pdu: HELLOHELLO, length: 23 }]);
});

test("encodes oFono's published SMS-SUBMIT with its service centre and 24-hour validity", () => {
  assert.deepEqual(encodeSubmit('+358478400241', 'This is testing !', { smsc: '+358405202090' }), [{ pdu: OFONO_SUBMIT_7BIT, length: 29 }]);
});

test('decodes a published SMS-DELIVER: sender, text, service centre and time stamp with its zone', () => {
  const sms = decodeDeliver(OFONO_DELIVER);
  assert.equal(sms.from, '+31641600986');
  assert.equal(sms.text, 'How are you?');
  assert.equal(sms.smsc, '+31624000000');
  // 2002-08-26 19:37:41 at UTC-1 (time zone octet 0x48: negative, 4 quarters).
  assert.equal(sms.timestamp, Date.UTC(2002, 7, 26, 20, 37, 41));
});

test('decodes an alphanumeric sender name', () => {
  const sms = decodeDeliver(OFONO_ALNUM_SENDER);
  assert.equal(sms.from, 'sipgate');
  assert.equal(sms.text, 'Testmail');
  assert.equal(sms.timestamp, Date.UTC(2008, 7, 13, 11, 7, 22)); // 12:07:22 at UTC+1
});

test('decodes the whole GSM 7-bit default alphabet and the extension table', () => {
  assert.equal(
    decodeSubmit(OFONO_DEFAULT_ALPHABET).text,
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  );
  assert.equal(decodeSubmit(OFONO_EXTENSION).text, '\f^ {}\\[~]|€');
});

test('reassembles a published three-part UCS-2 SMS-DELIVER received out of order', () => {
  const assembler = new ConcatAssembler<string>();
  const [first, second, third] = OFONO_ASSEMBLY.map((pdu) => decodeDeliver(pdu));
  assert.equal(first!.alphabet, 'ucs2');
  assert.deepEqual(first!.concat, { reference: 30, total: 3, sequence: 1 });
  assert.equal(assembler.add(third!.from, third!.concat, third!.text), undefined);
  assert.equal(assembler.add(first!.from, first!.concat, first!.text), undefined);
  const text = assembler.add(second!.from, second!.concat, second!.text)!.join('');
  assert.ok(text.startsWith('Итак, Александр  слушал за дверью'));
  assert.ok(text.endsWith('даже, что  был наг.'));
  assert.equal(assembler.pending, 0);
});

test('keeps é è à ù in GSM-7 and switches to UCS-2 for ê, ç and œ', () => {
  const dcs = (text: string) => decodeSubmit(encodeSubmit('+33639980001', text)[0]!.pdu).alphabet;
  assert.equal(dcs('Mémé est tombée à la cuisine, où ?'), 'gsm7');
  assert.equal(dcs('Il faut être là'), 'ucs2');
  assert.equal(dcs('Françoise'), 'ucs2');
  assert.equal(dcs('cœur'), 'ucs2');
  assert.equal(dcs('Prix: 5€ [ok] {x} ~^\\|'), 'gsm7');
});

test('splits a long GSM-7 text into 153-septet parts behind an 8-bit-reference header', () => {
  const parts = encodeSubmit('+33639980001', 'x'.repeat(200), { reference: 0x2a });
  assert.equal(parts.length, 2);
  // First octet 0x51: SUBMIT, relative validity, UDHI. UDL 0xA0 = 160 septets (7 for the header + 153).
  assert.match(parts[0]!.pdu, /^0051000B913336990800F10000A7A00500032A0201/);
  const decoded = parts.map((p) => decodeSubmit(p.pdu));
  assert.deepEqual(decoded.map((d) => d.text.length), [153, 47]);
  assert.deepEqual(decoded.map((d) => d.concat), [
    { reference: 0x2a, total: 2, sequence: 1 },
    { reference: 0x2a, total: 2, sequence: 2 },
  ]);
});

test('never splits an escape sequence between two parts', () => {
  const text = `${'a'.repeat(152)}€${'b'.repeat(20)}`;
  const [first, second] = encodeSubmit('+33639980001', text).map((p) => decodeSubmit(p.pdu).text);
  assert.equal(first, 'a'.repeat(152));
  assert.equal(second, `€${'b'.repeat(20)}`);
});

test('splits UCS-2 text into 67-character parts without cutting a surrogate pair', () => {
  const text = `${'ê'.repeat(66)}😀${'ç'.repeat(10)}`;
  const parts = encodeSubmit('+33639980001', text).map((p) => decodeSubmit(p.pdu).text);
  assert.deepEqual(parts, ['ê'.repeat(66), `😀${'ç'.repeat(10)}`]);
});

test('writes a national number as dialled, with TON/NPI 0x81', () => {
  const [part] = encodeSubmit('0639980001', 'x');
  assert.equal(part!.pdu, '0011000A8160938900100000A70178');
  assert.equal(decodeSubmit(part!.pdu).to, '0639980001');
});

test('refuses a text that needs more than 255 parts with BOX_MODEM_TEXT_TOO_LONG', () => {
  assert.throws(
    () => encodeSubmit('+33639980001', 'x'.repeat(153 * 255 + 1)),
    (err: unknown) => err instanceof VigieError && err.code === 'BOX_MODEM_TEXT_TOO_LONG',
  );
  assert.equal(encodeSubmit('+33639980001', 'x'.repeat(153 * 255)).length, 255);
});

test('rejects malformed PDUs with BOX_MODEM_PDU_INVALID', () => {
  const invalid = (err: unknown) => err instanceof VigieError && err.code === 'BOX_MODEM_PDU_INVALID';
  assert.throws(() => decodeDeliver('07911326040000F0040B9113466100'), invalid); // truncated
  assert.throws(() => decodeDeliver('0791132'), invalid); // odd length
  assert.throws(() => decodeDeliver('zz'), invalid); // not hex
  assert.throws(() => decodeDeliver(HELLOHELLO), invalid); // a SUBMIT is not a DELIVER
  assert.throws(() => decodeSubmit(OFONO_DELIVER), invalid);
});

/** Any BMP character except the lone surrogates (which are not characters). */
const bmpChar = fc
  .integer({ min: 0, max: 0xffff })
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCharCode(c));
const gsm7Char = fc.constantFrom(...[...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./09:;<=>?¡AZÄÖÑÜ§¿azäöñüà\f^{}\\[~]|€']);

function roundTrip(text: string): void {
  const parts = encodeSubmit('+33639980001', text, { reference: 7 });
  // 14 octets before the user data for this recipient; the user data is at most 140 octets.
  for (const p of parts) assert.ok(p.length <= 14 + 140, `a part of ${p.length} octets`);
  const decoded = parts.map((p) => decodeSubmit(p.pdu));
  assert.equal(decoded.length === 1, (toGsm7(text)?.length ?? text.length) <= (toGsm7(text) ? PART_CAPACITY.gsm7 : PART_CAPACITY.ucs2).single);
  assert.equal(decoded.map((d) => d.text).join(''), text);
  const delivered = encodeDeliver('+33639980001', text, { timestamp: 0, reference: 7 }).map((p) => decodeDeliver(p.pdu).text);
  assert.equal(delivered.join(''), text);
}

test('returns the text after encoding and decoding, for any string of BMP characters', () => {
  fc.assert(fc.property(fc.string({ unit: fc.oneof(gsm7Char, bmpChar), maxLength: 400, size: 'medium' }), roundTrip), { numRuns: 10_000 });
});

test('returns the text after encoding and decoding, for any GSM-7 string, escapes included', () => {
  fc.assert(fc.property(fc.string({ unit: gsm7Char, maxLength: 600, size: 'medium' }), roundTrip), { numRuns: 2_000 });
});

test('returns texts with characters beyond the BMP (emoji) whole', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200, size: 'medium' }), roundTrip), { numRuns: 1_000 });
});

test('falls back to the box reception time when the service-centre time stamp is not a valid BCD date', () => {
  const now = () => Date.UTC(2026, 10, 25, 19, 0, 0);
  // OFONO_DELIVER with its TP-SCTS (20806291731448: 2002-08-26 19:37:41, UTC-1) replaced.
  const withScts = (scts: string) => OFONO_DELIVER.replace('20806291731448', scts);
  for (const scts of [
    'FFFFFFFFFFFFFF', // not BCD at all (decoded as 2079-02-19 before)
    '2A806291731448', // a non-BCD year digit
    '20316291731448', // month 13
    '20200391731448', // 30 February
    '20806242731448', // hour 24
    '20806291739648', // second 69
    '208062917314F8', // a time zone that is not BCD
  ]) {
    const sms = decodeDeliver(withScts(scts), { now });
    assert.equal(sms.timestamp, now(), scts);
    assert.equal(sms.timestampSource, 'box', scts);
    assert.equal(sms.text, 'How are you?');
  }
  const valid = decodeDeliver(OFONO_DELIVER, { now });
  assert.equal(valid.timestamp, Date.UTC(2002, 7, 26, 20, 37, 41));
  assert.equal(valid.timestampSource, 'network');
});
