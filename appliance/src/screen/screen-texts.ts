/**
 * What the screen says, in French, for a person of 70 to 95 with little computer experience:
 * short words, no jargon, and for every problem what to do about it. Only characters of the
 * bundled DejaVu font (Latin-1, ’, —, …); non-breaking spaces (U+00A0) keep numbers with units.
 */
import type { AlertKind } from '@vigie/protocol';
import type { BoxProblem } from './screen-states.ts';

/** The title of an alert screen, per alert kind. Mild words: the patient reads it, not a doctor. */
export const ALERT_TITLES: Readonly<Record<AlertKind, string>> = {
  fall: 'Chute détectée',
  cardiac_arrest: 'Alerte cardiaque',
  hypoxemia: 'Manque d’oxygène',
  manual_help: 'Appel à l’aide',
  bradycardia: 'Pouls très lent',
  tachycardia: 'Pouls très rapide',
  not_worn: 'Bracelet non porté',
  no_data: 'Bracelet sans signal',
  low_battery: 'Bracelet à recharger',
};

/** A problem as the patient reads it: what is wrong, then what to do. */
export interface ProblemText {
  readonly what: string;
  readonly todo: string;
}

/** Each problem of the box, worded for the patient. */
export const PROBLEM_TEXTS: Readonly<Record<BoxProblem, ProblemText>> = {
  not_worn: { what: 'Bracelet non porté', todo: 'Remettez-le au poignet' },
  no_bracelet: { what: 'Bracelet introuvable', todo: 'Rapprochez-vous du boîtier' },
  no_modem: { what: 'Modem en panne', todo: 'Prévenez un proche' },
  no_sim: { what: 'Carte SIM absente', todo: 'Prévenez un proche' },
  no_network: { what: 'Pas de réseau téléphone', todo: 'Prévenez un proche' },
  bracelet_battery_low: { what: 'Bracelet à recharger', todo: 'Mettez-le sur son chargeur' },
  selftest_failed: { what: 'Boîtier à vérifier', todo: 'Prévenez un proche' },
};

/** Texts of the fixed parts of the screens. */
export const TEXTS = {
  allWell: 'Tout va bien',
  bracelet: 'Bracelet',
  unknownPercent: '?',
  online: 'Internet OK',
  offline: 'Sans internet',
  pressToCancel: 'Appuyez sur le bouton pour annuler',
  alertSent: 'Alerte envoyée',
  relativesWarned: 'Vos proches sont prévenus',
  helpComing: 'Aide en route',
  isComing: 'arrive',
  answeredAt: (time: string) => `a répondu à ${time}`,
  attention: 'Attention',
  updating: 'Mise à jour en cours',
  restartingSoon: 'Le boîtier redémarre',
  doNotUnplug: 'Ne le débranchez pas',
  moreProblems: (n: number) => (n === 1 ? '+ 1 autre problème' : `+ ${n} autres problèmes`),
  questionnaire: 'Questionnaire du jour',
  questionnaireHow: 'Répondez sur votre téléphone ou tablette',
  seconds: (n: number) => `${n}\u00a0s`,
  percent: (n: number) => `${n}\u00a0%`,
} as const;
