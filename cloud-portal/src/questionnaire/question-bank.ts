/**
 * The question bank: built-in questions (migration 0012, French and English) and doctors' own.
 * A doctor's own question is private unless shared (then every doctor sees it and may reuse it).
 * Editing adds a version; answers name the version they answered. SQL on the `Queryable` port.
 */
import type { Queryable } from '@vigie/cloud-store';

/** Text in both portal languages. */
export interface Localized {
  readonly fr: string;
  readonly en: string;
}

/** The three answer options, worded per question. */
export interface AnswerOptions {
  readonly positive: Localized;
  readonly neutral: Localized;
  readonly negative: Localized;
}

/** The three answers a question accepts (FHIR answerOption codes). */
export const ANSWERS = ['positive', 'neutral', 'negative'] as const;
export type Answer = (typeof ANSWERS)[number];

/** A question version as the API serves it. */
export interface BankQuestion {
  readonly id: string;
  readonly linkId: string;
  readonly version: number;
  readonly text: Localized;
  readonly options: AnswerOptions;
  readonly symbol?: string;
  /** bank: built in; own: the caller's; shared: another doctor's, shared. */
  readonly origin: 'bank' | 'own' | 'shared';
  /** The author's display name (own and shared questions). */
  readonly author?: string;
}

/** The options a doctor's question gets when none are given. */
export const DEFAULT_OPTIONS: AnswerOptions = {
  positive: { fr: 'Bien', en: 'Good' },
  neutral: { fr: 'Moyen', en: 'Fair' },
  negative: { fr: 'Mal', en: 'Bad' },
};

interface QuestionRow {
  id: string;
  link_id: string;
  version: number;
  origin: 'bank' | 'own';
  author_id: string | null;
  author_name: string | null;
  text_fr: string;
  text_en: string;
  options: AnswerOptions;
  symbol: string | null;
}

const SELECT = `SELECT q.id, q.link_id, q.version, q.origin, q.author_id, a.display_name AS author_name, q.text_fr, q.text_en, q.options, q.symbol
  FROM questionnaire_questions q LEFT JOIN accounts a ON a.id = q.author_id`;

function toQuestion(r: QuestionRow, viewer: string | null): BankQuestion {
  return {
    id: r.id,
    linkId: r.link_id,
    version: r.version,
    text: { fr: r.text_fr, en: r.text_en },
    options: r.options,
    ...(r.symbol ? { symbol: r.symbol } : {}),
    origin: r.origin === 'bank' ? 'bank' : r.author_id === viewer ? 'own' : 'shared',
    ...(r.author_name ? { author: r.author_name } : {}),
  };
}

/** The current questions `doctorId` may pick: the built-in bank, their own, and those shared. */
export async function listBank(q: Queryable, doctorId: string): Promise<BankQuestion[]> {
  const { rows } = await q.query<QuestionRow>(
    `${SELECT} WHERE q.superseded_at IS NULL AND (q.origin = 'bank' OR q.author_id = $1 OR q.shared)
      ORDER BY (q.origin = 'bank') DESC, q.created_at, q.link_id`,
    [doctorId],
  );
  return rows.map((r) => toQuestion(r, doctorId));
}

/** Question versions by id, in the order asked (ids that do not exist are left out). */
export async function questionsById(q: Queryable, ids: readonly string[], viewer: string | null = null): Promise<BankQuestion[]> {
  const { rows } = await q.query<QuestionRow>(`${SELECT} WHERE q.id = ANY($1::uuid[])`, [ids]);
  const byId = new Map(rows.map((r) => [r.id, toQuestion(r, viewer)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Which of `ids` `doctorId` may put in a plan (the bank, their own, shared ones; any version). */
export async function usableQuestionIds(q: Queryable, doctorId: string, ids: readonly string[]): Promise<Set<string>> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT id FROM questionnaire_questions WHERE id = ANY($1::uuid[]) AND (origin = 'bank' OR author_id = $2 OR shared)`,
    [ids, doctorId],
  );
  return new Set(rows.map((r) => r.id));
}

/** Add a doctor's own question (version 1). `en` defaults to the French text. */
export async function createOwnQuestion(
  q: Queryable,
  input: { authorId: string; text: { fr: string; en?: string }; options?: AnswerOptions; shared: boolean; now: number },
): Promise<BankQuestion> {
  const linkId = `own-${crypto.randomUUID().slice(0, 8)}`;
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO questionnaire_questions (link_id, version, origin, author_id, shared, text_fr, text_en, options, created_at)
     VALUES ($1, 1, 'own', $2, $3, $4, $5, $6::jsonb, $7) RETURNING id`,
    [linkId, input.authorId, input.shared, input.text.fr.trim(), (input.text.en ?? input.text.fr).trim(), JSON.stringify(input.options ?? DEFAULT_OPTIONS), new Date(input.now).toISOString()],
  );
  return (await questionsById(q, [rows[0]!.id], input.authorId))[0]!;
}

/**
 * Edit a doctor's own question: a new version (same linkId) replaces it in the bank; plans keep
 * the version they hold until the doctor saves them again. Null when it is not theirs.
 */
export async function reviseOwnQuestion(
  q: Queryable,
  input: { authorId: string; id: string; text: { fr: string; en?: string }; options?: AnswerOptions; shared: boolean; now: number },
): Promise<BankQuestion | null> {
  const { rows } = await q.query<{ link_id: string; version: number; options: AnswerOptions }>(
    `UPDATE questionnaire_questions SET superseded_at = $3
      WHERE id = $1 AND author_id = $2 AND superseded_at IS NULL RETURNING link_id, version, options`,
    [input.id, input.authorId, new Date(input.now).toISOString()],
  );
  const old = rows[0];
  if (!old) return null;
  const inserted = await q.query<{ id: string }>(
    `INSERT INTO questionnaire_questions (link_id, version, origin, author_id, shared, text_fr, text_en, options, created_at)
     VALUES ($1, $2, 'own', $3, $4, $5, $6, $7::jsonb, $8) RETURNING id`,
    [old.link_id, old.version + 1, input.authorId, input.shared, input.text.fr.trim(), (input.text.en ?? input.text.fr).trim(), JSON.stringify(input.options ?? old.options), new Date(input.now).toISOString()],
  );
  return (await questionsById(q, [inserted.rows[0]!.id], input.authorId))[0]!;
}
