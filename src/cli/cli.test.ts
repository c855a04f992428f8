import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BAD_GRAPHS } from '../../fixtures/bad-graphs';
import { runCli } from './testing';

const root = join(__dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'layerlab-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = runCli;

describe('layerlab inspect', () => {
  it('prints the LeNet-5 table and totals', async () => {
    const r = await run('inspect', join(root, 'presets/lenet5.json'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^c1\s+conv2d\s+28×28×6\s+156$/m);
    expect(r.out).toMatch(/^s4\s+maxPooling2d\s+5×5×16\s+0$/m);
    expect(r.out).toMatch(/^Total params: 61,706$/m);
    expect(r.out).toMatch(/No problems found/);
  });

  it('--json prints the documented object', async () => {
    const r = await run('inspect', join(root, 'presets/lenet5.json'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ ok: true, name: 'LeNet-5', totalParams: 61706, trainableParams: 61706, diagnostics: [] });
    expect(j.nodes[1]).toEqual({ id: 'c1', type: 'conv2d', outputShape: [null, 28, 28, 6], params: 156 });
    expect(j.nodes.map((n: { id: string }) => n.id)).toEqual(['image', 'c1', 's2', 'c3', 's4', 'flatten', 'f5', 'f6', 'output']);
  });

  it('takes a preset name', async () => {
    const r = await run('inspect', 'resnet50', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ totalParams: 25636712, trainableParams: 25583592, nonTrainableParams: 53120 });
    // ResNet-50 is made of blocks: every layer is listed (177, as Keras has them), and each block with its share.
    expect(j.nodes).toHaveLength(177);
    expect(j.nodes).toContainEqual({ id: 'conv5_block3/out', type: 'activation', outputShape: [null, 7, 7, 2048], params: 0 });
    expect(j.blocks).toHaveLength(16);
    expect(j.blocks[0]).toEqual({ id: 'conv2_block1', block: 'conv_block', name: 'Bottleneck (projection)', layers: 12, outputShape: [null, 56, 56, 256], params: 76_928 });
    expect(j.blocks.reduce((s: number, b: { params: number }) => s + b.params, 0) + j.nodes.filter((n: { id: string }) => !n.id.includes('/')).reduce((s: number, n: { params: number | null }) => s + (n.params ?? 0), 0)).toBe(25636712);
  });

  it.each(BAD_GRAPHS.map((b) => [b.name, b] as const))('%s: exit status and message', async (_name, bad) => {
    const file = join(tmp, `${bad.name.replace(/\W+/g, '_')}.json`);
    writeFileSync(file, bad.text());
    const r = await run('inspect', file, '--json');
    expect(r.code).toBe(bad.exit);
    const j = JSON.parse(r.out);
    expect(j.ok).toBe(false);
    if (bad.exit === 2) {
      expect(j.error).toMatch(bad.message);
    } else {
      const d = j.diagnostics.find((x: { message: string }) => bad.message.test(x.message));
      expect(d).toMatchObject({ severity: 'error', nodeId: bad.nodeId });
    }
    const text = await run('inspect', file);
    expect(text.code).toBe(bad.exit);
    expect(bad.exit === 2 ? text.err : text.out).toMatch(bad.message);
  });

  it('a missing file exits 2 with a message', async () => {
    const r = await run('inspect', join(tmp, 'nope.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Cannot read .*nope\.json: no such file/);
  });

  it('usage errors exit 2; --help exits 0', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('frobnicate')).err).toMatch(/unknown command "frobnicate"/);
    expect((await run('inspect')).code).toBe(2);
    expect((await run('inspect', 'a', '--bogus')).code).toBe(2);
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/inspect FILE \[--json\]/);
  });
});

describe('the layerlab executable', () => {
  it('runs as a real process with the documented exit statuses', () => {
    const bin = join(root, 'bin', 'layerlab.js');
    const ok = spawnSync(process.execPath, [bin, 'inspect', 'lenet5', '--json'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).totalParams).toBe(61706);

    const bad = join(tmp, 'cycle.json');
    writeFileSync(bad, BAD_GRAPHS.find((b) => b.name === 'a cycle')!.text());
    expect(spawnSync(process.execPath, [bin, 'inspect', bad], { encoding: 'utf8' }).status).toBe(1);

    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{ nope');
    const r = spawnSync(process.execPath, [bin, 'inspect', broken], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not valid JSON/);
  });
});
