/**
 * `/questionnaire`: the patient's questionnaire of the day, for a phone held by someone over 80
 * (tremor, poor eyesight): one question per screen, three very large buttons each with a word and
 * a symbol, « Question 1 sur 4 », then a confirmation. A relative allowed by the patient answers
 * on their behalf (choosing the patient first). Answers go through the device's outbox, so an
 * answer given offline leaves once the connection returns. The reminder opt-in is here too.
 */
import { useEffect, useRef, useState } from 'react';
import { ANSWERS, fetchMyQuestionnaire, type Answer, type MyQuestionnaire, type ResponseSubmission } from '../../api/questionnaire.ts';
import { submitResponse } from '../../api/questionnaire.ts';
import type { Role } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { AnswerSymbol, localized } from '../../ui/answer-symbol.tsx';
import { ErrorNotice } from '../../ui/error-notice.tsx';
import { useDocumentTitle } from '../../ui/hooks/use-document-title.ts';
import { useResource } from '../../ui/hooks/use-resource.ts';
import { questionnaireOutbox } from './outbox-sync.ts';
import { questionnaireView } from './page-model.ts';
import { ProxiesSection } from './proxies-section.tsx';
import { ReminderOptIn } from './reminder-opt-in.tsx';

type Phase = 'answering' | 'sending' | 'sent' | 'offline' | 'rejected';

export function QuestionnairePage({ role }: { role: Role }) {
  const { t } = useI18n();
  const q = t.questionnaire;
  useDocumentTitle(q.title, t.app.name);
  const [chosen, setChosen] = useState<string | null>(null);
  const [waitingSlots, setWaitingSlots] = useState<ReadonlySet<string>>(() => new Set());
  const questionnaire = useResource((signal) => fetchMyQuestionnaire(chosen, { signal }), [chosen]);
  const data = questionnaire.resource.data;

  // What is still in the outbox (answered offline, not sent yet): shown as answered, waiting.
  useEffect(() => {
    const outbox = questionnaireOutbox();
    const refresh = () => {
      outbox.pending().then(
        (pending) => setWaitingSlots(new Set(pending.map((p) => `${p.patientId}/${p.slotId}`))),
        () => undefined,
      );
    };
    refresh();
    return outbox.subscribe(refresh);
  }, []);

  const relative = role === 'relative';
  const view = data === undefined ? null : questionnaireView(relative, data, chosen);
  const autoChoice = view?.kind === 'choosing' ? view.patientId : null;
  useEffect(() => {
    if (autoChoice) setChosen(autoChoice);
  }, [autoChoice]);

  let body;
  if (questionnaire.resource.status === 'error') body = <ErrorNotice error={questionnaire.resource.error} onRetry={questionnaire.reload} />;
  else if (view === null) body = <p className="muted">{t.app.loading}</p>;
  else if (view.kind === 'not-set') body = <p className="q-note" data-testid="q-not-set">{q.notSet}</p>;
  else if (view.kind === 'not-allowed') body = <p className="q-note" data-testid="q-not-allowed">{q.notAllowed}</p>;
  else if (view.kind === 'choose')
    body = (
      <section className="q-card" aria-labelledby="q-choose">
        <h2 id="q-choose" className="q-question">{q.choosePatient}</h2>
        <p>{q.choosePatientHelp}</p>
        <ul className="q-choices">
          {view.choices.map((c) => (
            <li key={c.patientId}>
              <button type="button" className="q-choice" data-testid="q-choose-patient" data-patient-id={c.patientId} onClick={() => setChosen(c.patientId)}>
                {c.patientName}
              </button>
            </li>
          ))}
        </ul>
      </section>
    );
  else if (view.kind === 'choosing') body = <p className="muted">{t.app.loading}</p>;
  else {
    const d = view.data;
    body = <Questionnaire key={`${d.patientId}/${d.slot?.id ?? ''}/${d.questionnaireVersion}`} data={d} waiting={d.slot !== null && waitingSlots.has(`${d.patientId}/${d.slot.id}`)} />;
  }

  return (
    <div className="q-page" data-testid="questionnaire-page">
      <h1 className="q-title">{q.title}</h1>
      {relative && data && chosen && <p className="q-for" data-testid="q-for">{q.forPatient(data.patientName)}</p>}
      {body}
      <ReminderOptIn />
      {role === 'patient' && <ProxiesSection />}
    </div>
  );
}

function Questionnaire({ data, waiting }: { data: MyQuestionnaire; waiting: boolean }) {
  const { t, locale } = useI18n();
  const q = t.questionnaire;
  const [answers, setAnswers] = useState<Answer[]>([]);
  const [phase, setPhase] = useState<Phase>('answering');
  const clientId = useRef<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const index = answers.length;
  const total = data.items.length;

  // Each new screen: the question (or the confirmation) takes the focus, so it is read out.
  useEffect(() => {
    heading.current?.focus();
  }, [index, phase]);

  // An answer kept offline that leaves later turns the confirmation into « sent ».
  useEffect(
    () =>
      questionnaireOutbox().subscribe((report) => {
        if (report.sent.some((s) => s.clientId === clientId.current)) setPhase('sent');
        if (report.rejected.some((r) => r.submission.clientId === clientId.current)) setPhase('rejected');
      }),
    [],
  );

  if (!data.slot) return <p className="q-note" data-testid="q-nothing-due">{q.nothingDue}</p>;
  const slot = data.slot;
  if (phase === 'answering' && (data.answered || waiting))
    return (
      <p className="q-note" data-testid="q-already-answered">
        {data.answered ? q.alreadyAnswered : q.waitingToSend}
      </p>
    );

  const send = async (all: Answer[]) => {
    clientId.current ??= crypto.randomUUID();
    const submission: ResponseSubmission = {
      patientId: data.patientId,
      slotId: slot.id,
      questionnaireVersion: data.questionnaireVersion,
      clientId: clientId.current,
      answeredAt: new Date().toISOString(),
      answers: data.items.map((item, i) => ({ linkId: item.linkId, answer: all[i]! })),
    };
    setPhase('sending');
    try {
      const report = await questionnaireOutbox().add(submission);
      if (report.sent.some((s) => s.clientId === submission.clientId)) setPhase('sent');
      else if (report.rejected.some((r) => r.submission.clientId === submission.clientId)) setPhase('rejected');
      else setPhase('offline');
    } catch {
      // No IndexedDB (e.g. a private window that refuses it): send directly, once.
      try {
        await submitResponse(submission);
        setPhase('sent');
      } catch {
        setPhase('rejected');
      }
    }
  };

  const choose = (answer: Answer) => {
    if (phase !== 'answering') return;
    const next = [...answers, answer];
    setAnswers(next);
    if (next.length === total) void send(next);
  };

  if (phase !== 'answering') {
    const text = { sending: q.sending, sent: q.doneSent, offline: q.doneOffline, rejected: q.doneRejected }[phase];
    return (
      <section className="q-card q-done" aria-labelledby="q-done" data-testid="q-done" data-phase={phase}>
        <h2 id="q-done" ref={heading} tabIndex={-1} className="q-question">
          {phase === 'rejected' ? q.title : q.doneTitle}
        </h2>
        <p className="q-done__text" role="status">
          {text}
        </p>
        <ul className="q-recap">
          {data.items.map((item, i) => (
            <li key={item.linkId}>
              <span>{localized(item.text, locale)}</span>
              <span className={`q-recap__answer q-recap__answer--${answers[i]}`}>
                <AnswerSymbol answer={answers[i]!} size={28} /> {localized(item.options[answers[i]!], locale)}
              </span>
            </li>
          ))}
        </ul>
      </section>
    );
  }

  const item = data.items[index]!;
  return (
    <section className="q-card" aria-labelledby="q-current" data-testid="q-question" data-link-id={item.linkId}>
      <p className="q-progress" data-testid="q-progress">
        <span className="visually-hidden">{q.progress(index + 1, total)}</span>
        <span aria-hidden="true">{q.progressShort(index + 1, total)}</span>
      </p>
      <div className="q-progress__bar" aria-hidden="true">
        {data.items.map((it, i) => (
          <span key={it.linkId} className={i < index ? 'q-progress__step q-progress__step--done' : i === index ? 'q-progress__step q-progress__step--current' : 'q-progress__step'} />
        ))}
      </div>
      <h2 id="q-current" ref={heading} tabIndex={-1} className="q-question">
        {localized(item.text, locale)}
      </h2>
      <div className="q-answers" role="group" aria-labelledby="q-current">
        {ANSWERS.map((answer) => (
          <button key={answer} type="button" className={`q-answer q-answer--${answer}`} data-testid={`q-answer-${answer}`} onClick={() => choose(answer)}>
            <AnswerSymbol answer={answer} />
            <span className="q-answer__word">{localized(item.options[answer], locale)}</span>
          </button>
        ))}
      </div>
      {index > 0 && (
        <button type="button" className="q-back" data-testid="q-back" onClick={() => setAnswers(answers.slice(0, -1))}>
          ← {q.previous}
        </button>
      )}
    </section>
  );
}
