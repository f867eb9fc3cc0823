/**
 * A box's download in a process of its own, for the kill -9 test: `node --import tsx
 * download-child.ts <base url> <token> <artefact path> <part file> <size> <bytes/s>`. Prints
 * `progress <bytes>` as the part file grows.
 */
import { UpdateClient } from '../../appliance/src/update/update-client.ts';

const [baseUrl, token, path, part, size, rate] = process.argv.slice(2);
const client = new UpdateClient({ baseUrl: baseUrl!, token: token!, maxBytesPerSecond: Number(rate) });
let last = 0;
await client.download(path!, part!, Number(size), (bytes) => {
  if (bytes - last >= 64 * 1024) {
    last = bytes;
    process.stdout.write(`progress ${bytes}\n`);
  }
});
process.stdout.write('done\n');
client.close();
