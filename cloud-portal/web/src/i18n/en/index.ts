/** The English dictionary: the same shape as the French reference (`Messages`), part by part. */
import type { Messages } from '../fr/index.ts';
import { accountsEn } from './accounts.ts';
import { boxConfigEn } from './box-config.ts';
import { commonEn } from './common.ts';
import { reportsEn } from './reports.ts';
import { questionnaireEn } from './questionnaire.ts';
import { rolePagesEn } from './role-pages.ts';
import { alertTimelineEn } from './alert-timeline.ts';
import { updatesEn } from './updates.ts';

export const en: Messages = { ...commonEn, ...rolePagesEn, accounts: accountsEn, boxConfig: boxConfigEn, alertTimeline: alertTimelineEn, reports: reportsEn, updates: updatesEn, questionnaire: questionnaireEn };
