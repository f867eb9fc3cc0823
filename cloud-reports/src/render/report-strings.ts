/** The report's words, French first (issue 13: English when the doctor's language is English). */
const FR = {
    title: 'Rapport de suivi',
    period: (from: string, to: string, days: number) => `Période du ${from} au ${to} (${days} jours)`,
    born: (year: number) => `Né(e) en ${year}`,
    careTeam: 'Équipe soignante',
    relation: { doctor: 'Médecin', nurse: 'Infirmier·ère' } as Record<string, string>,
    noCareTeam: 'Aucun soignant lié.',
    requested: (at: string) => `Rapport demandé le ${at}`,
    summary: 'Résumé et évolution depuis le rapport précédent',
    previousPeriod: (from: string, to: string) => `Période précédente : du ${from} au ${to}`,
    noPrevious: 'Pas de période précédente avec des données : première synthèse.',
    indicator: 'Indicateur',
    thisPeriod: 'Cette période',
    previous: 'Précédente',
    change: 'Évolution',
    hrMean: 'Fréquence cardiaque moyenne (bpm)',
    spo2Mean: 'SpO2 moyenne (%)',
    stepsPerDay: 'Pas par jour',
    wornPerDay: 'Temps porté par jour (h)',
    alertsCount: 'Alertes',
    outOfRangeCount: 'Valeurs hors seuils',
    heartRate: 'Fréquence cardiaque (bpm)',
    spo2: 'Saturation en oxygène, SpO2 (%)',
    steps: 'Pas par jour',
    chartNote: 'Trait : moyenne du jour ; barre verticale : minimum à maximum ; un jour sans mesure est un trou.',
    daily: 'Valeurs par jour',
    day: 'Jour',
    hrCols: 'FC min / moy / max',
    spo2Cols: 'SpO2 min / moy / max',
    stepsCol: 'Pas',
    wornCol: 'Porté',
    noData: '—',
    outOfRange: 'Valeurs hors des seuils du patient',
    thresholds: (low: number, high: number, spo2: number) => `Seuils : fréquence cardiaque de ${low} à ${high} bpm ; SpO2 au moins ${spo2} %.`,
    outOfRangeCounts: (hr: number, spo2: number) => `${hr} mesure(s) de fréquence cardiaque et ${spo2} mesure(s) de SpO2 hors seuils.`,
    firstListed: (n: number) => `Les ${n} premières :`,
    metricName: { heart_rate: 'Fréquence cardiaque', spo2: 'SpO2' } as Record<string, string>,
    side: { low: 'basse', high: 'haute' } as Record<string, string>,
    when: 'Date et heure',
    value: 'Valeur',
    alerts: 'Alertes',
    noAlerts: 'Aucune alerte sur la période.',
    alertCols: ['N°', 'Type', 'Gravité', 'Déclenchée', 'Acquittée', 'Par'],
    alertKind: { fall: 'Chute', cardiac_arrest: 'Arrêt cardiaque', hypoxemia: 'Hypoxémie', bradycardia: 'Bradycardie', tachycardia: 'Tachycardie', sos: 'Appel SOS' } as Record<string, string>,
    notAcknowledged: 'non acquittée',
    availability: 'Disponibilité du dispositif',
    boxOnline: (h: number, total: number, pct: string) => `Box en ligne : ${h} h sur ${total} h (${pct} %).`,
    worn: (h: string) => `Bracelet porté : ${h} h au total sur la période.`,
    battery: (min: string, last: string) => `Batterie du bracelet : minimum ${min} %, dernière valeur ${last} %.`,
    noBattery: 'Batterie du bracelet : aucune mesure.',
    questionnaire: 'Questionnaire',
    noQuestionnaire: 'Aucune réponse au questionnaire sur la période.',
    question: 'Question',
    questionnaireDays: (answered: number, due: number, missed: number, dates: string) =>
      `Jours répondus : ${answered} ; jours prévus : ${due} ; jours manqués : ${missed}${missed > 0 ? ` (${dates})` : ''}.`,
    streak: (question: string, n: number, from: string, to: string) => `Série négative : ${question} — ${n} réponses négatives de suite, du ${from} au ${to}.`,
    noStreak: 'Aucune série négative (deux réponses négatives de suite ou plus).',
    page: (i: number, n: number) => `Page ${i} / ${n}`,
    confidential: 'Document médical confidentiel',
};

/** The words of one language. */
export type ReportStrings = typeof FR;

const EN: ReportStrings = {
    title: 'Monitoring report',
    period: (from: string, to: string, days: number) => `Period from ${from} to ${to} (${days} days)`,
    born: (year: number) => `Born in ${year}`,
    careTeam: 'Care team',
    relation: { doctor: 'Doctor', nurse: 'Nurse' } as Record<string, string>,
    noCareTeam: 'No carer linked.',
    requested: (at: string) => `Report requested on ${at}`,
    summary: 'Summary and changes since the previous report',
    previousPeriod: (from: string, to: string) => `Previous period: from ${from} to ${to}`,
    noPrevious: 'No previous period with data: first summary.',
    indicator: 'Indicator',
    thisPeriod: 'This period',
    previous: 'Previous',
    change: 'Change',
    hrMean: 'Mean heart rate (bpm)',
    spo2Mean: 'Mean SpO2 (%)',
    stepsPerDay: 'Steps per day',
    wornPerDay: 'Time worn per day (h)',
    alertsCount: 'Alerts',
    outOfRangeCount: 'Readings outside thresholds',
    heartRate: 'Heart rate (bpm)',
    spo2: 'Oxygen saturation, SpO2 (%)',
    steps: 'Steps per day',
    chartNote: 'Line: daily mean; vertical bar: minimum to maximum; a day without readings is a gap.',
    daily: 'Values per day',
    day: 'Day',
    hrCols: 'HR min / mean / max',
    spo2Cols: 'SpO2 min / mean / max',
    stepsCol: 'Steps',
    wornCol: 'Worn',
    noData: '—',
    outOfRange: "Readings outside the patient's thresholds",
    thresholds: (low: number, high: number, spo2: number) => `Thresholds: heart rate from ${low} to ${high} bpm; SpO2 at least ${spo2} %.`,
    outOfRangeCounts: (hr: number, spo2: number) => `${hr} heart-rate reading(s) and ${spo2} SpO2 reading(s) outside thresholds.`,
    firstListed: (n: number) => `The first ${n}:`,
    metricName: { heart_rate: 'Heart rate', spo2: 'SpO2' } as Record<string, string>,
    side: { low: 'low', high: 'high' } as Record<string, string>,
    when: 'Date and time',
    value: 'Value',
    alerts: 'Alerts',
    noAlerts: 'No alert in the period.',
    alertCols: ['No.', 'Kind', 'Severity', 'Raised', 'Acknowledged', 'By'],
    alertKind: { fall: 'Fall', cardiac_arrest: 'Cardiac arrest', hypoxemia: 'Hypoxemia', bradycardia: 'Bradycardia', tachycardia: 'Tachycardia', sos: 'SOS call' } as Record<string, string>,
    notAcknowledged: 'not acknowledged',
    availability: 'Device availability',
    boxOnline: (h: number, total: number, pct: string) => `Box online: ${h} h out of ${total} h (${pct} %).`,
    worn: (h: string) => `Bracelet worn: ${h} h in all over the period.`,
    battery: (min: string, last: string) => `Bracelet battery: minimum ${min} %, last value ${last} %.`,
    noBattery: 'Bracelet battery: no reading.',
    questionnaire: 'Questionnaire',
    noQuestionnaire: 'No questionnaire answer in the period.',
    question: 'Question',
    questionnaireDays: (answered: number, due: number, missed: number, dates: string) =>
      `Days answered: ${answered}; days due: ${due}; days missed: ${missed}${missed > 0 ? ` (${dates})` : ''}.`,
    streak: (question: string, n: number, from: string, to: string) => `Negative streak: ${question} — ${n} negative answers in a row, from ${from} to ${to}.`,
    noStreak: 'No negative streak (two or more negative answers in a row).',
    page: (i: number, n: number) => `Page ${i} / ${n}`,
    confidential: 'Confidential medical document',
};

/** The report's words, by language. */
export const REPORT_STRINGS: Readonly<Record<'fr' | 'en', ReportStrings>> = { fr: FR, en: EN };

/**
 * A number as the report prints it: `decimals` digits, the locale's decimal mark, no grouping
 * (so `pdftotext` reads back exactly what a test formats from SQL).
 */
export function formatNumber(value: number, decimals: number, locale: 'fr' | 'en'): string {
  const key = `${locale}${decimals}`;
  let f = numberFormats.get(key);
  if (!f) {
    // Built once: an Intl formatter costs far more to make than to use (a report formats thousands).
    f = new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: false });
    numberFormats.set(key, f);
  }
  return f.format(value);
}
const numberFormats = new Map<string, Intl.NumberFormat>();

/** A calendar date `YYYY-MM-DD` as the report prints it (`08/12/2026` in both languages, day first). */
export const formatDate = (date: string): string => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

const instantFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
/** An instant in Europe/Paris, `08/12/2026 14:05`. */
export function formatInstant(ms: number): string {
  const parts = instantFormat.formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('day')}/${get('month')}/${get('year')} ${get('hour')}:${get('minute')}`;
}
