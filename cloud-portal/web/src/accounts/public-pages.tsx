/**
 * Pages reached without a session: password reset (ask for a link, then set a password with
 * it) and invitation acceptance. Short forms, one question at a time, errors announced.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { BrandMark } from '../ui/brand-mark.tsx';
import { LanguageSwitch } from '../ui/language-switch.tsx';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { errorText } from '../i18n/errors.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../ui/navigation.tsx';
import { Notice } from '../ui/notice.tsx';
import { acceptInvitation, forgotPassword, resetPassword } from '../api/accounts.ts';

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

function NewPasswordForm({ onSubmit }: { onSubmit: (password: string) => Promise<void> }) {
  const { t } = useI18n();
  const a = useI18n().t.accounts;
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
  const a = useI18n().t.accounts;
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
  const a = useI18n().t.accounts;
  return (
    <PublicFrame title={a.invitationTitle}>
      <p className="muted">{a.invitationIntro}</p>
      {token ? <NewPasswordForm onSubmit={(password) => acceptInvitation(token, password)} /> : <Notice kind="error" text={a.linkInvalid} />}
    </PublicFrame>
  );
}
