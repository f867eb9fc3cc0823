/**
 * Reading a contact's reply. An acknowledgement is "OK", optionally followed by the alert number
 * ("OK 12", "ok12", "Ok #12", "OK. 12"); anything else ("okay", "non", "OK?" with other text is
 * still OK) is not. Kept strict on purpose: a false acknowledgement stops the escalation of a real
 * emergency, so when in doubt it is not one.
 */
export type ParsedReply = { kind: 'ack'; number: number | null } | { kind: 'other' };

const ACK = /^\s*ok(?![a-z\u00C0-\u024F])\s*[:#.\-n°]*\s*(\d{1,3})?(?!\d)/i;

export function parseReply(text: string): ParsedReply {
  const match = ACK.exec(text);
  if (!match) return { kind: 'other' };
  return { kind: 'ack', number: match[1] === undefined ? null : Number(match[1]) };
}

/**
 * The sender as an E.164 number when it can be made one: networks deliver French senders either
 * international (+33612345678) or national (0612345678). Alphanumeric senders are kept as they are.
 */
export function normalizeSender(sender: string, countryCode = '33'): string {
  const s = sender.replace(/[\s.-]/g, '');
  if (/^\+[1-9]\d{6,14}$/.test(s)) return s;
  if (/^00[1-9]\d{6,14}$/.test(s)) return `+${s.slice(2)}`;
  if (/^0[1-9]\d{8}$/.test(s)) return `+${countryCode}${s.slice(1)}`;
  return s;
}
