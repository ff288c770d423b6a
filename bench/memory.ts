import 'reflect-metadata';
import sharp from 'sharp';
import { loadConfig } from '../src/config/app-config.js';
import { parseOptions } from './lib/args.js';
import { multipartBody } from './lib/multipart.js';
import { describeLoad, resetPeakRss, statusMiB } from './lib/proc-stats.js';
import { info, machineInfo, printJson, printTable } from './lib/report.js';
import { ensureBuilt, startService } from './lib/service-process.js';
import { msSince, round } from './lib/stats.js';

/**
 * Decoding memory under a burst of the largest uploads the service accepts: N concurrent
 * recognise_user calls, each a PNG just under MAX_IMAGE_PIXELS (small on the wire, 120 MB of RGB
 * once decoded). Reports the server's peak RSS (VmHWM) and how the requests were answered — with
 * the decode budget, the excess waits or is refused with 503 + Retry-After instead of the server
 * holding every image at once. Target: peak RSS under ~1.5 GB for 20 concurrent uploads.
 *
 *   npm run bench:memory -- [--concurrency 20] [--side 6300] [--rounds 2]
 */

const args = parseOptions({
  concurrency: { type: 'string', default: '20' },
  side: { type: 'string', default: '6300' },
  rounds: { type: 'string', default: '2' },
  'no-build': { type: 'boolean', default: false },
});

async function main(): Promise<void> {
  const machine = machineInfo();
  info(describeLoad(machine.cpus).text);
  const side = args.number('side');
  const config = loadConfig(process.env);
  if (side * side > config.images.maxPixels) throw new Error(`--side ${side} exceeds MAX_IMAGE_PIXELS`);
  // Noise compresses badly; a gradient with a little texture stays a few MB and decodes fully.
  const png = await sharp({ create: { width: side, height: side, channels: 3, background: '#7f8fa0' } })
    .png({ compressionLevel: 9 })
    .toBuffer();
  info(
    `upload: ${side}×${side} PNG, ${(png.length / 1024).toFixed(0)} KiB (${round((side * side) / 1e6, 1)} MP)`,
  );
  ensureBuilt(args.flag('no-build'));
  const service = await startService({ label: 'memory', scopes: ['recognise'] });
  const statuses = new Map<string, number>();
  try {
    const pid = service.pid!;
    const idle = statusMiB(pid, 'VmRSS') ?? Number.NaN;
    resetPeakRss(pid);
    const started = process.hrtime.bigint();
    for (let round = 0; round < args.number('rounds'); round++) {
      await Promise.all(
        Array.from({ length: args.number('concurrency') }, async () => {
          const body = multipartBody([
            { name: 'image', file: png, filename: 'big.png', contentType: 'image/png' },
          ]);
          const res = await fetch(`${service.url}/api/v1/recognise_user`, {
            method: 'POST',
            headers: { 'x-api-key': service.key, 'content-type': body.contentType },
            body: body.body,
          });
          const label = `${res.status}${res.headers.get('retry-after') ? ' (Retry-After)' : ''}`;
          await res.arrayBuffer();
          statuses.set(label, (statuses.get(label) ?? 0) + 1);
        }),
      );
    }
    const peak = statusMiB(pid, 'VmHWM') ?? Number.NaN;
    const seconds = msSince(started) / 1000;
    printTable(
      `${args.number('concurrency')} concurrent ${side}×${side} uploads × ${args.number('rounds')} rounds (DECODE_PIXEL_BUDGET ${config.images.decodeBudgetPixels})`,
      ['idle RSS MiB', 'peak RSS MiB', 'answers', 'seconds', 'peak < 1.5 GiB'],
      [
        [
          round(idle, 0),
          round(peak, 0),
          JSON.stringify(Object.fromEntries(statuses)),
          round(seconds, 1),
          peak < 1536 ? 'yes' : 'no',
        ],
      ],
    );
    printJson({
      benchmark: 'memory',
      machine,
      side,
      concurrency: args.number('concurrency'),
      rounds: args.number('rounds'),
      decodeBudgetPixels: config.images.decodeBudgetPixels,
      idleRssMiB: round(idle, 0),
      peakRssMiB: round(peak, 0),
      answers: Object.fromEntries(statuses),
      seconds: round(seconds, 1),
    });
  } finally {
    await service.stop();
  }
}

await main();
