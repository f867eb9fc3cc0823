/**
 * « Questionnaire » on the patient's page: the answers grid of the last 14 days for the care
 * team, the doctor's editor (bank, own question, rhythm), the nurse's read-only view of it.
 */
import { fetchBank, fetchPatientQuestionnaire, fetchResponses, type BankQuestion } from '../../api/questionnaire.ts';
import type { Role } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { localized } from '../../ui/answer-symbol.tsx';
import { ErrorNotice } from '../../ui/error-notice.tsx';
import { useResource } from '../../ui/hooks/use-resource.ts';
import { useResumeKey } from '../../ui/live.tsx';
import { AnswersGrid } from './answers-grid.tsx';
import { QuestionnaireEditor } from './questionnaire-editor.tsx';

export function QuestionnaireSection({ patientId, role }: { patientId: string; role: Role }) {
  const { t, f, locale } = useI18n();
  const q = t.questionnaire;
  const resumeKey = useResumeKey();
  const doctor = role === 'doctor';
  const current = useResource((signal) => fetchPatientQuestionnaire(patientId, { signal }), [patientId, resumeKey]);
  const bank = useResource((signal) => (doctor ? fetchBank({ signal }) : Promise.resolve<BankQuestion[]>([])), [doctor, resumeKey]);
  // The server's « today » (Paris) ends the range: the slots are its dates, whatever this device's clock says.
  const grid = useResource((signal) => fetchResponses(patientId, null, { signal }), [patientId, resumeKey, current.resource.data?.version]);
  const questionnaire = current.resource.data;

  return (
    <section className="panel q-section" aria-labelledby="q-section" data-testid="q-section">
      <h2 id="q-section" className="panel__title">
        {q.sectionTitle}
      </h2>
      {current.resource.status === 'error' && <ErrorNotice error={current.resource.error} onRetry={current.reload} />}
      {questionnaire === null && <p className="muted">{q.noneYet}</p>}
      {questionnaire && (
        <p className="muted small" data-testid="q-version" data-version={questionnaire.version}>
          {q.current(questionnaire.version, questionnaire.updatedBy, f.shortDateTime(Date.parse(questionnaire.updatedAt)))}
        </p>
      )}
      <h3 className="q-section__sub">{q.gridTitle(grid.resource.data?.days.length ?? 28)}</h3>
      {grid.resource.status === 'error' && questionnaire !== null && <ErrorNotice error={grid.resource.error} onRetry={grid.reload} />}
      {grid.resource.data ? <AnswersGrid grid={grid.resource.data} /> : grid.resource.status === 'loading' && <p className="muted">{t.app.loading}</p>}
      {!doctor && questionnaire && (
        <>
          <p className="muted small">{q.readOnly}</p>
          <ul>
            {questionnaire.questions.map((x) => (
              <li key={x.id}>{localized(x.text, locale)}</li>
            ))}
          </ul>
        </>
      )}
      {doctor && bank.resource.status === 'error' && <ErrorNotice error={bank.resource.error} onRetry={bank.reload} />}
      {doctor && bank.resource.data && current.resource.data !== undefined && (
        <QuestionnaireEditor
          patientId={patientId}
          bank={bank.resource.data}
          current={questionnaire ?? null}
          onBankChanged={(created) => bank.setData((all) => [...all, created])}
          onSaved={() => current.reload()}
        />
      )}
    </section>
  );
}
