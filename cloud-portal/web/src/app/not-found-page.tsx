import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../ui/navigation.tsx';

export function NotFoundPage() {
  const { t } = useI18n();
  useDocumentTitle(t.notFound.title, t.app.name);
  return (
    <>
      <h1>{t.notFound.title}</h1>
      <p>{t.notFound.body}</p>
      <p>
        <Link href="/">{t.app.backToList}</Link>
      </p>
    </>
  );
}
