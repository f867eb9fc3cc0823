/**
 * A small badge for the live connection: "connexion perdue" while the event stream is down (after
 * a short grace period, so a routine reconnection does not flicker), then "connexion rétablie" for
 * a few seconds.
 */
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { useConnectionStatus } from './live.tsx';

const LOST_GRACE_MS = 2_000;
const RESTORED_SHOWN_MS = 5_000;

type Shown = 'none' | 'lost' | 'restored';

export function ConnectionIndicator() {
  const { t } = useI18n();
  const status = useConnectionStatus();
  const [shown, setShown] = useState<Shown>('none');
  const wasShownLost = useRef(false);

  useEffect(() => {
    if (status === 'lost') {
      const timer = setTimeout(() => {
        wasShownLost.current = true;
        setShown('lost');
      }, LOST_GRACE_MS);
      return () => clearTimeout(timer);
    }
    if (status === 'open' && wasShownLost.current) {
      wasShownLost.current = false;
      setShown('restored');
      const timer = setTimeout(() => setShown('none'), RESTORED_SHOWN_MS);
      return () => clearTimeout(timer);
    }
    return undefined;
  }, [status]);

  return (
    <div className="connection" role="status" data-testid="connection-status" data-connection={status}>
      {shown === 'lost' && (
        <span className="connection__badge connection__badge--lost" title={`${t.connection.lost} — ${t.connection.reconnecting}`}>
          {t.connection.lost}
          <span className="visually-hidden"> — {t.connection.reconnecting}</span>
        </span>
      )}
      {shown === 'restored' && (
        <span className="connection__badge connection__badge--restored">{t.connection.restored}</span>
      )}
      {shown === 'none' && status === 'open' && (
        <span className="connection__badge connection__badge--live" aria-hidden="true">{t.connection.live}</span>
      )}
    </div>
  );
}
