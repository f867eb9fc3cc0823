/** English words of the alert timeline: the shape of `fr/alert-timeline.ts`. */
import type { alertTimelineFr } from '../fr/alert-timeline.ts';

export const alertTimelineEn: typeof alertTimelineFr = {
  title: (kind: string, n: number) => `${kind} — alert no. ${n}`,
  back: 'Back to the patient',
  timeline: 'Timeline',
  stages: {
    detected: 'detected',
    received_by_box: 'received by the box',
    raised: 'alert raised',
    sms_stored: 'SMS ready in the modem',
    sms_accepted: 'SMS sent',
    received_by_cloud: 'received by Vigie',
    shown_in_portal: 'shown in the portal',
    acknowledged: 'taken in charge',
  },
  first: (kind: string, stage: string) => `${kind} — ${stage}`,
  smsTo: (contact: string) => `SMS sent to ${contact}`,
  ackBy: (by: string) => `taken in charge by ${by}`,
  after: (text: string) => `+${text}`,
  clockNote: (seconds: string) => `Box times set to Vigie's clock (offset ${seconds} s).`,
  noClock: 'The box did not give its send time: its times are shown as they are.',
  summaryLabel: 'Summary',
  open: 'See the timeline',
  fleetTitle: 'Alert delays (30 days)',
  fleetStage: 'Stage',
  fleetCount: 'Alerts',
  fleetP50: 'Median (p50)',
  fleetP99: 'p99',
  fleetEmpty: 'No alert in the period.',
};
