/**
 * Test helpers of the portal (imported from tests only, as `@vigie/cloud-portal/testing`): the
 * portal fixture and the SSE reader, for the tests of the composed cloud (cloud-runtime) too.
 */
export { portalFixture, createPerson, cookieOf, T0, TEST_SECRETS_KEY, type Person, type PortalFixture } from './fixture.ts';
export { openEventStream, type SseMessage } from './event-stream.ts';
