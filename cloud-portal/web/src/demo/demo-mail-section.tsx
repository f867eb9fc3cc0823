/** The demo page's list of e-mails the portal "sent" (development capture, `GET /demo/api/mail`). */
import { useEffect, useState } from 'react';
import { apiGet } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';

interface Mail { to: string; subject: string; text: string; at: number }

/** Links in a captured e-mail become clickable (they point at this portal). */
function linkify(text: string) {
  return text.split(/(https?:\/\/\S+)/).map((part, i) => (/^https?:\/\//.test(part) ? <a key={i} href={part}>{part}</a> : part));
}

export function DemoMailSection() {
  const { f } = useI18n();
  const a = useI18n().t.accounts;
  const [mail, setMail] = useState<Mail[] | null>(null);
  useEffect(() => {
    let live = true;
    const poll = () =>
      apiGet<{ mail: Mail[] }>('/demo/api/mail').then(
        (r) => live && setMail(r.mail),
        () => undefined,
      );
    void poll();
    const timer = setInterval(() => void poll(), 3_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return (
    <section aria-labelledby="demo-mail-title" data-testid="demo-mail">
      <h2 id="demo-mail-title" className="panel__title">{a.demoMail}</h2>
      {mail === null || mail.length === 0 ? (
        <p className="muted">{a.demoMailEmpty}</p>
      ) : (
        <ul className="demo-mail">
          {mail.map((m, i) => (
            <li key={`${m.at}-${i}`}>
              <p><strong>{m.subject}</strong> — {m.to} — {f.preciseDateTime(m.at)}</p>
              <pre className="demo-mail__text">{linkify(m.text)}</pre>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
