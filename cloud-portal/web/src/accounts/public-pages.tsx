/**
 * Pages reached without a session: password reset (ask for a link, then set a password with
 * it) and invitation acceptance. Short forms, one question at a time, errors announced.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { BrandMark } from '../components/app-header.tsx';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { useDocumentTitle } from '../hooks/use-document-title.ts';
import { errorText } from '../i18n/errors.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { acceptInvitation, forgotPassword, resetPassword } from './accounts-api.ts';
import { useAccountsText } from './accounts-text.ts';

/** The frame of the public pages (the sign-in page's card). */
export function PublicFrame({ title, children }: { title: string; children: React.ReactNode }) {
  const { t } = useI18n();
  useDocumentTitle(title, t.app.name);
  return (
    <div className="login">
      <div className="login__lang">
        <LanguageSwitch />
      </div>
      <main id="main" className="login__card" tabIndex={-1}>
        <p className="login__brand">
          <BrandMark />
          <span className="brand__name">{t.app.name}</span>
        </p>
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}

/** An announced message: error or confirmation. */
export function Notice({ kind, text }: { kind: 'error' | 'ok'; text: string | null }) {
  return <div role={kind === 'error' ? 'alert' : 'status'}>{text && <p className={`notice notice--${kind === 'error' ? 'error' : 'info'}`}>{text}</p>}</div>;
}

function NewPasswordForm({ onSubmit }: { onSubmit: (password: string) => Promise<void> }) {
  const { t } = useI18n();
  const a = useAccountsText();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Characters, not UTF-16 units: an emoji counts once, as on the server.
    if ([...password].length < 12) return setError(a.tooShort);
    setBusy(true);
    setError(null);
    try {
      await onSubmit(password);
      setDone(true);
    } catch (caught) {
      setError(caught instanceof ApiError && caught.code === 'PORTAL_LINK_INVALID' ? a.linkInvalid : errorText(t, caught));
    } finally {
      setBusy(false);
    }
  };
  if (done) {
    return (
      <>
        <Notice kind="ok" text={a.passwordSet} />
        <Link href="/login" className="button button--primary button--block">{a.toLogin}</Link>
      </>
    );
  }
  return (
    <form className="form" onSubmit={submit} noValidate>
      <Notice kind="error" text={error} />
      <div className="field">
        <label htmlFor="new-password">{a.newPassword}</label>
        <input id="new-password" type="password" autoComplete="new-password" minLength={12} required value={password} onChange={(e) => setPassword(e.target.value)} aria-invalid={error !== null} />
      </div>
      <button type="submit" className="button button--primary button--block" disabled={busy}>{a.setPassword}</button>
    </form>
  );
}

/** `/reset` (ask for a link) and `/reset?token=…` (choose a new password). */
export function ResetPage({ token }: { token: string | null }) {
  const { t } = useI18n();
  const a = useAccountsText();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (token) {
    return (
      <PublicFrame title={a.resetTitle}>
        <NewPasswordForm onSubmit={(password) => resetPassword(token, password)} />
      </PublicFrame>
    );
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await forgotPassword(email.trim());
      setSent(true);
    } catch (caught) {
      setError(errorText(t, caught));
    }
  };
  return (
    <PublicFrame title={a.resetTitle}>
      <p className="muted">{a.resetIntro}</p>
      <Notice kind="error" text={error} />
      {sent ? (
        <Notice kind="ok" text={a.resetSent} />
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="reset-email">{a.email}</label>
            <input id="reset-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <button type="submit" className="button button--primary button--block">{a.resetSend}</button>
        </form>
      )}
      <p><Link href="/login">{a.toLogin}</Link></p>
    </PublicFrame>
  );
}

/** `/invitation?token=…`: an invited account chooses its password. */
export function InvitationPage({ token }: { token: string | null }) {
  const a = useAccountsText();
  return (
    <PublicFrame title={a.invitationTitle}>
      <p className="muted">{a.invitationIntro}</p>
      {token ? <NewPasswordForm onSubmit={(password) => acceptInvitation(token, password)} /> : <Notice kind="error" text={a.linkInvalid} />}
    </PublicFrame>
  );
}
