-- Issue 17: state that several cloud instances share instead of keeping it in process memory.

-- Per-client request counters of @fastify/rate-limit (portal forms, login): one row per
-- (route, client) and window, so the limit holds across every portal instance. Rows expire with
-- their window; expired ones are overwritten by the next hit and swept by the leader.
CREATE TABLE rate_limit_hits (
  key text PRIMARY KEY,
  hits integer NOT NULL,
  window_ends_at timestamptz NOT NULL
);
CREATE INDEX rate_limit_hits_window_ends_at ON rate_limit_hits (window_ends_at);

-- Periods of scheduled jobs already run by some instance (cloud-store `claimJobSlot`).
CREATE TABLE scheduled_job_runs (
  job text NOT NULL,
  slot text NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, slot)
);
