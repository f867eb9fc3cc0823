/** The questionnaire's last answers in the nurse's 24/48 h summary. */
import type { Answer, SummaryQuestionnaire } from '../../api/questionnaire.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { AnswerSymbol, localized } from '../../ui/answer-symbol.tsx';

export function LastAnswers({ questionnaire }: { questionnaire: SummaryQuestionnaire | null | undefined }) {
  const { t, f, locale } = useI18n();
  const q = t.questionnaire;
  const words: Record<Answer, string> = q.answers;
  const answers = questionnaire?.lastAnswers ?? [];
  return (
    <section className="panel" aria-labelledby="summary-questionnaire" data-testid="summary-questionnaire">
      <h2 id="summary-questionnaire" className="panel__title">
        {q.lastAnswersTitle}
      </h2>
      {answers.length === 0 ? (
        <p className="muted">{q.lastAnswersNone}</p>
      ) : (
        <div className="table-wrap">
          <table className="summary-table">
            <thead>
              <tr>
                <th scope="col">{q.date}</th>
                <th scope="col">{q.question}</th>
                <th scope="col">{q.answer}</th>
              </tr>
            </thead>
            <tbody>
              {answers.map((a) => (
                <tr key={`${a.date}/${a.linkId}`} data-testid="summary-answer" data-answer={a.answer}>
                  <td>{f.day(new Date(`${a.date}T12:00:00`).getTime())}</td>
                  <th scope="row">{localized(a.text, locale)}</th>
                  <td className={`q-grid__cell--${a.answer}`}>
                    <AnswerSymbol answer={a.answer} size={22} /> {words[a.answer]}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
