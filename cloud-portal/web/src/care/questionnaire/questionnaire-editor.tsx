/**
 * The doctor's questionnaire editor: tick questions of the bank (1 to 10), write an own question
 * (private, or shared with every doctor), choose the rhythm (every day, every N days, chosen
 * weekdays) and the reminder hour, save: the server keeps it as a new version.
 */
import { useState, type FormEvent } from 'react';
import {
  createBankQuestion,
  savePatientQuestionnaire,
  SCHEDULE_KINDS,
  type BankQuestion,
  type PatientQuestionnaire,
  type Schedule,
} from '../../api/questionnaire.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { localized } from '../../ui/answer-symbol.tsx';
import { ErrorNotice } from '../../ui/error-notice.tsx';

const DEFAULT_SCHEDULE: Schedule = { kind: 'daily', reminderTime: '10:00', timeZone: 'Europe/Paris' };

export function QuestionnaireEditor({
  patientId,
  bank,
  current,
  onBankChanged,
  onSaved,
}: {
  patientId: string;
  bank: BankQuestion[];
  current: PatientQuestionnaire | null;
  onBankChanged: (question: BankQuestion) => void;
  onSaved: (saved: { version: number }) => void;
}) {
  const { t, locale } = useI18n();
  const q = t.questionnaire;
  const [selected, setSelected] = useState<string[]>(() => current?.questions.map((x) => x.id) ?? []);
  const [schedule, setSchedule] = useState<Schedule>(() => current?.schedule ?? DEFAULT_SCHEDULE);
  const [own, setOwn] = useState({ fr: '', en: '', shared: false });
  const [ownNotice, setOwnNotice] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [savedVersion, setSavedVersion] = useState<number | null>(null);

  // The bank, with the questions of the current version that are no longer in it (older versions).
  const shown = [...bank, ...(current?.questions.filter((c) => !bank.some((b) => b.id === c.id)) ?? [])];
  const toggle = (id: string, on: boolean) => setSelected((all) => (on ? [...all.filter((x) => x !== id), id] : all.filter((x) => x !== id)));

  const addOwn = async () => {
    if (own.fr.trim() === '') return;
    setError(null);
    try {
      const created = await createBankQuestion({ text: { fr: own.fr.trim(), ...(own.en.trim() ? { en: own.en.trim() } : {}) }, shared: own.shared });
      onBankChanged(created);
      setSelected((all) => [...all, created.id]);
      setOwn({ fr: '', en: '', shared: false });
      setOwnNotice(true);
    } catch (e) {
      setError(e);
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSavedVersion(null);
    setError(null);
    if (selected.length < 1 || selected.length > 10) return setProblem(q.pickAtLeastOne);
    if (schedule.kind === 'weekdays' && (schedule.weekdays ?? []).length === 0) return setProblem(q.pickWeekday);
    setProblem(null);
    const body: Schedule = {
      kind: schedule.kind,
      reminderTime: schedule.reminderTime,
      timeZone: 'Europe/Paris',
      ...(schedule.kind === 'every_n_days' ? { everyNDays: schedule.everyNDays ?? 2 } : {}),
      ...(schedule.kind === 'weekdays' ? { weekdays: [...(schedule.weekdays ?? [])].sort() } : {}),
    };
    setBusy(true);
    try {
      const saved: { version: number } = await savePatientQuestionnaire(patientId, { questionIds: selected, schedule: body });
      setSavedVersion(saved.version);
      onSaved(saved);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="q-editor" data-testid="q-editor" onSubmit={(e) => void save(e)} noValidate>
      <fieldset className="q-editor__bank">
        <legend>{q.bankTitle}</legend>
        <p className="muted small">{q.bankHelp}</p>
        <ul className="q-editor__list">
          {shown.map((question) => (
            <li key={question.id}>
              <label className="q-editor__question" data-testid="q-bank-item" data-link-id={question.linkId} data-origin={question.origin}>
                <input type="checkbox" checked={selected.includes(question.id)} onChange={(e) => toggle(question.id, e.currentTarget.checked)} />
                <span>{localized(question.text, locale)}</span>
                <span className="badge badge--info">
                  {q.origin[question.origin]}
                  {question.origin === 'shared' && question.author ? ` · ${q.byAuthor(question.author)}` : ''}
                </span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <fieldset className="q-editor__own">
        <legend>{q.ownTitle}</legend>
        <label htmlFor="q-own-fr">{q.ownTextFr}</label>
        <textarea id="q-own-fr" rows={2} maxLength={200} value={own.fr} onChange={(e) => setOwn({ ...own, fr: e.currentTarget.value })} />
        <label htmlFor="q-own-en">{q.ownTextEn}</label>
        <input id="q-own-en" type="text" maxLength={200} value={own.en} onChange={(e) => setOwn({ ...own, en: e.currentTarget.value })} />
        <label className="q-editor__check">
          <input id="q-own-shared" type="checkbox" checked={own.shared} onChange={(e) => setOwn({ ...own, shared: e.currentTarget.checked })} />
          {q.ownShared}
        </label>
        <button type="button" className="button button--secondary" data-testid="q-own-add" disabled={own.fr.trim() === ''} onClick={() => void addOwn()}>
          {q.ownAdd}
        </button>
        {ownNotice && (
          <p className="notice notice--ok" role="status">
            {q.ownAdded}
          </p>
        )}
      </fieldset>
      <fieldset className="q-editor__schedule">
        <legend>{q.scheduleTitle}</legend>
        {SCHEDULE_KINDS.map((kind) => (
          <label key={kind} className="q-editor__check">
            <input type="radio" name="q-kind" value={kind} data-testid={`q-kind-${kind}`} checked={schedule.kind === kind} onChange={() => setSchedule({ ...schedule, kind })} />
            {q.kinds[kind]}
          </label>
        ))}
        {schedule.kind === 'every_n_days' && (
          <>
            <label htmlFor="q-every">{q.everyNDays}</label>
            <input
              id="q-every"
              type="number"
              min={2}
              max={14}
              value={schedule.everyNDays ?? 2}
              onChange={(e) => setSchedule({ ...schedule, everyNDays: Number(e.currentTarget.value) })}
            />
          </>
        )}
        {schedule.kind === 'weekdays' && (
          <fieldset className="q-editor__weekdays">
            <legend>{q.weekdaysLegend}</legend>
            {q.weekdays.map((name, i) => (
              <label key={name} className="q-editor__check">
                <input
                  type="checkbox"
                  checked={(schedule.weekdays ?? []).includes(i + 1)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setSchedule((s) => ({ ...s, weekdays: on ? [...(s.weekdays ?? []).filter((d) => d !== i + 1), i + 1] : (s.weekdays ?? []).filter((d) => d !== i + 1) }));
                  }}
                />
                {name}
              </label>
            ))}
          </fieldset>
        )}
        <label htmlFor="q-time">{q.reminderTime}</label>
        <input id="q-time" type="time" required value={schedule.reminderTime} onChange={(e) => setSchedule({ ...schedule, reminderTime: e.currentTarget.value })} />
      </fieldset>
      {problem && (
        <p className="notice notice--error" role="alert">
          {problem}
        </p>
      )}
      {error !== null && <ErrorNotice error={error} />}
      <button type="submit" className="button button--primary" data-testid="q-save" disabled={busy}>
        {busy ? q.saving : q.save}
      </button>
      {savedVersion !== null && (
        <p className="notice notice--ok" role="status" data-testid="q-saved">
          {q.saved(savedVersion)}
        </p>
      )}
    </form>
  );
}
