import { Type, type Static } from '@sinclair/typebox';
import { HardwareModel, ReleaseVersion, SignedReleaseManifest } from '../releases.ts';
import { Uuid } from './common.ts';

/**
 * The box update agent and the cloud's update service (issue 15). The agent polls
 * `GET /updates/v1/offer` with what it runs; the service answers with the release of the campaign
 * that has released this box, if any. The agent reports each step with `POST /updates/v1/report`.
 */
export const UpdatePollQuery = Type.Object(
  { version: ReleaseVersion, hardware: HardwareModel },
  { additionalProperties: false },
);
export type UpdatePollQuery = Static<typeof UpdatePollQuery>;

/** A release offered to one box: its signed manifest and where to download the artefact (Range supported). */
export const UpdateOffer = Type.Object(
  {
    v: Type.Literal(1),
    campaignId: Uuid,
    releaseId: Uuid,
    signed: SignedReleaseManifest,
    /** Path of the artefact on the update service, e.g. `/updates/v1/releases/<id>/artefact`. */
    artefactPath: Type.String({ maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type UpdateOffer = Static<typeof UpdateOffer>;

export const UpdateOfferAnswer = Type.Object({ offer: Type.Union([UpdateOffer, Type.Null()]) }, { additionalProperties: false });
export type UpdateOfferAnswer = Static<typeof UpdateOfferAnswer>;

/** Where a box stands in a campaign, as it reports it. */
export const UpdateBoxState = Type.Union([
  Type.Literal('downloading'),
  Type.Literal('installing'),
  Type.Literal('rebooting'),
  /** The new slot passed its health check and is committed (or the box already ran the version). */
  Type.Literal('succeeded'),
  /** Download or install failed; the box still runs its old version. */
  Type.Literal('failed'),
  /** The new slot failed its health check; the box went back to the old one. */
  Type.Literal('rolled_back'),
  /** Refused before anything was written: bad signature, other hardware, below minimum version, bad checksum. */
  Type.Literal('refused'),
]);
export type UpdateBoxState = Static<typeof UpdateBoxState>;

/** Why, in words for support (a stable code first, e.g. `signature_invalid: …`); no personal data. */
export const UpdateReport = Type.Object(
  {
    v: Type.Literal(1),
    campaignId: Uuid,
    state: UpdateBoxState,
    /** The version the box runs now. */
    version: ReleaseVersion,
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type UpdateReport = Static<typeof UpdateReport>;
