/**
 * The four layouts of the 250×122 screen. Sizes are pixels: on the 2.13" panel (about 130 dpi),
 * 16 px is the smallest type used (about 3 mm high capitals) and titles are 24 to 30 px.
 */
import { FRAME_HEIGHT, FRAME_WIDTH } from '../display/port.ts';
import type { ScreenPainter } from './screen-painter.ts';
import { ALERT_TITLES, PROBLEM_TEXTS, TEXTS } from './screen-texts.ts';
import type { AlertScreen, BoxProblem, HelpComingScreen, OkScreen, ProblemScreen, QuestionnaireScreen } from './screen-states.ts';

/** « Mise à jour en cours », then that the box restarts and must stay plugged in. */
export function drawUpdating(p: ScreenPainter): void {
  p.text(TEXTS.updating, { x: CENTRE, y: 34, maxWidth: INNER_WIDTH, size: 26, minSize: 20, weight: 'bold', align: 'center' });
  p.fillRect(0, 44, FRAME_WIDTH, 2);
  p.text(TEXTS.restartingSoon, { x: CENTRE, y: 78, maxWidth: INNER_WIDTH, size: 21, minSize: 17, weight: 'normal', align: 'center' });
  p.text(TEXTS.doNotUnplug, { x: CENTRE, y: 108, maxWidth: INNER_WIDTH, size: 21, minSize: 17, weight: 'bold', align: 'center' });
}

const MARGIN = 6;
const INNER_WIDTH = FRAME_WIDTH - 2 * MARGIN;
const CENTRE = FRAME_WIDTH / 2;

function formatTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('fr-FR', { timeZone, hour: '2-digit', minute: '2-digit' }).format(at);
}

function formatDay(at: Date, timeZone: string): { weekday: string; date: string } {
  const part = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('fr-FR', { timeZone, ...options }).format(at);
  return { weekday: part({ weekday: 'long' }), date: part({ day: 'numeric', month: 'long' }) };
}

/** « Tout va bien », the time and date, then the bracelet battery and the internet link. */
export function drawOk(p: ScreenPainter, state: OkScreen, now: Date, timeZone: string): void {
  p.tickBadge(MARGIN + 16, 22, 16);
  p.text(TEXTS.allWell, { x: MARGIN + 40, y: 33, maxWidth: INNER_WIDTH - 40, size: 30, minSize: 24, weight: 'bold' });

  const time = formatTime(now, timeZone);
  const clock = p.text(time, { x: MARGIN, y: 82, maxWidth: 120, size: 40, minSize: 32, weight: 'bold' });
  const clockWidth = p.measure(time, clock.size, 'bold');
  const day = formatDay(now, timeZone);
  const dayX = MARGIN + clockWidth + 12;
  const dayWidth = FRAME_WIDTH - MARGIN - dayX;
  p.text(day.weekday, { x: dayX, y: 62, maxWidth: dayWidth, size: 18, minSize: 14, weight: 'bold' });
  p.text(day.date, { x: dayX, y: 82, maxWidth: dayWidth, size: 18, minSize: 14, weight: 'normal' });

  p.fillRect(0, 92, FRAME_WIDTH, 2);
  p.battery(MARGIN, 100, 34, 16, state.braceletBattery);
  const percent = state.braceletBattery === null ? TEXTS.unknownPercent : TEXTS.percent(Math.round(state.braceletBattery));
  p.text(percent, { x: MARGIN + 40, y: 115, maxWidth: 60, size: 17, minSize: 14, weight: 'bold' });
  const link = state.connection === 'online' ? TEXTS.online : TEXTS.offline;
  p.text(link, { x: FRAME_WIDTH - MARGIN, y: 115, maxWidth: 130, size: 17, minSize: 14, weight: 'bold', align: 'right' });
}

/**
 * « Questionnaire du jour » in a black band (it asks for something, unlike « Tout va bien »), where
 * to answer, the time, then the same status line as the ok screen: the box still watches.
 */
export function drawQuestionnaire(p: ScreenPainter, state: QuestionnaireScreen, now: Date, timeZone: string): void {
  const band = 38;
  p.invert({ x: 0, y: 0, width: FRAME_WIDTH, height: band });
  p.text(TEXTS.questionnaire, { x: CENTRE, y: 27, maxWidth: INNER_WIDTH, size: 24, minSize: 16, weight: 'bold', align: 'center' });
  const time = formatTime(now, timeZone);
  const clock = p.text(time, { x: MARGIN, y: 80, maxWidth: 80, size: 26, minSize: 20, weight: 'bold' });
  const x = MARGIN + p.measure(time, clock.size, 'bold') + 10;
  p.text(TEXTS.questionnaireHow, { x, y: 54, maxWidth: FRAME_WIDTH - MARGIN - x, size: 16, minSize: 14, maxLines: 3, lineHeight: 1.0, weight: 'normal' });
  p.fillRect(0, 92, FRAME_WIDTH, 2);
  p.battery(MARGIN, 100, 34, 16, state.braceletBattery);
  const percent = state.braceletBattery === null ? TEXTS.unknownPercent : TEXTS.percent(Math.round(state.braceletBattery));
  p.text(percent, { x: MARGIN + 40, y: 115, maxWidth: 60, size: 17, minSize: 14, weight: 'bold' });
  const link = state.connection === 'online' ? TEXTS.online : TEXTS.offline;
  p.text(link, { x: FRAME_WIDTH - MARGIN, y: 115, maxWidth: 130, size: 17, minSize: 14, weight: 'bold', align: 'right' });
}

/** The alert's name white on black, then the cancel countdown, or « Alerte envoyée ». */
export function drawAlert(p: ScreenPainter, state: AlertScreen): void {
  const band = 42;
  p.invert({ x: 0, y: 0, width: FRAME_WIDTH, height: band });
  p.text(ALERT_TITLES[state.alertKind], { x: CENTRE, y: 31, maxWidth: INNER_WIDTH, size: 28, minSize: 20, weight: 'bold', align: 'center' });

  if (state.cancelSecondsLeft === null) {
    p.text(TEXTS.alertSent, { x: CENTRE, y: 78, maxWidth: INNER_WIDTH, size: 28, minSize: 22, weight: 'bold', align: 'center' });
    p.text(TEXTS.relativesWarned, { x: CENTRE, y: 108, maxWidth: INNER_WIDTH, size: 18, minSize: 16, weight: 'normal', align: 'center' });
    return;
  }
  // The seconds sit in a box of their own on the right: from one second to the next only the
  // digits change, a small area the e-paper adapter refreshes partially, without flashing.
  const boxWidth = 92;
  const boxX = FRAME_WIDTH - MARGIN - boxWidth;
  p.text(TEXTS.pressToCancel, { x: MARGIN, y: 66, maxWidth: boxX - MARGIN - 8, size: 19, minSize: 16, maxLines: 3, lineHeight: 1.15, weight: 'bold' });
  p.strokeRect(boxX, band + 8, boxWidth, FRAME_HEIGHT - band - 14, 3);
  const seconds = Math.max(0, Math.ceil(state.cancelSecondsLeft));
  p.text(TEXTS.seconds(seconds), { x: boxX + boxWidth / 2, y: 102, maxWidth: boxWidth - 12, size: 40, minSize: 24, weight: 'bold', align: 'center' });
}

/** Who answered the alert and is coming; a long name takes two lines, then shrinks, then is cut. */
export function drawHelpComing(p: ScreenPainter, state: HelpComingScreen, timeZone: string): void {
  p.tickBadge(MARGIN + 16, 20, 16);
  p.text(TEXTS.helpComing, { x: MARGIN + 40, y: 30, maxWidth: INNER_WIDTH - 40, size: 28, minSize: 20, weight: 'bold' });
  p.fillRect(0, 40, FRAME_WIDTH, 2);
  // One line down to 20 px; past that, two lines of at most 19 px rather than a tiny single line.
  const oneLine = p.fit(state.by, { maxWidth: INNER_WIDTH, size: 28, minSize: 20, weight: 'bold' });
  const name = oneLine.truncated ? p.fit(state.by, { maxWidth: INNER_WIDTH, size: 19, minSize: 14, maxLines: 2, weight: 'bold' }) : oneLine;
  p.drawFitted(name, { x: CENTRE, y: name.lines.length === 1 ? 74 : 62, align: 'center', lineHeight: 1.1 });
  p.text(TEXTS.isComing, { x: CENTRE, y: name.lines.length === 1 ? 99 : 101, maxWidth: INNER_WIDTH, size: 20, weight: 'bold', align: 'center' });
  p.text(TEXTS.answeredAt(formatTime(state.at, timeZone)), { x: CENTRE, y: 119, maxWidth: INNER_WIDTH, size: 15, weight: 'normal', align: 'center' });
}

/**
 * Problems by urgency: those that stop alerts or detection first, those the patient fixes alone
 * after. A record so that a new problem cannot be forgotten here (it would never be drawn).
 */
const URGENCY_RANK: Readonly<Record<BoxProblem, number>> = { not_worn: 0, no_bracelet: 1, no_modem: 2, no_sim: 3, no_network: 4, selftest_failed: 5, bracelet_battery_low: 6 };
const URGENCY = (Object.keys(URGENCY_RANK) as BoxProblem[]).sort((a, b) => URGENCY_RANK[a] - URGENCY_RANK[b]);

/**
 * The problems worth a line: sorted, without duplicates, and without the consequences of a deeper
 * cause (no modem means no SIM and no network are not news; no SIM means no network either).
 */
export function problemLines(problems: readonly BoxProblem[]): BoxProblem[] {
  const set = new Set(problems);
  if (set.has('no_modem')) {
    set.delete('no_sim');
    set.delete('no_network');
  }
  if (set.has('no_sim')) set.delete('no_network');
  return URGENCY.filter((p) => set.has(p));
}

/** « Attention », then each problem and what to do; the more problems, the fewer words each. */
export function drawProblems(p: ScreenPainter, state: ProblemScreen): void {
  p.warningTriangle(MARGIN, 5, 30);
  p.text(TEXTS.attention, { x: MARGIN + 38, y: 30, maxWidth: INNER_WIDTH - 38, size: 26, weight: 'bold' });
  p.fillRect(0, 38, FRAME_WIDTH, 2);
  const lines = problemLines(state.problems);
  if (lines.length === 1) {
    const text = PROBLEM_TEXTS[lines[0]!];
    const what = p.text(text.what, { x: MARGIN, y: 66, maxWidth: INNER_WIDTH, size: 22, minSize: 18, weight: 'bold' });
    p.text(text.todo, { x: MARGIN, y: what.lastBaseline + 26, maxWidth: INNER_WIDTH, size: 19, minSize: 16, maxLines: 2, lineHeight: 1.1, weight: 'normal' });
  } else if (lines.length === 2) {
    lines.forEach((problem, i) => {
      const text = PROBLEM_TEXTS[problem];
      const y = 58 + i * 40;
      p.text(text.what, { x: MARGIN, y, maxWidth: INNER_WIDTH, size: 17, minSize: 15, weight: 'bold' });
      p.text(text.todo, { x: MARGIN + 10, y: y + 18, maxWidth: INNER_WIDTH - 10, size: 16, minSize: 14, weight: 'normal' });
    });
  } else {
    // Three or more: the headlines only, at most four lines, the last one counting the rest.
    const shown = lines.length > 4 ? lines.slice(0, 3) : lines;
    shown.forEach((problem, i) => {
      p.text(`• ${PROBLEM_TEXTS[problem].what}`, { x: MARGIN, y: 58 + i * 20, maxWidth: INNER_WIDTH, size: 17, minSize: 14, weight: 'bold' });
    });
    if (shown.length < lines.length) {
      p.text(TEXTS.moreProblems(lines.length - shown.length), { x: MARGIN, y: 58 + 3 * 20, maxWidth: INNER_WIDTH, size: 16, weight: 'normal' });
    }
  }
}
