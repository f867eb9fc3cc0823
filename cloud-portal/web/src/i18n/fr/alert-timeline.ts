/** Mots de la chronologie d'une alerte (page de l'alerte) et des délais de la flotte (support). */
export const alertTimelineFr = {
  title: (kind: string, n: number) => `${kind} — alerte n° ${n}`,
  back: 'Retour au patient',
  timeline: 'Chronologie',
  stages: {
    detected: 'détectée',
    received_by_box: 'reçue par le boîtier',
    raised: 'alerte déclenchée',
    sms_stored: 'SMS prêts dans le modem',
    sms_accepted: 'SMS envoyé',
    received_by_cloud: 'reçue par Vigie',
    shown_in_portal: 'affichée dans le portail',
    acknowledged: 'pris en charge',
  },
  /** Le type d'alerte et sa première étape connue, quand ce n'est pas la détection. */
  first: (kind: string, stage: string) => `${kind} — ${stage}`,
  smsTo: (contact: string) => `SMS envoyé à ${contact}`,
  ackBy: (by: string) => `pris en charge par ${by}`,
  /** Écart au premier instant connu : « +1,2 s », « +3 min ». */
  after: (text: string) => `+${text}`,
  clockNote: (seconds: string) => `Heures du boîtier recalées sur celles de Vigie (écart ${seconds} s).`,
  noClock: 'Le boîtier n’a pas donné son heure d’envoi : ses heures sont montrées telles quelles.',
  summaryLabel: 'Résumé',
  open: 'Voir la chronologie',
  fleetTitle: 'Délais des alertes (30 jours)',
  fleetStage: 'Étape',
  fleetCount: 'Alertes',
  fleetP50: 'Médiane (p50)',
  fleetP99: 'p99',
  fleetEmpty: 'Aucune alerte sur la période.',
};
