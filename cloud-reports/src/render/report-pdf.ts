/**
 * The report as a PDF (pdfkit): A4, tagged (headings are H1/H2 structure elements, the text is
 * real, selectable text in a bundled DejaVu Sans that carries every French accent), charts drawn
 * as vectors. Deterministic: the same data gives the same bytes (the creation date is the
 * request's), so a report rendered again after a crash is the same object.
 */
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { addDays, daysBetween } from '@vigie/protocol';
import { type DayMetric, type DayStats, type PeriodSummary, type ReportData } from './report-data.ts';
import { formatDate, formatInstant, formatNumber, REPORT_STRINGS, type ReportStrings } from './report-strings.ts';

const FONTS = join(import.meta.dirname, '..', '..', 'fonts');
const REGULAR = join(FONTS, 'DejaVuSans.ttf');
const BOLD = join(FONTS, 'DejaVuSans-Bold.ttf');
const MARGIN = 50;
const A4 = { width: 595.28, height: 841.89 };
const CONTENT_WIDTH = A4.width - 2 * MARGIN;
const BOTTOM = A4.height - MARGIN - 20;
const INK = '#1a1a1a';
const GREY = '#666666';
const COLORS = { heartRate: '#b3261e', spo2: '#1f5fa8', steps: '#2e7d32' };

type Doc = PDFKit.PDFDocument;

/** Render `data` to a PDF; resolves with the bytes and the page count. */
export function renderReportPdf(data: ReportData): Promise<{ pdf: Buffer; pages: number }> {
  const s = REPORT_STRINGS[data.locale];
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    tagged: true,
    pdfVersion: '1.7',
    lang: data.locale === 'fr' ? 'fr-FR' : 'en-GB',
    displayTitle: true,
    info: {
      Title: `${s.title} — ${data.patient.name} — ${formatDate(data.period.from)}`,
      Author: 'Vigie',
      Creator: 'Vigie reports',
      Producer: 'Vigie reports (pdfkit)',
      CreationDate: new Date(data.requestedAt),
    },
  });
  doc.registerFont('body', REGULAR);
  doc.registerFont('bold', BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  draw(doc, data, s);
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    doc.font('body').fontSize(8).fillColor(GREY);
    doc.text(`${s.confidential} — ${data.patient.name} — ${s.page(i + 1, range.count)}`, MARGIN, A4.height - MARGIN + 10, { width: CONTENT_WIDTH, align: 'center', lineBreak: false });
  }
  doc.end();
  return done.then((pdf) => ({ pdf, pages: range.count }));
}

function heading(doc: Doc, level: 'H1' | 'H2', text: string): void {
  const size = level === 'H1' ? 18 : 13;
  if (doc.y + size * 4 > BOTTOM) doc.addPage();
  if (level === 'H2') doc.moveDown(0.8);
  doc.addStructure(
    doc.struct(level, {}, () => {
      doc.font('bold').fontSize(size).fillColor(INK).text(text, MARGIN, doc.y, { width: CONTENT_WIDTH });
    }),
  );
  doc.moveDown(0.3);
}

function paragraph(doc: Doc, text: string, options: { size?: number; color?: string } = {}): void {
  if (doc.y + 20 > BOTTOM) doc.addPage();
  doc.addStructure(
    doc.struct('P', {}, () => {
      doc.font('body').fontSize(options.size ?? 10).fillColor(options.color ?? INK).text(text, MARGIN, doc.y, { width: CONTENT_WIDTH });
    }),
  );
}

/** A simple table: bold header row, fixed column widths, repeated header after a page break. */
function table(doc: Doc, widths: readonly number[], header: readonly string[], rows: readonly (readonly string[])[]): void {
  const rowHeight = 14;
  const drawRow = (cells: readonly string[], bold: boolean) => {
    if (doc.y + rowHeight > BOTTOM) {
      doc.addPage();
      if (!bold) drawRow(header, true);
    }
    const y = doc.y;
    let x = MARGIN;
    doc.font(bold ? 'bold' : 'body').fontSize(8.5).fillColor(INK);
    cells.forEach((cell, i) => {
      doc.text(cell, x + 2, y + 3, { width: widths[i]! - 4, lineBreak: false, ellipsis: true });
      x += widths[i]!;
    });
    doc.moveTo(MARGIN, y + rowHeight).lineTo(MARGIN + widths.reduce((a, b) => a + b, 0), y + rowHeight).lineWidth(0.3).strokeColor('#bbbbbb').stroke();
    doc.x = MARGIN;
    doc.y = y + rowHeight;
  };
  doc.addStructure(
    doc.struct('Table', {}, () => {
      drawRow(header, true);
      for (const r of rows) drawRow(r, false);
    }),
  );
  doc.moveDown(0.5);
}

const n1 = (v: number | null, locale: 'fr' | 'en', s: ReportStrings) => (v === null ? s.noData : formatNumber(v, 1, locale));
const n0 = (v: number | null, locale: 'fr' | 'en', s: ReportStrings) => (v === null ? s.noData : formatNumber(v, 0, locale));
const triple = (m: DayMetric | null, locale: 'fr' | 'en', s: ReportStrings) =>
  m ? `${formatNumber(m.min, 0, locale)} / ${formatNumber(m.mean, 1, locale)} / ${formatNumber(m.max, 0, locale)}` : s.noData;
const hours = (minutes: number, locale: 'fr' | 'en') => formatNumber(minutes / 60, 1, locale);

function change(now: number | null, before: number | null, locale: 'fr' | 'en', s: ReportStrings): string {
  if (now === null || before === null) return s.noData;
  const d = now - before;
  return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${formatNumber(Math.abs(d), 1, locale)}`;
}

/**
 * A daily chart: for each day, a vertical bar from min to max and the mean as a point joined to
 * the next day's; a day with no reading leaves a gap (the line is not drawn across it).
 */
function chart(doc: Doc, days: readonly DayStats[], pick: (d: DayStats) => DayMetric | null, color: string, alt: string, locale: 'fr' | 'en', bars = false): void {
  const h = 110;
  if (doc.y + h + 30 > BOTTOM) doc.addPage();
  const x0 = MARGIN + 30;
  const y0 = doc.y + 5;
  const w = CONTENT_WIDTH - 30;
  const values = days.flatMap((d) => {
    const m = pick(d);
    return m ? [m.min, m.max] : [];
  });
  let lo = values.length > 0 ? Math.min(...values) : 0;
  let hi = values.length > 0 ? Math.max(...values) : 1;
  if (bars) lo = 0;
  if (hi - lo < 1) hi = lo + 1;
  const pad = (hi - lo) * 0.08;
  lo = bars ? 0 : lo - pad;
  hi += pad;
  const step = w / Math.max(days.length, 1);
  const xAt = (i: number) => x0 + step * (i + 0.5);
  const yAt = (v: number) => y0 + h - ((v - lo) / (hi - lo)) * h;
  doc.addStructure(
    doc.struct('Figure', { alt }, () => {
      doc.lineWidth(0.5).strokeColor('#999999').rect(x0, y0, w, h).stroke();
      doc.font('body').fontSize(7).fillColor(GREY);
      doc.text(formatNumber(hi, 0, locale), MARGIN, y0 - 3, { width: 26, align: 'right', lineBreak: false });
      doc.text(formatNumber(lo, 0, locale), MARGIN, y0 + h - 6, { width: 26, align: 'right', lineBreak: false });
      if (days.length > 0) {
        doc.text(formatDate(days[0]!.day), x0, y0 + h + 3, { width: 60, lineBreak: false });
        doc.text(formatDate(days.at(-1)!.day), x0 + w - 60, y0 + h + 3, { width: 60, align: 'right', lineBreak: false });
      }
      days.forEach((d, i) => {
        const m = pick(d);
        if (!m) return;
        if (bars) {
          doc.rect(xAt(i) - step * 0.35, yAt(m.mean), step * 0.7, y0 + h - yAt(m.mean)).fillColor(color).fill();
        } else {
          doc.lineWidth(1.2).strokeColor(color).strokeOpacity(0.35).moveTo(xAt(i), yAt(m.min)).lineTo(xAt(i), yAt(m.max)).stroke().strokeOpacity(1);
        }
      });
      if (!bars) {
        // The mean line, broken wherever a day has no reading.
        let open = false;
        doc.lineWidth(1.2).strokeColor(color);
        days.forEach((d, i) => {
          const m = pick(d);
          if (!m) {
            if (open) doc.stroke();
            open = false;
            return;
          }
          if (open) doc.lineTo(xAt(i), yAt(m.mean));
          else doc.moveTo(xAt(i), yAt(m.mean));
          open = true;
          doc.circle(xAt(i), yAt(m.mean), 1.2);
        });
        if (open) doc.stroke();
      }
    }),
  );
  doc.x = MARGIN;
  doc.y = y0 + h + 16;
}

function summaryRows(data: ReportData, s: ReportStrings): string[][] {
  const l = data.locale;
  const c: PeriodSummary = data.current;
  const p = data.previous;
  const row = (label: string, now: number | null, before: number | null | undefined, f: (v: number | null) => string): string[] => [
    label,
    f(now),
    p ? f(before ?? null) : s.noData,
    p ? change(now, before ?? null, l, s) : s.noData,
  ];
  return [
    row(s.hrMean, c.heartRateMean, p?.heartRateMean, (v) => n1(v, l, s)),
    row(s.spo2Mean, c.spo2Mean, p?.spo2Mean, (v) => n1(v, l, s)),
    row(s.stepsPerDay, c.stepsPerDay, p?.stepsPerDay, (v) => n0(v, l, s)),
    row(s.wornPerDay, c.wornMinutesPerDay / 60, p ? p.wornMinutesPerDay / 60 : null, (v) => n1(v, l, s)),
    row(s.alertsCount, c.alerts, p?.alerts, (v) => n0(v, l, s)),
    row(s.outOfRangeCount, c.outOfRange, p?.outOfRange, (v) => n0(v, l, s)),
  ];
}

function draw(doc: Doc, data: ReportData, s: ReportStrings): void {
  const l = data.locale;
  const lastDay = addDays(data.period.to, -1);
  heading(doc, 'H1', `${s.title} — ${data.patient.name}`);
  paragraph(doc, s.period(formatDate(data.period.from), formatDate(lastDay), daysBetween(data.period.from, data.period.to)));
  if (data.patient.birthYear !== null) paragraph(doc, s.born(data.patient.birthYear));
  paragraph(
    doc,
    `${s.careTeam} : ${data.careTeam.length > 0 ? data.careTeam.map((m) => `${m.name} (${s.relation[m.relation] ?? m.relation})`).join(', ') : s.noCareTeam}`.replace(' : ', l === 'fr' ? ' : ' : ': '),
  );
  paragraph(doc, s.requested(formatInstant(data.requestedAt)), { size: 8, color: GREY });

  heading(doc, 'H2', s.summary);
  paragraph(doc, data.previous ? s.previousPeriod(formatDate(data.previous.from), formatDate(addDays(data.previous.to, -1))) : s.noPrevious, { size: 9 });
  doc.moveDown(0.3);
  table(doc, [215, 90, 90, 100], [s.indicator, s.thisPeriod, s.previous, s.change], summaryRows(data, s));

  heading(doc, 'H2', s.heartRate);
  chart(doc, data.days, (d) => d.heartRate, COLORS.heartRate, s.heartRate, l);
  paragraph(doc, s.chartNote, { size: 8, color: GREY });
  heading(doc, 'H2', s.spo2);
  chart(doc, data.days, (d) => d.spo2, COLORS.spo2, s.spo2, l);
  heading(doc, 'H2', s.steps);
  chart(doc, data.days, (d) => (d.steps === null ? null : { min: d.steps, mean: d.steps, max: d.steps, n: 1 }), COLORS.steps, s.steps, l, true);

  heading(doc, 'H2', s.daily);
  table(
    doc,
    [75, 130, 130, 80, 80],
    [s.day, s.hrCols, s.spo2Cols, s.stepsCol, s.wornCol],
    data.days.map((d) => [formatDate(d.day), triple(d.heartRate, l, s), triple(d.spo2, l, s), n0(d.steps, l, s), `${hours(d.wornMinutes, l)} h`]),
  );

  heading(doc, 'H2', s.outOfRange);
  paragraph(doc, s.thresholds(data.thresholds.heartRateLow, data.thresholds.heartRateHigh, data.thresholds.spo2Min));
  paragraph(doc, s.outOfRangeCounts(data.outOfRange.heartRate, data.outOfRange.spo2));
  if (data.outOfRange.first.length > 0) {
    paragraph(doc, s.firstListed(data.outOfRange.first.length), { size: 9 });
    table(
      doc,
      [150, 150, 195],
      [s.when, s.value, ''],
      data.outOfRange.first.map((r) => [formatInstant(r.at), `${s.metricName[r.metric]} ${formatNumber(r.value, 0, l)}`, s.side[r.side]!]),
    );
  }

  heading(doc, 'H2', s.alerts);
  if (data.alerts.length === 0) paragraph(doc, s.noAlerts);
  else {
    table(
      doc,
      [35, 95, 60, 95, 95, 115],
      s.alertCols,
      data.alerts.map((a) => [
        String(a.number),
        s.alertKind[a.kind] ?? a.kind,
        a.severity,
        formatInstant(a.raisedAt),
        a.acknowledgedAt === null ? s.notAcknowledged : formatInstant(a.acknowledgedAt),
        a.acknowledgedBy ?? s.noData,
      ]),
    );
  }

  heading(doc, 'H2', s.availability);
  const av = data.availability;
  paragraph(doc, s.boxOnline(av.boxOnlineHours, av.periodHours, formatNumber(av.periodHours > 0 ? (100 * av.boxOnlineHours) / av.periodHours : 0, 0, l)));
  paragraph(doc, s.worn(hours(data.days.reduce((a, d) => a + d.wornMinutes, 0), l)));
  paragraph(doc, av.batteryMin === null ? s.noBattery : s.battery(formatNumber(av.batteryMin, 0, l), formatNumber(av.batteryLast ?? av.batteryMin, 0, l)));

  heading(doc, 'H2', s.questionnaire);
  const q = data.questionnaire;
  if (!q || q.rows.length === 0) paragraph(doc, s.noQuestionnaire);
  else {
    // One column per day would not fit a month on A4: the grid shows one mark per day (+ positive,
    // − negative, · unanswered) and the streaks.
    table(
      doc,
      [150, 345],
      [s.question, q.days.length > 0 ? `${formatDate(q.days[0]!)} → ${formatDate(q.days.at(-1)!)}` : ''],
      q.rows.map((r) => [r.question, r.answers.map((a) => (a === null ? '·' : a.negative ? '−' : '+')).join('')]),
    );
    paragraph(doc, s.questionnaireDays(q.answeredDays, q.dueDays, q.missedDays.length, q.missedDays.map(formatDate).join(', ')), { size: 9 });
    if (q.streaks.length === 0) paragraph(doc, s.noStreak, { size: 9 });
    for (const st of q.streaks) paragraph(doc, s.streak(st.question, st.length, formatDate(st.from), formatDate(st.to)), { size: 9 });
  }
}
