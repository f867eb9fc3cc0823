import type { AlertKind } from '@vigie/protocol';

/**
 * The SMS a contact receives, in French. Short sentences, the patient's name, the time in
 * Europe/Paris, the alert number to quote, and what to do. GSM-7 characters where possible (é, è, à
 * are GSM-7); the modem layer switches to UCS-2 when a name needs it.
 */
const WHAT: Record<AlertKind, string> = {
  fall: 'chute détectée',
  cardiac_arrest: 'arrêt cardiaque suspecté',
  hypoxemia: 'oxygène dans le sang très bas',
  manual_help: "demande d'aide (bouton)",
  bradycardia: 'pouls très lent',
  tachycardia: 'pouls très rapide',
  not_worn: 'bracelet non porté',
  no_data: 'aucune donnée du bracelet',
  low_battery: 'batterie du bracelet faible',
};

const timeFormat = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  hour: '2-digit',
  minute: '2-digit',
});

/** The alert SMS text for one alert. */
export function alertSmsText(input: { kind: AlertKind; patientName: string; number: number; raisedAt: number }): string {
  const at = timeFormat.format(new Date(input.raisedAt));
  const urgent = input.kind === 'cardiac_arrest' ? ' Appelez le 15 immédiatement.' : ' Si vous ne pouvez pas intervenir, appelez le 15.';
  // No "n°": the degree sign is not GSM-7 and would triple the number of SMS parts (UCS-2).
  return (
    `ALERTE Vigie ${input.number} : ${WHAT[input.kind]} chez ${input.patientName} à ${at}.` +
    ` Répondez OK ${input.number} si vous vous en occupez.${urgent}`
  );
}

/** A further round of an alert nobody has acknowledged yet. */
export function escalationSmsText(input: { kind: AlertKind; patientName: string; number: number; raisedAt: number }): string {
  const at = timeFormat.format(new Date(input.raisedAt));
  return (
    `RAPPEL ALERTE Vigie ${input.number} : ${WHAT[input.kind]} chez ${input.patientName} à ${at}, toujours sans réponse.` +
    ` Répondez OK ${input.number} si vous vous en occupez. Sinon appelez le 15.`
  );
}

/** To the contact whose reply acknowledged the alert. */
export function ackConfirmText(input: { number: number }): string {
  return `Vigie ${input.number} : merci, votre prise en charge est enregistrée. Les autres contacts sont prévenus.`;
}

/** To the other contacts who were texted: someone is on it. */
export function ackNoticeText(input: { kind: AlertKind; patientName: string; number: number; by: string }): string {
  return `Vigie ${input.number} : ${input.by} s'occupe de l'alerte (${WHAT[input.kind]} chez ${input.patientName}).`;
}

/**
 * The short help reply to a contact whose answer the box did not understand (the reply grammar,
 * REPLIES.md): how to take the alert, how to decline. `numbers`: the open alerts they were texted
 * about, newest first.
 */
export function replyHelpText(input: { numbers: readonly number[] }): string {
  const [first] = input.numbers;
  const how =
    input.numbers.length === 1
      ? `Répondez OK ${first} si vous vous en occupez`
      : `Répondez OK suivi du numéro de l'alerte (ex. OK ${first}) si vous vous en occupez`;
  return `Vigie : réponse non comprise. ${how}, ou NON si vous ne pouvez pas.`;
}
