/**
 * French messages — the reference dictionary. Its shape is the `Messages` type every other
 * language must fill exactly (a missing or extra key is a type error).
 */
import type { AlertKind, AlertSeverity, AlertState, Role } from '../api/types.ts';
import type { KnownErrorCode } from './error-codes.ts';

type NotificationStatus = 'queued' | 'sent' | 'failed';
type AckVia = 'sms' | 'portal' | 'box';

export const fr = {
  app: {
    name: 'Vigie',
    tagline: 'Suivi à domicile',
    skipToContent: 'Aller au contenu',
    loading: 'Chargement…',
    retry: 'Réessayer',
    backToList: '← Retour à la liste des patients',
  },
  header: {
    mainNav: 'Navigation principale',
    patients: 'Patients',
    demo: 'Démonstration',
    admin: 'Administration',
    language: 'Langue',
    logout: 'Se déconnecter',
    signedInAs: 'Connecté en tant que',
  },
  roles: {
    patient: 'Patient',
    doctor: 'Médecin',
    nurse: 'Infirmier/infirmière',
    relative: 'Proche',
    support: 'Support',
    admin: 'Administrateur',
  } satisfies Record<Role, string>,
  connection: {
    lost: 'Connexion perdue',
    reconnecting: 'reconnexion en cours…',
    restored: 'Connexion rétablie',
    live: 'En direct',
  },
  errors: {
    network: 'Impossible de joindre le serveur. Vérifiez la connexion internet, puis réessayez.',
    server: 'Le serveur a rencontré un problème. Réessayez dans un instant.',
    forbidden: 'Vous n’avez pas accès à ces informations.',
    notFound: 'Cette page ou cette ressource est introuvable.',
    unexpected: 'Une erreur inattendue est survenue.',
    tooManyAttempts: 'Trop de tentatives. Patientez quelques minutes avant de réessayer.',
  },
  /** Sentences for the API's error codes (docs/errors.md, « cloud-portal »). */
  errorCodes: {
    PORTAL_LOGIN_FAILED: 'Adresse e-mail ou mot de passe incorrect.',
    PORTAL_UNAUTHENTICATED: 'Votre session a expiré. Reconnectez-vous.',
    PORTAL_CSRF_HEADER_MISSING: 'La demande a été refusée par sécurité. Rechargez la page puis réessayez.',
    PORTAL_PATIENT_NOT_FOUND: 'Ce patient est introuvable parmi ceux qui vous sont rattachés.',
    PORTAL_INVALID_REQUEST: 'La demande est invalide. Rechargez la page puis réessayez.',
    PORTAL_DEMO_SIMULATOR_UNAVAILABLE:
      'Le simulateur de bracelet n’est pas démarré : lancez le système complet (npm start) puis réessayez.',
    PORTAL_DEMO_SCENARIO_FAILED: 'Le simulateur de bracelet a refusé le scénario. Réessayez dans un instant.',
    PORTAL_CONFIRMATION_MISMATCH: 'La confirmation ne correspond pas : tapez le nom exactement comme affiché.',
    PORTAL_CONFLICT: 'Cette modification entre en conflit avec l’état actuel. Rechargez la page.',
    PORTAL_RESTORE_EXPIRED: 'Supprimé il y a plus de 30 jours : la restauration n’est plus possible.',
    PORTAL_LINK_INVALID: 'Ce lien n’est plus valable (déjà utilisé ou expiré).',
    PORTAL_SECOND_FACTOR_REQUIRED: 'Activez d’abord votre second facteur (code de vérification).',
    PORTAL_SECOND_FACTOR_FAILED: 'Code de vérification incorrect ou expiré.',
    PORTAL_TOO_MANY_ATTEMPTS: 'Trop de tentatives. Patientez quelques minutes avant de réessayer.',
    PORTAL_PASSWORD_REJECTED: 'Mot de passe refusé : choisissez au moins 12 caractères, pas un mot de passe courant ou déjà divulgué, ni votre adresse e-mail ou votre nom. Une courte phrase convient bien.',
  } satisfies Record<KnownErrorCode, string>,
  login: {
    title: 'Connexion',
    intro: 'Connectez-vous pour accéder au suivi de vos patients.',
    email: 'Adresse e-mail',
    password: 'Mot de passe',
    submit: 'Se connecter',
    submitting: 'Connexion…',
    invalidCredentials: 'Adresse e-mail ou mot de passe incorrect.',
    missingFields: 'Saisissez votre adresse e-mail et votre mot de passe.',
  },
  patients: {
    title: 'Patients',
    count: (n: number) => (n === 0 ? 'Aucun patient' : n === 1 ? '1 patient suivi' : `${n} patients suivis`),
    empty: 'Aucun patient ne vous est rattaché pour le moment.',
    name: 'Patient',
    box: 'Boîtier',
    lastData: 'Dernière donnée',
    lastDataLabel: 'Dernière donnée :',
    openAlerts: 'Alertes ouvertes',
    never: 'Jamais',
    noBox: 'Aucun boîtier',
    noOpenAlert: 'Aucune',
    openAlertsBadge: (n: number) => (n === 1 ? '1 alerte ouverte' : `${n} alertes ouvertes`),
    staleHint: 'Pas de donnée depuis plus d’une heure',
  },
  patient: {
    titleFallback: 'Patient',
    box: (boxId: string) => `Boîtier ${boxId}`,
    range: 'Période',
    ranges: { '24h': '24 h', '7d': '7 j', '30d': '30 j' },
    rangeLong: { '24h': 'dernières 24 heures', '7d': '7 derniers jours', '30d': '30 derniers jours' },
    heartRate: 'Fréquence cardiaque',
    spo2: 'Saturation en oxygène (SpO2)',
    unitBpm: 'bpm',
    unitPercent: '%',
    noData: 'Aucune mesure sur cette période.',
    latest: 'Dernière valeur',
    min: 'min',
    max: 'max',
    chartLabel: (metric: string, range: string, count: number) =>
      `Graphique : ${metric}, ${range}, ${count} mesure${count > 1 ? 's' : ''}.`,
    time: 'Heure',
  },
  alerts: {
    title: 'Alertes',
    empty: 'Aucune alerte.',
    number: (n: number) => `n° ${n}`,
    raisedAt: 'Déclenchée le',
    kinds: {
      fall: 'Chute détectée',
      cardiac_arrest: 'Suspicion d’arrêt cardiaque',
      hypoxemia: 'Oxygène sanguin bas (hypoxémie)',
      manual_help: 'Appel à l’aide (bouton)',
      bradycardia: 'Pouls lent (bradycardie)',
      tachycardia: 'Pouls rapide (tachycardie)',
      not_worn: 'Bracelet non porté',
      no_data: 'Aucune donnée reçue',
      low_battery: 'Batterie faible',
    } satisfies Record<AlertKind, string>,
    severities: {
      critical: 'Critique',
      warning: 'Attention',
      info: 'Information',
    } satisfies Record<AlertSeverity, string>,
    states: {
      raised: 'Déclenchée',
      notifying: 'SMS en cours',
      notified: 'SMS envoyés',
      acknowledged: 'Prise en charge',
      escalated: 'Escaladée',
      closed: 'Clôturée',
    } satisfies Record<AlertState, string>,
    acknowledgedBy: (who: string) => `Prise en charge par ${who}`,
    ackDetail: (via: string, time: string) => `(${via}, ${time})`,
    ackVia: { sms: 'SMS', portal: 'portail', box: 'boîtier' } satisfies Record<AckVia, string>,
    notifications: 'Notifications',
    notificationStatus: { queued: 'en attente', sent: 'envoyé', failed: 'échec' } satisfies Record<NotificationStatus, string>,
    announceNew: (kind: string, time: string) => `Nouvelle alerte : ${kind}, ${time}.`,
    announceUpdate: (kind: string, n: number, state: string) => `Alerte ${kind} n° ${n} : ${state}.`,
  },
  demo: {
    title: 'Démonstration',
    intro:
      'Déclenchez un événement sur le bracelet simulé et suivez les SMS reçus par l’émulateur de modem. Rien n’est envoyé à de vrais numéros.',
    scenarios: 'Scénarios',
    fall: 'Simuler une chute',
    cardiac_arrest: 'Simuler un arrêt cardiaque',
    help: 'Appel à l’aide (bouton)',
    started: (name: string) => `Scénario lancé : ${name}. Les SMS apparaîtront ci-dessous.`,
    simulatorDown: 'Le simulateur n’est pas démarré : lancez le système complet (npm start) puis réessayez.',
    unavailable: 'Le mode démonstration n’est pas activé sur ce serveur.',
    smsTitle: 'SMS reçus par l’émulateur de modem',
    smsEmpty: 'Aucun SMS pour le moment.',
    smsTo: 'Destinataire',
    smsAt: 'Reçu à',
    smsParts: (n: number) => (n > 1 ? `${n} parties` : '1 partie'),
    refreshing: 'Actualisé toutes les 2 secondes',
  },
  notFound: {
    title: 'Page introuvable',
    body: 'L’adresse demandée n’existe pas.',
  },
};

/** The shape every language fills. */
export type Messages = typeof fr;
export type { AckVia, NotificationStatus };
