/**
 * `/account/totp`: a staff account turns on its second factor (QR code, then a first code), and
 * receives its recovery codes once. Until then the server refuses it everything else.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { confirmTotp, enrolTotp } from '../api/accounts.ts';
import { Notice } from '../ui/notice.tsx';

export function TotpEnrolPage({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const a = useI18n().t.accounts;
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
          <QrCode png={enrolment.qr} label={a.enrolQr} />
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

/**
 * The enrolment QR code, a PNG data URL from the server, drawn on a canvas: the portal's CSP
 * (default-src 'self') rightly refuses `data:` and `blob:` images, and decoding the bytes here
 * loads nothing. The key printed below it remains the way in if drawing fails.
 */
function QrCode({ png, label }: { png: string; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    let live = true;
    const bytes = Uint8Array.from(atob(png.slice(png.indexOf(',') + 1)), (c) => c.charCodeAt(0));
    createImageBitmap(new Blob([bytes], { type: 'image/png' })).then(
      (bitmap) => {
        const target = canvas.current;
        const context = target?.getContext('2d');
        if (live && target && context) {
          target.width = bitmap.width;
          target.height = bitmap.height;
          context.drawImage(bitmap, 0, 0);
          setDrawn(true);
        }
        bitmap.close();
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [png]);
  return <canvas ref={canvas} className="totp-qr" role="img" aria-label={label} width={200} height={200} data-testid="totp-qr" data-drawn={drawn} />;
}
