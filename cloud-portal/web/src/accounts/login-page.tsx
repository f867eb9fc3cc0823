/** Sign-in form. Errors are announced (role="alert") and tied to the fields they concern. */
import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { BrandMark } from '../ui/brand-mark.tsx';
import { LanguageSwitch } from '../ui/language-switch.tsx';
import { errorText } from '../i18n/errors.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useSession } from '../ui/session.tsx';
import { Link } from '../ui/navigation.tsx';

export function LoginPage() {
  const { t } = useI18n();
  const { signIn, completeSignIn } = useSession();
  const a = useI18n().t.accounts;
  // Set once the password is right and the account has a second factor.
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const errorId = useId();
  useDocumentTitle(t.login.title, t.app.name);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError(t.login.missingFields);
      emailRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await signIn(email.trim(), password);
      // The app moves to the page asked for once the session is set.
      if ('challenge' in result) {
        setChallenge(result.challenge);
        setBusy(false);
      }
    } catch (caught) {
      const wrongCredentials = caught instanceof ApiError && (caught.kind === 'unauthorized' || caught.kind === 'bad_request');
      setError(wrongCredentials ? t.login.invalidCredentials : errorText(t, caught));
      setPassword('');
      setBusy(false);
    }
  };

  const submitCode = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await completeSignIn(challenge!, code.trim());
    } catch {
      setError(a.totpWrong);
      setCode('');
      setBusy(false);
    }
  };

  const invalid = error !== null;
  if (challenge) {
    return (
      <div className="login">
        <div className="login__lang">
          <LanguageSwitch />
        </div>
        <main id="main" className="login__card" tabIndex={-1}>
          <h1>{a.totpTitle}</h1>
          <p className="muted">{a.totpIntro}</p>
          <div className="login__error" role="alert">{error && <p className="notice notice--error">{error}</p>}</div>
          <form className="form" onSubmit={submitCode} noValidate data-testid="totp-form">
            <div className="field">
              <label htmlFor="login-code">{a.totpCode}</label>
              <input id="login-code" name="code" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} aria-invalid={invalid} />
            </div>
            <button type="submit" className="button button--primary button--block" disabled={busy} aria-busy={busy}>
              {a.totpSubmit}
            </button>
          </form>
        </main>
      </div>
    );
  }
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
        <h1>{t.login.title}</h1>
        <p className="muted">{t.login.intro}</p>
        <div id={errorId} className="login__error" role="alert" data-testid="login-error">
          {error && <p className="notice notice--error">{error}</p>}
        </div>
        <form className="form" onSubmit={submit} noValidate data-testid="login-form">
          <div className="field">
            <label htmlFor="login-email">{t.login.email}</label>
            <input
              ref={emailRef}
              id="login-email"
              name="email"
              type="email"
              autoComplete="username"
              inputMode="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={invalid}
              aria-describedby={invalid ? errorId : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">{t.login.password}</label>
            <input
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={invalid}
              aria-describedby={invalid ? errorId : undefined}
            />
          </div>
          <button type="submit" className="button button--primary button--block" disabled={busy} aria-busy={busy}>
            {busy ? t.login.submitting : t.login.submit}
          </button>
        </form>
        <p>
          <Link href="/reset">{a.forgot}</Link>
        </p>
        <p>
          <Link href="/register">{a.register}</Link>
        </p>
      </main>
    </div>
  );
}
