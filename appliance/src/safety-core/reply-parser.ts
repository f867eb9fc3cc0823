import { toE164 } from '@vigie/provisioning';

/**
 * Reading a contact's reply to an alert SMS, after the written grammar of `REPLIES.md` (issue 10).
 * A false acknowledgement stops the escalation of a real emergency, so acknowledging is strict:
 * only a reply that is `OK`, or `OK` and an alert number, and nothing else. A refusal is read
 * generously (any refusal word anywhere), because its effect — the next tier texted at once — is
 * the safe side. Anything else gets a short help reply.
 */
export type ParsedReply =
  | { readonly kind: 'ack'; readonly number: number | null }
  | { readonly kind: 'refusal'; readonly number: number | null }
  | { readonly kind: 'help' };

/**
 * Lower case, accents and ligatures folded (`é` → `e`), typographic apostrophes made plain,
 * whitespace runs collapsed, ends trimmed.
 */
export function foldReply(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * `OK`, then optionally an alert number (after a space, `#`, `n°`, `no.`, `num`, `numero`, `:` or
 * `-`, or glued: `ok12`), then only `.` or `!` (and spaces). Not `okay`, `ok?`, `ok, …`.
 */
const ACK = /^ok(?:[\s:#-]*(?:n°|no\.|num(?:ero)?\.?)?\s*(\d{1,6}))?[\s.!]*$/;

/**
 * Refusal words and phrases, French and English, as whole words of the folded text. Kept as
 * phrases where a single word would be ambiguous ("pas" alone is not a refusal).
 */
const REFUSALS = [
  'non',
  'no',
  'nope',
  'pas dispo',
  'pas disponible',
  'indisponible',
  'indispo',
  'je ne peux pas',
  'je peux pas',
  'peux pas',
  "j'peux pas",
  'pas possible',
  'impossible',
  'empeche',
  'empechee',
  'pas le temps',
  'je ne suis pas la',
  'suis pas la',
  'trop loin',
  // Not "occupe" alone: "je m'en occupe" is "I'll handle it".
  'je suis occupe',
  'je suis occupee',
  'suis occupe',
  'suis occupee',
  "can't",
  'cant',
  'cannot',
  'can not',
  'unable',
  'not available',
  'unavailable',
  'busy',
  'not me',
  'pas moi',
] as const;

/** Phrases that contain a refusal word but say yes: removed before looking for a refusal. */
const NOT_REFUSALS = /\b(?:no problem|no worries|no prob|pas de (?:probleme|souci|soucis))\b/g;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const REFUSAL = new RegExp(`(?:^|[^\\p{L}\\p{N}'])(?:${REFUSALS.map(escape).join('|')})(?=$|[^\\p{L}\\p{N}'])`, 'u');
/** An alert number in a refusal ("non 12", "pas dispo pour la 12"): the last number of 1–6 digits. */
const NUMBER = /(?:^|\D)(\d{1,6})(?!.*\d)/;

/** Read one reply (see `REPLIES.md`). Never throws. */
export function parseReply(text: string): ParsedReply {
  const folded = foldReply(text);
  const ack = ACK.exec(folded);
  if (ack) return { kind: 'ack', number: ack[1] === undefined ? null : Number(ack[1]) };
  const unhedged = folded.replace(NOT_REFUSALS, ' ');
  if (REFUSAL.test(unhedged)) {
    const n = NUMBER.exec(unhedged);
    return { kind: 'refusal', number: n ? Number(n[1]) : null };
  }
  return { kind: 'help' };
}

/**
 * The sender as E.164 when it is a valid number in the box's region (`0639980001`,
 * `33639980001`, `0033639980001` → `+33639980001` for a French box); alphanumeric senders
 * ("ORANGE") and anything else are kept as they are, and so match no contact.
 */
export function normalizeSender(sender: string, region?: string): string {
  return toE164(sender, region) ?? sender.trim();
}
