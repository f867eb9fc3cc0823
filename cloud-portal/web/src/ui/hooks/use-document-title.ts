import { useEffect } from 'react';

/** Set the tab title to `<page> · Vigie` (screen readers announce it on navigation). */
export function useDocumentTitle(page: string | null, product: string): void {
  useEffect(() => {
    document.title = page ? `${page} · ${product}` : product;
  }, [page, product]);
}
