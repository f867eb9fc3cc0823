import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { skipUnlessTool } from '@vigie/common/testing';
import type { ReportData } from './report-data.ts';
import { renderReportPdf } from './report-pdf.ts';

const yes = { label: 'oui', negative: false };
const no = { label: 'non', negative: true };

/** A small report from typed input (no database): two days, one gap, a questionnaire grid. */
const data = (over: Partial<ReportData> = {}): ReportData => ({
  locale: 'fr',
  patient: { id: '5e1d0000-0000-4000-8000-000000000001', name: 'Josèphe Lemaître', birthYear: 1936 },
  careTeam: [{ name: 'Dr Zoé Brûlé', relation: 'doctor' }],
  period: { from: '2026-11-30', to: '2026-12-03' },
  requestedAt: Date.UTC(2026, 11, 8, 1),
  thresholds: { heartRateLow: 40, heartRateHigh: 130, spo2Min: 90 },
  days: [
    { day: '2026-11-30', heartRate: { min: 58, mean: 71.25, max: 96, n: 144 }, spo2: { min: 92, mean: 95.5, max: 98, n: 48 }, steps: 3120, wornMinutes: 1_380 },
    { day: '2026-12-01', heartRate: null, spo2: null, steps: null, wornMinutes: 0 },
    { day: '2026-12-02', heartRate: { min: 61, mean: 74, max: 102, n: 140 }, spo2: { min: 93, mean: 96, max: 99, n: 47 }, steps: 2890, wornMinutes: 1_400 },
  ],
  outOfRange: { heartRate: 0, spo2: 0, first: [] },
  alerts: [],
  availability: { boxOnlineHours: 70, periodHours: 72, batteryMin: 31, batteryLast: 64 },
  current: { from: '2026-11-30', to: '2026-12-03', heartRateMean: 72.6, spo2Mean: 95.7, stepsPerDay: 2003.3, alerts: 0, outOfRange: 0, wornMinutesPerDay: 926.7 },
  previous: null,
  questionnaire: {
    days: ['2026-11-30', '2026-12-01', '2026-12-02'],
    rows: [
      { question: 'Avez-vous bien dormi ?', answers: [no, no, yes] },
      { question: 'Avez-vous mangé ?', answers: [yes, null, no] },
    ],
    dueDays: 3,
    answeredDays: 3,
    missedDays: [],
    streaks: [{ question: 'Avez-vous bien dormi ?', from: '2026-11-30', to: '2026-12-01', length: 2 }],
  },
  ...over,
});

const text = async (pdf: Buffer) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-pdf-'));
  try {
    writeFileSync(join(dir, 'r.pdf'), pdf);
    return (await promisify(execFile)('pdftotext', ['-enc', 'UTF-8', '-layout', join(dir, 'r.pdf'), '-'])).stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

test('renders an A4, tagged, deterministic PDF whose text carries the accents, the gap and the questionnaire grid', { skip: skipUnlessTool('pdftotext', 'poppler-utils') }, async () => {
  const { pdf, pages } = await renderReportPdf(data());
  assert.ok(pages >= 1);
  assert.ok((await renderReportPdf(data())).pdf.equals(pdf), 'the same data gives the same bytes');
  const raw = pdf.toString('latin1');
  assert.match(raw, /\/MediaBox \[0 0 595\.28 841\.89\]/, 'A4');
  assert.match(raw, /\/StructTreeRoot/, 'tagged');
  assert.match(raw, /\/Lang \(fr-FR\)/);
  const t = await text(pdf);
  assert.ok(t.includes('Rapport de suivi — Josèphe Lemaître'));
  assert.ok(t.includes('Dr Zoé Brûlé (Médecin)'));
  assert.match(t, /30\/11\/2026\s+58 \/ 71,3 \/ 96\s+92 \/ 95,5 \/ 98\s+3120\s+23,0 h/);
  assert.match(t, /01\/12\/2026\s+—\s+—\s+—\s+0,0 h/, 'a day without data is a gap');
  assert.match(t, /Avez-vous bien dormi \?\s+−−\+/);
  assert.match(t, /Avez-vous mangé \?\s+\+·−/);
  assert.ok(t.includes('Jours répondus : 3 ; jours prévus : 3 ; jours manqués : 0.'));
  assert.ok(t.includes('Série négative : Avez-vous bien dormi ? — 2 réponses négatives de suite, du 30/11/2026 au 01/12/2026.'));
  assert.ok(t.includes('Box en ligne : 70 h sur 72 h (97 %).'));
});

test("speaks English when the doctor's language is English", { skip: skipUnlessTool('pdftotext', 'poppler-utils') }, async () => {
  const t = await text((await renderReportPdf(data({ locale: 'en', questionnaire: null }))).pdf);
  assert.ok(t.includes('Monitoring report — Josèphe Lemaître'));
  assert.ok(t.includes('Values per day'));
  assert.match(t, /30\/11\/2026\s+58 \/ 71\.3 \/ 96/);
  assert.ok(t.includes('No questionnaire answer in the period.'));
});
