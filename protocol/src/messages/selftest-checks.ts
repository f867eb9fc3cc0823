/** The checks of the box's self-test (`vigie-box selftest`, and daily on the box), in checklist order. */
export const SELFTEST_CHECKS = ['safety-core', 'modem', 'sim', 'network', 'signal', 'bracelet-link', 'storage-integrity', 'storage-space', 'clock'] as const;
export type SelfTestCheck = (typeof SELFTEST_CHECKS)[number];
