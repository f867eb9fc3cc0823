/**
 * The answers grid a doctor reads in seconds: one row per question, one column per day, each
 * answer as a symbol and its word, negative streaks (two « Mal » or more in a row) outlined and
 * named, missed days hatched and written « Pas de réponse ». An HTML table with headers on both
 * axes, so a screen reader reads « question, day: answer ».
 */
import { useLayoutEffect, useRef } from 'react';
import type { Answer, ResponsesGrid } from '../../api/questionnaire.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { AnswerSymbol, localized } from '../../ui/answer-symbol.tsx';
import { streakCells } from './grid-model.ts';

export function AnswersGrid({ grid }: { grid: ResponsesGrid }) {
  const { t, f, locale } = useI18n();
  const q = t.questionnaire;
  const inStreak = streakCells(grid);
  const words: Record<Answer, string> = q.answers;
  const wrap = useRef<HTMLDivElement>(null);
  // The latest days matter most: when the grid is wider than the page, start scrolled to the end.
  useLayoutEffect(() => {
    if (wrap.current) wrap.current.scrollLeft = wrap.current.scrollWidth;
  }, [grid]);
  if (grid.questions.length === 0 || grid.days.length === 0) return <p className="muted">{q.gridEmpty}</p>;
  return (
    <>
      {/* Focusable: the grid may scroll sideways, a keyboard must reach it. */}
      <div ref={wrap} className="table-wrap" role="region" aria-label={q.gridCaption} tabIndex={0}>
        <table className="q-grid" data-testid="q-grid">
          <caption className="visually-hidden">{q.gridCaption}</caption>
          <thead>
            <tr>
              <th scope="col">{q.question}</th>
              {grid.days.map((day) => (
                <th key={day.date} scope="col" className={`q-grid__day q-grid__day--${day.status}`} data-date={day.date} data-status={day.status}>
                  <span className="q-grid__date">{f.day(new Date(`${day.date}T12:00:00`).getTime())}</span>
                  {day.status === 'missed' && <span className="q-grid__missed">{q.missed}</span>}
                  {day.answeredBy === 'relative' && <span className="q-grid__by">{q.byRelative}</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {grid.questions.map((question) => (
              <tr key={question.linkId} data-testid="q-grid-row" data-link-id={question.linkId}>
                <th scope="row">{localized(question.text, locale)}</th>
                {grid.days.map((day) => {
                  const answer = day.answers[question.linkId];
                  const streak = inStreak.has(`${question.linkId}/${day.date}`);
                  const cls = ['q-grid__cell', `q-grid__cell--${answer ?? day.status}`, streak ? 'q-grid__cell--streak' : ''].filter(Boolean).join(' ');
                  return (
                    <td key={day.date} className={cls} data-testid="q-grid-cell" data-date={day.date} data-answer={answer ?? ''} data-streak={streak || undefined}>
                      {answer ? (
                        <>
                          <AnswerSymbol answer={answer} size={24} />
                          <span className="q-grid__word">{words[answer]}</span>
                          {streak && <span className="visually-hidden"> ({q.streak})</span>}
                        </>
                      ) : day.status === 'missed' ? (
                        <span className="q-grid__word">—<span className="visually-hidden"> {q.missed}</span></span>
                      ) : (
                        <span className="q-grid__word muted">{day.status === 'pending' ? q.pending : <span className="visually-hidden">{q.notDue}</span>}</span>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="small" data-testid="q-streaks" data-count={grid.streaks.length}>
        {grid.streaks.length > 0 && <span className="q-grid__legend-streak" aria-hidden="true" />} {q.streaks(grid.streaks.length)}
      </p>
    </>
  );
}
