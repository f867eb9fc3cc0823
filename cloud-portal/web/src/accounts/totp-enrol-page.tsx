/**
 * `/account/totp`: a staff account turns on its second factor (QR code, then a first code), and
 * receives its recovery codes once. Until then the server refuses it everything else.
 */
import { useState, type FormEvent } from 'react';
import { useDocumentTitle } from '../hooks/use-document-title.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { confirmTotp, enrolTotp } from './accounts-api.ts';
import { useAccountsText } from './accounts-text.ts';
import { Notice } from './public-pages.tsx';

export function TotpEnrolPage({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const a = useAccountsText();
  useDocumentTitle(a.enrolTitle, t.app.name);
  const [enrolment, setEnrolment] = useState<{ secret: string; qr: string } | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const start = async () => {
    setError(null);
    try {
      setEnrolment(await enrolTotp());
    } catch {
      setError(t.errors.unexpected);
    }
  };
  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      setCodes((await confirmTotp(code.trim())).recoveryCodes);
    } catch {
      setError(a.totpWrong);
    }
  };

  if (codes) {
    return (
      <section>
        <h1>{a.recoveryTitle}</h1>
        <p>{a.recoveryIntro}</p>
        <ul className="recovery-codes" data-testid="recovery-codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
        <button type="button" className="button button--primary" onClick={onDone}>{a.continue}</button>
      </section>
    );
  }
  return (
    <section>
      <h1>{a.enrolTitle}</h1>
      <p>{a.enrolIntro}</p>
      <Notice kind="error" text={error} />
      {!enrolment ? (
        <button type="button" className="button button--primary" onClick={() => void start()}>{a.enrolStart}</button>
      ) : (
        <>
          <img src={enrolment.qr} alt={a.enrolSecret} width={200} height={200} />
          <p>{a.enrolSecret} <code data-testid="totp-secret">{enrolment.secret}</code></p>
          <form className="form" onSubmit={confirm} noValidate>
            <div className="field">
              <label htmlFor="totp-code">{a.totpCode}</label>
              <input id="totp-code" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
            </div>
            <button type="submit" className="button button--primary">{a.enrolConfirm}</button>
          </form>
        </>
      )}
    </section>
  );
}
