/**
 * The reading buffer's size limits, apart from the buffer itself: the box's configuration (read by
 * every process, the safety core's included) names the defaults without loading telemetry code.
 */

/** How much the buffer may hold. Either limit reached, the oldest unsent readings are evicted. */
export interface BufferLimits {
  readonly maxRows: number;
  /** Estimated bytes (`readingBytes` in reading-buffer.ts), not the file size: see appliance/README.md. */
  readonly maxBytes: number;
}

/**
 * Defaults, sized from the design's cadences: 720 heart-rate + 288 SpO2 + 48 step readings =
 * 1,056 readings a day, so 30 days offline = 31,680 readings. 100,000 rows hold 94 days at those
 * cadences (3× margin for battery readings and a chattier sensor). 8 MiB is ~1.9× what 100,000
 * readings take by the estimate (~45 bytes each with a 12-character bracelet id), so the row limit
 * binds first; with the longest bracelet ids (64 characters, ~98 bytes) the byte limit binds at
 * ~85,000 readings, still 80 days. On disk: ~4.5 MB when full, plus the WAL (≤ ~4 MB).
 */
export const DEFAULT_BUFFER_LIMITS: BufferLimits = { maxRows: 100_000, maxBytes: 8 * 1024 * 1024 };
