/**
 * Fuzz campaign of the modem's parsing (`npm run fuzz` runs it after the GATT parsers'): the AT
 * channel with commands in flight, the line and information-line parsers, the PDU decoders, the
 * emulator's command reader.
 *
 *     npx tsx appliance/src/modem/fuzz/at-parser.fuzz.ts [--runs 100000] [--seed S] [--only TEXT] [--path P]
 *
 * Every property runs `--runs` cases (default 100,000); AT channel time is virtual, so command
 * timeouts cost nothing. Exits 1 when one fails, after printing the counterexample and the command
 * that replays it.
 */
import { atFuzzProperties } from './at-properties.ts';
import { fuzzOptionsFromArgv, runFuzzCampaign } from '@vigie/common/fuzz';

const outcomes = await runFuzzCampaign('AT parser', 'appliance/src/modem/fuzz/at-parser.fuzz.ts', atFuzzProperties(), fuzzOptionsFromArgv());
process.exitCode = outcomes.every((o) => o.passed) ? 0 : 1;
