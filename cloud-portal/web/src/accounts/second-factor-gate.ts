/** Whether the signed-in staff account still has to enrol its second factor (asked once per sign-in). */
import { useCallback, useEffect, useState } from 'react';
import { fetchSecondFactor } from './accounts-api.ts';

export function useSecondFactorGate(userId: string): { needed: boolean; done: () => void } {
  const [needed, setNeeded] = useState(false);
  useEffect(() => {
    let live = true;
    fetchSecondFactor().then(
      (s) => live && setNeeded(s.required && !s.enrolled),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [userId]);
  return { needed, done: useCallback(() => setNeeded(false), []) };
}
