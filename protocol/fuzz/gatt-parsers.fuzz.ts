/**
 * Fuzz campaign of the BLE GATT parsers (`npm run fuzz` runs it, then the AT parser's):
 *
 *     npx tsx protocol/fuzz/gatt-parsers.fuzz.ts [--runs 100000] [--seed S] [--only TEXT] [--path P]
 *
 * Every property runs `--runs` cases (default 100,000). Exits 1 when one fails, after printing the
 * counterexample and the command that replays it.
 */
import { fuzzOptionsFromArgv, runFuzzCampaign } from '@vigie/common/fuzz';
import { gattFuzzProperties } from './gatt-properties.ts';

const outcomes = await runFuzzCampaign('GATT parsers', 'protocol/fuzz/gatt-parsers.fuzz.ts', gattFuzzProperties(), fuzzOptionsFromArgv());
process.exitCode = outcomes.every((o) => o.passed) ? 0 : 1;
