/** The English dictionary: the same shape as the French reference (`Messages`), part by part. */
import type { Messages } from '../fr/index.ts';
import { accountsEn } from './accounts.ts';
import { boxConfigEn } from './box-config.ts';
import { commonEn } from './common.ts';
import { questionnaireEn } from './questionnaire.ts';
import { rolePagesEn } from './role-pages.ts';

export const en: Messages = { ...commonEn, ...rolePagesEn, accounts: accountsEn, boxConfig: boxConfigEn, questionnaire: questionnaireEn };
