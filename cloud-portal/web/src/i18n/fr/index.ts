/**
 * The French dictionary — the reference. Its shape is the `Messages` type that English fills
 * exactly (a missing or extra key is a type error; `test/dictionaries.test.ts` checks it at run
 * time too). Split by domain; one object, read through `useI18n().t`.
 */
import { accountsFr } from './accounts.ts';
import { boxConfigFr } from './box-config.ts';
import { commonFr } from './common.ts';
import { reportsFr } from './reports.ts';
import { questionnaireFr } from './questionnaire.ts';
import { rolePagesFr } from './role-pages.ts';
import { alertTimelineFr } from './alert-timeline.ts';
import { updatesFr } from './updates.ts';

export const fr = { ...commonFr, ...rolePagesFr, accounts: accountsFr, boxConfig: boxConfigFr, alertTimeline: alertTimelineFr, reports: reportsFr, updates: updatesFr, questionnaire: questionnaireFr };

/** The shape every language fills. */
export type Messages = typeof fr;
export type { AckVia, NotificationStatus } from './common.ts';
