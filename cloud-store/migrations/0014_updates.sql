-- Over-the-air updates (issue 15): signed releases, staged campaigns and each box's part in them.

-- The cohort a box belongs to for rollouts (e.g. 'pilot', 'general'), set by admins; and the
-- software each box last reported (its update agent says so on every poll).
ALTER TABLE boxes ADD COLUMN update_cohort text NOT NULL DEFAULT 'general'
  CONSTRAINT boxes_update_cohort_check CHECK (update_cohort ~ '^[a-z0-9][a-z0-9_-]{0,31}$');
CREATE TABLE box_software (
  box_id      text PRIMARY KEY REFERENCES boxes (id),
  version     text NOT NULL,
  hardware    text NOT NULL,
  reported_at timestamptz NOT NULL
);

-- A release as the release engineer signed it: the signed manifest whole (the box checks the
-- signature itself), and where its verified artefact is stored (content-addressed by sha256).
CREATE TABLE releases (
  id          uuid PRIMARY KEY,
  kind        text NOT NULL CONSTRAINT releases_kind_check CHECK (kind IN ('box', 'bracelet-firmware')),
  version     text NOT NULL,
  signed      jsonb NOT NULL,
  sha256      text NOT NULL CONSTRAINT releases_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size        bigint NOT NULL CONSTRAINT releases_size_check CHECK (size > 0),
  uploaded_by uuid,
  uploaded_at timestamptz NOT NULL,
  CONSTRAINT releases_kind_version_key UNIQUE (kind, version)
);

-- A staged rollout of one release. stages: cumulative percentages of the target, ascending, the
-- last 100; stage: the index of the stage now open. failure_threshold: the share of failed or
-- rolled-back boxes among those released that halts the campaign on its own.
CREATE TABLE update_campaigns (
  id                uuid PRIMARY KEY,
  release_id        uuid NOT NULL REFERENCES releases (id),
  state             text NOT NULL CONSTRAINT update_campaigns_state_check
                      CHECK (state IN ('running', 'paused', 'halted', 'cancelled', 'completed')),
  stages            integer[] NOT NULL,
  stage             integer NOT NULL DEFAULT 0,
  failure_threshold real NOT NULL CONSTRAINT update_campaigns_threshold_check CHECK (failure_threshold >= 0 AND failure_threshold <= 1),
  target            jsonb NOT NULL,
  halted_reason     text,
  created_by        uuid,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL
);

-- Each targeted box: the stage that releases it (0-based) and where it stands. Terminal states:
-- succeeded, failed, rolled_back, refused, cancelled.
CREATE TABLE update_campaign_boxes (
  campaign_id uuid NOT NULL REFERENCES update_campaigns (id),
  box_id      text NOT NULL REFERENCES boxes (id),
  stage       integer NOT NULL,
  state       text NOT NULL CONSTRAINT update_campaign_boxes_state_check
                CHECK (state IN ('pending', 'downloading', 'installing', 'rebooting', 'succeeded', 'failed', 'rolled_back', 'refused', 'cancelled')),
  reason      text CONSTRAINT update_campaign_boxes_reason_check CHECK (length(reason) <= 500),
  version     text,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (campaign_id, box_id)
);
CREATE INDEX update_campaign_boxes_box_idx ON update_campaign_boxes (box_id, state);
