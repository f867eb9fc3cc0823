/**
 * The version of this box software, `major.minor.patch` (a release's `version`). What the
 * heartbeat reports and what the update agent runs when its slots do not say (the factory image).
 */
export const BOX_SOFTWARE_VERSION = '0.1.0';
